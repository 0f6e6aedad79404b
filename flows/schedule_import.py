"""The import flow: ODS import, Amion scrape, coverage, for one hospital and period.

    check the request  -> a bad one fails the run before phase 1 (no task run at all)
    hospital slot      -> one import per hospital at a time (flows/hospital_lock.py)
    1 ODS import       -> critical: its failure fails the run; phases 2 and 3 never start
    2 Amion scrape     -> may fail: the run goes on to phase 3 and ends CompletedWithWarnings
    3 coverage         -> may fail: the version stays; `recalculate-coverage` can redo it

Every run publishes the merged ValidationResult (table) and a markdown summary, and returns the
OrchestrationResult as JSON-ready data in a `Completed` state named `Completed` or
`CompletedWithWarnings`. The Amion code is never a parameter: the download task looks it up.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.states import State

from flows.hospital_lock import hospital_slot
from flows.phases import coverage_phase, fail_run, failure_of, finish_run, scrape_phase
from schedcu.calendar import first_of_next_month, period_end
from schedcu.config import get_settings
from schedcu.db import get_engine
from schedcu.errors import ConfigurationError, SchedcuError
from schedcu.hospitals import get_hospital
from schedcu.models import Hospital, utcnow
from schedcu.orchestration import (
    OrchestrationResult,
    Outcome,
    Phase,
    check_request,
    period_label,
)
from tasks.ods_import import import_ods


def _run_name() -> str:
    """`import cumc-radiology 2026-03-01 +1m`."""
    parameters = flow_run.parameters
    start = parameters.get("start_date") or "next-month"
    return f"import {parameters.get('hospital')} {start} +{parameters.get('months', 1)}m"


@flow(
    name="schedule-import",
    flow_run_name=_run_name,
    description="Import a coverage template, the Amion schedule and compute coverage.",
)
def schedule_import(
    hospital: str,
    ods_path: str,
    start_date: dt.date | None = None,
    months: int = 1,
    user_id: str | None = None,
    roster_path: str | None = None,
) -> State[Any]:
    """Import `ods_path` for `hospital` over `months` months from `start_date` (default: the
    first day of next month, which is what the nightly deployment uses)."""
    logger = get_run_logger()
    settings = get_settings()
    start_date = start_date or first_of_next_month(settings.timezone)
    result = OrchestrationResult(
        hospital=hospital,
        period_start=start_date,
        period_end=period_end(start_date, months)
        if isinstance(months, int) and months > 0
        else None,
        started_at=utcnow(),
        flow_run_id=flow_run.get_id(),
    )
    try:
        path, roster, record = _checked_inputs(
            hospital, ods_path, start_date, months, user_id, roster_path
        )
    except SchedcuError as error:
        return fail_run(result, error)

    period = period_label(start_date, period_end(start_date, months))
    logger.info("Import for %s, %s: waiting for the hospital's slot", hospital, period)
    with hospital_slot(hospital):
        began = time.monotonic()
        state = import_ods(
            hospital=hospital,
            ods_path=path,
            start=start_date,
            months=months,
            period=period,
            user_id=user_id,
            return_state=True,
        )
        if not state.is_completed():
            error = failure_of(state, Phase.ODS_IMPORT)
            result.record(Phase.ODS_IMPORT, Outcome.FAILED, time.monotonic() - began, error=error)
            return fail_run(result, error)
        outcome = state.result()
        result.record(
            Phase.ODS_IMPORT,
            Outcome.SUCCEEDED,
            time.monotonic() - began,
            validation=outcome.validation,
        )
        result.schedule_version_id = outcome.version_id
        result.shift_instances = outcome.shift_instance_count
        logger.info(
            "Phase 1: version %s with %s shifts%s",
            outcome.version_id,
            outcome.shift_instance_count,
            " (already imported)" if outcome.already_imported else "",
        )

        scrape_phase(
            result,
            base_url=record.amion_base_url or settings.amion_base_url,
            roster_path=roster,
            user_id=user_id,
        )
        coverage_phase(result)

    return finish_run(result)


def _checked_inputs(
    hospital: str,
    ods_path: str,
    start_date: dt.date,
    months: int,
    user_id: str | None,
    roster_path: str | None,
) -> tuple[Path, Path | None, Hospital]:
    """The template, the roster and the hospital, once all are known to be usable."""
    path = check_request(ods_path=ods_path, start_date=start_date, months=months, user_id=user_id)
    roster = Path(roster_path) if roster_path else None
    if roster is not None and not roster.is_file():
        raise ConfigurationError(
            f"The roster {roster.name!r} is not a readable file.", code="ROSTER_NOT_READABLE"
        )
    record = get_hospital(get_engine(get_settings()), hospital)
    if record is None:
        raise ConfigurationError(
            f"No hospital has the code {hospital!r}; add it with `schedcu hospital add` "
            "or check the spelling.",
            code="UNKNOWN_HOSPITAL",
        )
    return path, roster, record
