"""One import per hospital at a time, across processes; different hospitals in parallel."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitUpdate

from flows.hospital_lock import ensure_hospital_limit, limit_name
from tests.utils.prefect_server import prefect_environment

pytestmark = pytest.mark.usefixtures("prefect_api")

HOLD_S = 3.0
REPO = Path(__file__).resolve().parents[2]


def _holders(hospitals: list[str], prefect_api: str, tmp_path: Path) -> list[tuple[float, float]]:
    """Start one process per hospital at once; each holds its hospital's slot for HOLD_S."""
    env = prefect_environment(tmp_path / "prefect-home", prefect_api)
    outs = [tmp_path / f"holder-{i}.txt" for i in range(len(hospitals))]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.flows.lock_holder", hospital, str(HOLD_S), str(out)],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for hospital, out in zip(hospitals, outs, strict=True)
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()[-3000:]
    return [tuple(map(float, out.read_text().split())) for out in outs]  # type: ignore[misc]


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def test_two_runs_of_the_same_hospital_in_two_processes_never_overlap(
    prefect_api: str, tmp_path: Path
) -> None:
    hospital = f"lock-{uuid.uuid4().hex[:8]}"
    first, second = _holders([hospital, hospital], prefect_api, tmp_path)
    assert not _overlap(first, second), (first, second)


def test_runs_of_different_hospitals_overlap(prefect_api: str, tmp_path: Path) -> None:
    first, second = _holders(
        [f"lock-{uuid.uuid4().hex[:8]}", f"lock-{uuid.uuid4().hex[:8]}"], prefect_api, tmp_path
    )
    assert _overlap(first, second), (first, second)


def test_the_limit_is_created_on_demand_with_one_active_slot() -> None:
    hospital = f"Lock_{uuid.uuid4().hex[:8]}"
    name = ensure_hospital_limit(hospital)
    assert (
        name == limit_name(hospital) == f"schedcu-hospital-{hospital.casefold().replace('_', '-')}"
    )
    with get_client(sync_client=True) as client:
        limit = client.read_global_concurrency_limit_by_name(name)
        assert (limit.limit, limit.active) == (1, True)


def test_a_switched_off_limit_is_switched_back_on() -> None:
    name = ensure_hospital_limit(f"lock-{uuid.uuid4().hex[:8]}")
    with get_client(sync_client=True) as client:
        client.update_global_concurrency_limit(
            name, GlobalConcurrencyLimitUpdate(active=False, limit=5)
        )
        ensure_hospital_limit(name.removeprefix("schedcu-hospital-"))
        limit = client.read_global_concurrency_limit_by_name(name)
    assert (limit.limit, limit.active) == (1, True)
