"""Nightly refresh: phases 2 and 3 for a hospital's latest schedule version.

Amion changes every day; the template does not. This re-reads Amion for the latest version's
period (replacing its Amion assignments) and recalculates coverage, under the hospital's slot.
No version yet fails the run; a failed phase ends it `CompletedWithWarnings`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow
from prefect.runtime import flow_run
from prefect.states import State

from flows.hospital_lock import hospital_slot
from flows.phases import coverage_phase, fail_run, finish_run, scrape_phase
from schedcu.config import get_settings
from schedcu.db import get_engine
from schedcu.errors import ConfigurationError
from schedcu.hospitals import get_hospital, latest_version
from schedcu.models import utcnow
from schedcu.orchestration import OrchestrationResult


@flow(name="nightly-refresh", flow_run_name="refresh {hospital}")
def nightly_refresh(hospital: str, roster_path: str | None = None) -> State[Any]:
    settings = get_settings()
    engine = get_engine(settings)
    result = OrchestrationResult(
        hospital=hospital,
        period_start=None,
        period_end=None,
        started_at=utcnow(),
        flow_run_id=flow_run.get_id(),
    )
    record = get_hospital(engine, hospital)
    version = latest_version(engine, hospital) if record else None
    if record is None or version is None:
        return fail_run(
            result,
            ConfigurationError(
                f"Hospital {hospital!r} has no schedule version to refresh; import a template "
                "first (the schedule-import flow).",
                code="NO_VERSION" if record else "UNKNOWN_HOSPITAL",
            ),
        )
    result.schedule_version_id = version.id
    result.period_start, result.period_end = version.effective_start, version.effective_end
    with hospital_slot(hospital):
        scrape_phase(
            result,
            base_url=record.amion_base_url or settings.amion_base_url,
            roster_path=Path(roster_path) if roster_path else None,
        )
        coverage_phase(result)
    return finish_run(result)
