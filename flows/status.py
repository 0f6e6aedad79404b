"""The latest flow run of a hospital's imports, read from the Prefect API (the only record of an
import's status). Runs that a cron deployment scheduled ahead are not "latest" yet."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowFilter, FlowFilterName
from prefect.client.schemas.objects import FlowRun
from prefect.client.schemas.sorting import FlowRunSort

from schedcu.status import ImportStatus, is_waiting_scheduled, status_for_state

HOSPITAL_FLOWS = ["schedule-import", "nightly-refresh"]
PAGE_SIZE = 200
MAX_RUNS_SCANNED = 5_000


def _is_future_scheduled(run: FlowRun, now: dt.datetime) -> bool:
    state = run.state
    if state is None or state.type.value != "SCHEDULED":
        return False
    if is_waiting_scheduled(state.type.value, state.name):
        return False
    return run.expected_start_time is not None and run.expected_start_time > now


def latest_flow_run(hospital: str) -> FlowRun | None:
    """The newest import or refresh run whose `hospital` parameter is `hospital`."""
    now = dt.datetime.now(dt.UTC)
    with get_client(sync_client=True) as client:
        for offset in range(0, MAX_RUNS_SCANNED, PAGE_SIZE):
            runs = client.read_flow_runs(
                flow_filter=FlowFilter(name=FlowFilterName(any_=HOSPITAL_FLOWS)),
                sort=FlowRunSort.EXPECTED_START_TIME_DESC,
                limit=PAGE_SIZE,
                offset=offset,
            )
            for run in runs:
                if run.parameters.get("hospital") == hospital and not _is_future_scheduled(
                    run, now
                ):
                    return run
            if len(runs) < PAGE_SIZE:
                break
    return None


def hospital_status(hospital: str) -> dict[str, Any]:
    """The status of DOMAIN.md for `hospital`, with the run it comes from."""
    run = latest_flow_run(hospital)
    state = run.state if run else None
    status = status_for_state(state.type.value if state else None, state.name if state else None)
    return {
        "hospital": hospital,
        "status": status.value,
        "state_type": state.type.value if state else None,
        "state_name": state.name if state else None,
        "message": state.message if state else None,
        "flow_run_id": str(run.id) if run else None,
        "flow_run_name": run.name if run else None,
        "started_at": run.start_time.isoformat() if run and run.start_time else None,
        "finished_at": run.end_time.isoformat() if run and run.end_time else None,
    }


__all__ = ["ImportStatus", "hospital_status", "latest_flow_run"]
