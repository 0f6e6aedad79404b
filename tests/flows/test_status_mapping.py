"""Each Prefect flow-run state maps to the import status of DOMAIN.md's table."""

from __future__ import annotations

import pytest
from prefect import states
from prefect.client.schemas.objects import StateType

from schedcu.status import ImportStatus, status_for_state

CASES = [
    (states.Scheduled(), ImportStatus.IDLE),
    (states.Pending(), ImportStatus.IDLE),
    (states.Late(), ImportStatus.IN_PROGRESS),
    (states.AwaitingRetry(), ImportStatus.IN_PROGRESS),
    (states.AwaitingConcurrencySlot(), ImportStatus.IN_PROGRESS),
    (states.Running(), ImportStatus.IN_PROGRESS),
    (states.Retrying(), ImportStatus.IN_PROGRESS),
    (states.Paused(), ImportStatus.IN_PROGRESS),
    (states.Suspended(), ImportStatus.IN_PROGRESS),
    (states.Cancelling(), ImportStatus.IN_PROGRESS),
    (states.Completed(), ImportStatus.COMPLETED),
    (states.Completed(name="CompletedWithWarnings"), ImportStatus.COMPLETED),
    (states.Failed(), ImportStatus.FAILED),
    (states.Crashed(), ImportStatus.FAILED),
    (states.Cancelled(), ImportStatus.FAILED),
]


@pytest.mark.parametrize(("state", "expected"), CASES, ids=lambda v: getattr(v, "name", v))
def test_prefect_state_maps_to_import_status(state: states.State, expected: ImportStatus) -> None:
    assert status_for_state(state.type.value, state.name) is expected


def test_no_flow_run_is_idle() -> None:
    assert status_for_state(None, None) is ImportStatus.IDLE


def test_every_prefect_state_type_has_a_status() -> None:
    for state_type in StateType:
        assert isinstance(status_for_state(state_type.value, None), ImportStatus)


def test_an_unknown_state_type_is_an_error_not_a_guess() -> None:
    with pytest.raises(ValueError, match="unknown Prefect state type"):
        status_for_state("EXPLODED", None)
