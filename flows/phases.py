"""Phases 2 and 3 as the flows run them, and how a run ends; shared by the import, the nightly
refresh and the coverage recalculation.

`scrape_phase` and `coverage_phase` record their outcome on the OrchestrationResult and return the
error that stopped them (or None): neither raises, both may fail without failing the run.
`fail_run` publishes the artifacts and returns a `Failed` state holding OrchestrationFailed;
`finish_run` publishes them and returns the `Completed` / `CompletedWithWarnings` state carrying
the result."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from prefect import get_run_logger
from prefect.states import Completed, Failed, State

from flows.artifacts import publish_amion_evidence, publish_run_artifacts
from schedcu.amion.store import record_failed_scrape
from schedcu.calendar import months_in
from schedcu.config import get_settings
from schedcu.db import get_engine
from schedcu.errors import AmionError, SchedcuError
from schedcu.models import utcnow
from schedcu.orchestration import (
    PHASE_TITLES,
    CoverageFigures,
    OrchestrationFailed,
    OrchestrationResult,
    Outcome,
    Phase,
    period_label,
)
from tasks.amion_scrape import download_amion_exports, store_amion_assignments
from tasks.coverage import calculate_coverage, publish_coverage_reports


def failure_of(state: State[Any], phase: Phase) -> SchedcuError:
    """The error of a failed task run, as a SchedcuError (a time-out or a crash too)."""
    error = state.result(raise_on_failure=False)
    if isinstance(error, SchedcuError):
        return error
    kind = type(error).__name__ if isinstance(error, BaseException) else state.name
    return SchedcuError(
        f"The {PHASE_TITLES[phase]} stopped unexpectedly ({kind}); see the run's logs.",
        code=f"{phase.value.upper()}_FAILED",
    )


def scrape_phase(
    result: OrchestrationResult,
    *,
    base_url: str | None,
    roster_path: Path | None,
    user_id: str | None = None,
) -> SchedcuError | None:
    """Phase 2: download the period's Amion exports, then store them for the version."""
    assert result.schedule_version_id is not None
    assert result.period_start is not None and result.period_end is not None
    logger = get_run_logger()
    began = time.monotonic()
    period = period_label(result.period_start, result.period_end)
    if not base_url:
        error: SchedcuError = AmionError(
            f"Hospital {result.hospital} has no Amion address: give it with "
            "`schedcu hospital add --amion-url` or SCHEDCU_AMION_BASE_URL.",
            code="AMION_NOT_CONFIGURED",
        )
        return _failed(result, Phase.AMION_SCRAPE, began, error)
    download = download_amion_exports(
        hospital=result.hospital,
        base_url=base_url,
        months=months_in(result.period_start, result.period_end),
        period=period,
        return_state=True,
    )
    if not download.is_completed():
        error = failure_of(download, Phase.AMION_SCRAPE)
        record_failed_scrape(
            engine=get_engine(get_settings()), version_id=result.schedule_version_id, error=error
        )
        return _failed(result, Phase.AMION_SCRAPE, began, error)
    store = store_amion_assignments(
        hospital=result.hospital,
        version_id=result.schedule_version_id,
        exports=download.result(),
        roster_path=roster_path,
        user_id=user_id,
        period=period,
        return_state=True,
    )
    if not store.is_completed():
        return _failed(result, Phase.AMION_SCRAPE, began, failure_of(store, Phase.AMION_SCRAPE))
    outcome = store.result()
    result.assignments = outcome.assignment_count
    result.record(
        Phase.AMION_SCRAPE,
        Outcome.SUCCEEDED,
        time.monotonic() - began,
        validation=outcome.validation,
    )
    logger.info("Phase 2: %s Amion assignments stored", outcome.assignment_count)
    return None


def coverage_phase(result: OrchestrationResult) -> SchedcuError | None:
    """Phase 3: compute and store the version's coverage, then publish its reports."""
    assert result.schedule_version_id is not None
    began = time.monotonic()
    period = (
        period_label(result.period_start, result.period_end)
        if result.period_start and result.period_end
        else f"version {result.schedule_version_id}"
    )
    calculation = calculate_coverage(
        hospital=result.hospital,
        version_id=result.schedule_version_id,
        period=period,
        return_state=True,
    )
    if not calculation.is_completed():
        return _failed(result, Phase.COVERAGE, began, failure_of(calculation, Phase.COVERAGE))
    outcome = calculation.result()
    result.coverage_rows = outcome.row_count
    result.coverage = CoverageFigures.from_summary(outcome.summary)
    reports = publish_coverage_reports(
        hospital=result.hospital, outcome=outcome, period=period, return_state=True
    )
    if not reports.is_completed():
        return _failed(result, Phase.COVERAGE, began, failure_of(reports, Phase.COVERAGE))
    result.reports.extend(str(Path(path).resolve()) for path in reports.result())
    result.record(
        Phase.COVERAGE, Outcome.SUCCEEDED, time.monotonic() - began, validation=outcome.validation
    )
    get_run_logger().info(
        "Phase 3: %s coverage rows, %s%% covered", outcome.row_count, result.coverage.overall_pct
    )
    return None


def _failed(
    result: OrchestrationResult, phase: Phase, began: float, error: SchedcuError
) -> SchedcuError:
    result.record(phase, Outcome.FAILED, time.monotonic() - began, error=error)
    if isinstance(error, AmionError):
        publish_amion_evidence(result.hospital, error, get_settings())
    get_run_logger().warning(
        "%s failed: %s: %s", PHASE_TITLES[phase].capitalize(), error.code, error.message
    )
    return error


def fail_run(result: OrchestrationResult, error: SchedcuError) -> State[Any]:
    """Publish what is known and fail the run with the coordinator's sentence.

    The flow returns this state rather than raising: the run is Failed with the message, calling
    the flow raises the OrchestrationFailed (which carries the result so far), and no traceback
    is logged for what is a coordinator's input problem, not a bug."""
    get_run_logger().error("Run failed: %s: %s", error.code, error.message)
    if not result.validation.has_errors:
        result.validation = result.validation.merge(error.validation)
    result = result.finish(utcnow())
    publish_run_artifacts(result, failure=f"{error.code}: {error.message}")
    failure = OrchestrationFailed(
        error.message,
        code=error.code,
        location=error.location,
        validation=result.validation,
        result=result,
    )
    failure.__cause__ = error
    return Failed(message=f"{error.code}: {error.message}", data=failure)


def finish_run(result: OrchestrationResult) -> State[Any]:
    result = result.finish(utcnow())
    publish_run_artifacts(result)
    get_run_logger().info("%s", result.summary_line)
    return Completed(name=result.state_name, message=result.summary_line, data=result.to_dict())
