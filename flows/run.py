"""The pieces every flow is made of: the request's edge, a phase run as its task, the two phases
that may fail, and how a run ends. Shared by the import, the nightly refresh and the coverage
recalculation.

A phase is its task (tasks/*); `run_phase` runs it with `return_state=True` and notes its outcome
on the OrchestrationResult. Phases 2 and 3 may fail without failing the run: phase 3 waits for
phase 2 through Prefect's `allow_failure`, so it runs whatever phase 2's state (and the UI draws
the dependency). A run ends in `fail_run` (a `Failed` state holding OrchestrationFailed, with
the coded sentence as its message) or `finish_run` (`Completed` / `CompletedWithWarnings`
carrying the result).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any
from uuid import UUID

from prefect import Task, allow_failure, get_run_logger
from prefect.client.orchestration import get_client
from prefect.runtime import deployment, flow_run
from prefect.states import Completed, Failed, State

from flows.alerts import emit_gap_opened, emit_import_failed
from flows.artifacts import publish_run_artifacts
from flows.status import hospital_tag
from schedcu.config import Settings
from schedcu.errors import OrchestrationFailed, SchedcuError, SpreadsheetError
from schedcu.models import utcnow
from schedcu.orchestration import PHASE_TITLES, OrchestrationResult, Outcome, Phase, period_label
from schedcu.storage.location import Location
from tasks.amion_scrape import amion_scrape
from tasks.coverage import coverage

NAME_CHARS = 64


def new_result(hospital: object, **known: Any) -> OrchestrationResult:
    """The run's result before anything ran (the hospital as given, cut to a code's length)."""
    return OrchestrationResult(
        hospital=str(hospital)[:NAME_CHARS],
        period_start=None,
        period_end=None,
        started_at=utcnow(),
        flow_run_id=flow_run.get_id(),
        **known,
    )


def template_sources(settings: Settings) -> list[str] | None:
    """The folders and URL prefixes a run may read files from: the template sources for a run
    started from a
    deployment (the UI, the REST API, a schedule), None (anything its caller can read) for a
    direct call. Decided by the run's own record, not by a parameter a caller could set."""
    return settings.resolved_template_sources if deployment.get_id() else None


def tag_run(code: str) -> str:
    """Tag the flow run `hospital:<code>` (the UI's filter and `schedcu status`'s) and return the
    tag, for its task runs (`with tags(...)`). As soon as the code is known to be a hospital's,
    so that a refused request of a known hospital is still its latest run."""
    tag = hospital_tag(code)
    run_id = flow_run.get_id()
    if run_id is not None:
        with get_client(sync_client=True) as client:
            client.update_flow_run(UUID(run_id), tags=sorted({*flow_run.get_tags(), tag}))
    return tag


def run_phase(result: OrchestrationResult, phase: Phase, task: Task[..., Any], **kw: Any) -> State:
    """Run `phase`'s task and note its outcome; its final state, whatever it is."""
    began = time.monotonic()
    state = task(**kw, return_state=True)
    if state.is_completed():
        result.succeeded(phase, state.result(), time.monotonic() - began)
        return state
    error = failure_of(state, phase)
    result.record(phase, Outcome.FAILED, time.monotonic() - began, error=error)
    logger = get_run_logger()
    raised = state.result(raise_on_failure=False)
    if isinstance(raised, Exception) and not isinstance(raised, SchedcuError):
        # A bug, not the input: Prefect logs no traceback for an error the retry condition
        # declines, and the coded sentence only says "see the run's logs".
        logger.error("The %s stopped on an unexpected error:", PHASE_TITLES[phase], exc_info=raised)
    logger.warning("%s failed: %s: %s", PHASE_TITLES[phase].capitalize(), error.code, error.message)
    return state


def tolerated_phases(
    result: OrchestrationResult, *, roster_path: Path | Location | None, user_id: str | None = None
) -> None:
    """Phases 2 and 3 for the result's version: each may fail, phase 3 runs in any case."""
    assert result.schedule_version_id is not None and result.period_start and result.period_end
    where = {
        "hospital": result.hospital,
        "version_id": result.schedule_version_id,
        "period": period_label(result.period_start, result.period_end),
    }
    scraped = run_phase(
        result, Phase.AMION_SCRAPE, amion_scrape, **where, roster_path=roster_path, user_id=user_id
    )
    run_phase(result, Phase.COVERAGE, coverage, **where, wait_for=[allow_failure(scraped)])


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


def naming_file(error: SchedcuError, path: Path | Location) -> SchedcuError:
    """A spreadsheet's error with its sentence naming the file (the reader's sentences say "the
    file", and a coordinator may have sent several)."""
    if not isinstance(error, SpreadsheetError) or path.name in error.message:
        return error
    return type(error)(
        f"The template {path.name}: {error.message}",
        code=error.code,
        location=error.location,
        validation=error.validation,
    )


class _CodedFailureLogged(logging.Filter):
    """Drops the record of a run's coded failure raised again by Prefect's engine.

    A deployment run's engine raises the Failed state's exception once the run has ended and logs
    it with its traceback ("Engine execution exited with unexpected exception"). For a coded
    failure `fail_run` has logged the sentence and the state carries it; the traceback would only
    bury it. Any other exception (a bug in a flow) keeps its record and traceback, and a bug in a
    phase has its own (`run_phase`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], OrchestrationFailed))


_CODED_FAILURE_LOGGED = _CodedFailureLogged()


def fail_run(
    result: OrchestrationResult,
    error: SchedcuError,
    *,
    publish: bool = True,
    known: bool | None = None,
    ods_path: Path | Location | None = None,
) -> State:
    """Fail the run with the coordinator's sentence; `publish` the artifacts (not for a refused
    request: its hospital code is not known to be one, and must not name an artifact). `known`
    says that `result.hospital` is a known hospital's code (default: `publish`, as only such a
    code names artifacts): then the run emits `schedcu.import.failed` for it, which the
    hospital's alerts (`schedcu alerts setup`) send on.

    The flow returns this state rather than raising: the run is Failed with the message, calling
    the flow raises the OrchestrationFailed (which carries the result so far), and no traceback
    is logged for what is a coordinator's input problem, not a bug."""
    get_run_logger().error("Run failed: %s: %s", error.code, error.message)
    logging.getLogger("prefect.flow_runs").addFilter(_CODED_FAILURE_LOGGED)  # once per process
    if not result.validation.has_errors:
        result.validation = result.validation.merge(error.validation)
    result = result.finish(utcnow())
    if publish:
        publish_run_artifacts(result, failure=f"{error.code}: {error.message}", ods_path=ods_path)
    if publish if known is None else known:
        emit_import_failed(result.hospital, error)
    failure = OrchestrationFailed(
        error.message,
        code=error.code,
        location=error.location,
        validation=result.validation,
        result=result,
    )
    failure.__cause__ = error
    return Failed(message=f"{error.code}: {error.message}", data=failure)


def finish_run(result: OrchestrationResult, *, ods_path: Path | Location | None = None) -> State:
    """Complete the run (with warnings if a phase failed); `ods_path` is the template it
    imported, named in the summary. Gap time that the run opened or grew within the alert horizon
    is told to the hospital's alerts (`schedcu.coverage.gap-opened`)."""
    result = result.finish(utcnow())
    publish_run_artifacts(result, ods_path=ods_path)
    if result.changes is not None:
        emit_gap_opened(result.hospital, result.changes.opened_or_grown, result.changes.timezone)
    get_run_logger().info("%s", result.summary_line)
    return Completed(name=result.state_name, message=result.summary_line, data=result.to_dict())
