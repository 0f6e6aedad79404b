"""Recalculate coverage (phase 3) for one schedule version, e.g. after phase 3 failed in an
import or after manual assignments changed. Here phase 3 is the whole job: its failure fails
the run."""

from __future__ import annotations

from typing import Any

from prefect import flow
from prefect.runtime import flow_run
from prefect.states import State

from flows.phases import coverage_phase, fail_run, finish_run
from schedcu.config import get_settings
from schedcu.db import get_engine
from schedcu.errors import ConfigurationError
from schedcu.hospitals import version_hospital
from schedcu.models import utcnow
from schedcu.orchestration import OrchestrationResult


@flow(name="recalculate-coverage", flow_run_name="recalculate coverage of version {version_id}")
def recalculate_coverage(version_id: int) -> State[Any]:
    found = version_hospital(get_engine(get_settings()), version_id)
    result = OrchestrationResult(
        hospital=found[1].code if found else "?",
        period_start=found[0].effective_start if found else None,
        period_end=found[0].effective_end if found else None,
        started_at=utcnow(),
        flow_run_id=flow_run.get_id(),
        schedule_version_id=version_id,
    )
    if found is None:
        return fail_run(
            result,
            ConfigurationError(f"There is no schedule version {version_id}.", code="NO_VERSION"),
        )
    error = coverage_phase(result)
    if error is not None:
        return fail_run(result, error)
    return finish_run(result)
