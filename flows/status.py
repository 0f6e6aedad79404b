"""The latest flow run of a hospital's imports, read from the Prefect API (the only record of an
import's status). Runs that a cron deployment scheduled ahead are not "latest" yet."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
    FlowRunFilterTags,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.sorting import FlowRunSort

from schedcu.status import ImportStatus, is_waiting_scheduled, no_run_report, status_for_state

HOSPITAL_FLOWS = ["schedule-import", "nightly-refresh"]
PAGE_SIZE = 200
NOT_STARTED = [StateType.SCHEDULED, StateType.PENDING]


def hospital_tag(code: str) -> str:
    """The tag of a known hospital's flow and task runs (a code has no ':' or spaces)."""
    return f"hospital:{code}"


def _is_future_scheduled(run: FlowRun, now: dt.datetime) -> bool:
    state = run.state
    if state is None or state.type.value != "SCHEDULED":
        return False
    if is_waiting_scheduled(state.type.value, state.name):
        return False
    return run.expected_start_time is not None and run.expected_start_time > now


def _newest(runs: list[FlowRun], now: dt.datetime) -> FlowRun | None:
    return next((run for run in runs if not _is_future_scheduled(run, now)), None)


def latest_flow_run(hospital: str) -> FlowRun | None:
    """The newest import or refresh run of `hospital`: those that started carry its tag (the
    server filters them); those not started yet (scheduled, late, pending) have no tag, and are
    recognised by their `hospital` parameter among the few that wait."""
    now = dt.datetime.now(dt.UTC)
    flows = FlowFilter(name=FlowFilterName(any_=HOSPITAL_FLOWS))
    newest_first = FlowRunSort.EXPECTED_START_TIME_DESC
    with get_client(sync_client=True) as client:
        tagged = client.read_flow_runs(
            flow_filter=flows,
            flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[hospital_tag(hospital)])),
            sort=newest_first,
            limit=PAGE_SIZE,
        )
        waiting = client.read_flow_runs(
            flow_filter=flows,
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=NOT_STARTED))
            ),
            sort=newest_first,
            limit=PAGE_SIZE,
        )
    candidates = [
        run
        for run in (
            _newest(tagged, now),
            _newest([r for r in waiting if r.parameters.get("hospital") == hospital], now),
        )
        if run is not None
    ]
    return max(candidates, key=lambda run: run.expected_start_time or now, default=None)


def hospital_status(hospital: str) -> dict[str, Any]:
    """The status of DOMAIN.md for `hospital`, with the run it comes from."""
    run = latest_flow_run(hospital)
    if run is None or run.state is None:
        return no_run_report(hospital)
    state = run.state
    return {
        "hospital": hospital,
        "status": status_for_state(state.type.value, state.name).value,
        "state_type": state.type.value,
        "state_name": state.name,
        "message": state.message,
        "flow_run_id": str(run.id),
        "flow_run_name": run.name,
        "started_at": run.start_time.isoformat() if run.start_time else None,
        "finished_at": run.end_time.isoformat() if run.end_time else None,
    }


__all__ = ["ImportStatus", "hospital_status", "latest_flow_run"]
