"""An import's status from its Prefect flow run's state (DOMAIN.md, "Orchestration status").

Pure: it takes the state's type and name as strings, so it needs no Prefect import and can be
tested for every state Prefect has. The Prefect flow-run state is the only record of the status.
"""

from __future__ import annotations

from enum import StrEnum


class ImportStatus(StrEnum):
    IDLE = "IDLE"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


# A SCHEDULED run with one of these names is already under way: it waits for the hospital's
# concurrency slot, for its next retry, or for a worker to pick it up past its start time.
WAITING_SCHEDULED_NAMES = frozenset({"AwaitingConcurrencySlot", "AwaitingRetry", "Late"})

_BY_TYPE = {
    "SCHEDULED": ImportStatus.IDLE,
    "PENDING": ImportStatus.IDLE,
    "RUNNING": ImportStatus.IN_PROGRESS,
    "PAUSED": ImportStatus.IN_PROGRESS,
    "CANCELLING": ImportStatus.IN_PROGRESS,
    "COMPLETED": ImportStatus.COMPLETED,
    "FAILED": ImportStatus.FAILED,
    "CRASHED": ImportStatus.FAILED,
    "CANCELLED": ImportStatus.FAILED,
}


def status_for_state(state_type: str | None, state_name: str | None = None) -> ImportStatus:
    """The status for a flow run in state `state_type` (e.g. "RUNNING") named `state_name`
    (e.g. "AwaitingRetry"); no run at all (`None`) is IDLE."""
    if state_type is None:
        return ImportStatus.IDLE
    kind = state_type.upper()
    if kind == "SCHEDULED" and state_name in WAITING_SCHEDULED_NAMES:
        return ImportStatus.IN_PROGRESS
    try:
        return _BY_TYPE[kind]
    except KeyError:
        raise ValueError(f"unknown Prefect state type {state_type!r}") from None


def is_waiting_scheduled(state_type: str | None, state_name: str | None) -> bool:
    """A SCHEDULED run that counts as started (see `WAITING_SCHEDULED_NAMES`)."""
    return (state_type or "").upper() == "SCHEDULED" and state_name in WAITING_SCHEDULED_NAMES


def no_run_report(hospital: str) -> dict[str, str | None]:
    """`schedcu status --json` for a hospital without any flow run: IDLE."""
    return {
        "hospital": hospital,
        "status": ImportStatus.IDLE.value,
        "state_type": None,
        "state_name": None,
        "message": None,
        "flow_run_id": None,
        "flow_run_name": None,
        "started_at": None,
        "finished_at": None,
    }
