"""SIGKILL of the process running the import flow, inside each phase's transaction and right after
its commit, then the next run.

The flow runs as Prefect runs it in production: a deployment on a process work pool, a worker
that starts one process per flow run (tests/reliability/killable_flow.py, the real flow plus a
kill switch chosen per run by a job variable). The worker sees the killed process and marks the
run CRASHED. The chain runs on SQLite (the default: a killed writer's transaction is rolled back
from the write-ahead log when the next process opens the file) and on PostgreSQL.

One chain of runs on one hospital covers the six kill points (each run is also the "run again"
of the one before) and a last clean run: after every run the database holds each phase's complete
result or none of it, never a part, and never a second copy.

A SIGKILLed run cannot release the hospital's concurrency slot: it stays taken until its lease
runs out (flows/hospital_lock.py LEASE_SECONDS) and the server's repossessor takes it back. The
chain checks the slot is still held after each kill and frees it as an operator would (deleting
the limit; the next run creates it again), so it need not wait a lease out six times. That the
slot frees itself is shown once, on another hospital whose slot holder is killed when the module
starts and whose lease runs out while the chain runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
from sqlalchemy.engine import Engine

from flows.hospital_lock import LEASE_SECONDS, hospital_slot, limit_name
from schedcu.amion.simulator import AmionSimulator
from schedcu.db import create_db_engine
from schedcu.examples.amion_month import example_roster, schedule_for
from schedcu.examples.template_ods import write_example_template
from schedcu.hospitals import add_hospital
from tests.reliability.conftest import CODE, MONTHS, counts, new_phases
from tests.reliability.killable_flow import KILL_ENV
from tests.utils.databases import empty_database_url
from tests.utils.prefect_server import deploy_from_checkout, prefect_environment, process_worker

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_api")]

REPO = Path(__file__).resolve().parents[2]
POOL = "schedcu-reliability"
DEPLOYMENT = "reliability-kill"
RUN_TIMEOUT_S = 120
REPOSSESSOR_GRACE_S = 30  # the server looks for expired leases every 15 s
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


@dataclass
class Harness:
    deployment_id: uuid.UUID
    api_url: str
    engine: Engine
    amion_url: str
    worker_log: Path

    def run(self, parameters: dict[str, object], kill: str | None = None) -> dict:
        """Start a run of the deployment, wait until it is final; its state as the server has it."""
        env = {KILL_ENV: kill} if kill else {}
        with get_client(sync_client=True) as client:
            run = client.create_flow_run_from_deployment(
                self.deployment_id, parameters=parameters, job_variables={"env": env}
            )
            deadline = time.monotonic() + RUN_TIMEOUT_S
            while time.monotonic() < deadline:
                state = client.read_flow_run(run.id).state
                if state is not None and state.type.value in FINAL:
                    return {"type": state.type.value, "name": state.name, "id": run.id}
                time.sleep(0.5)
        log = self.worker_log.read_text(errors="replace")[-4000:]
        raise AssertionError(f"flow run {run.id} did not end in {RUN_TIMEOUT_S} s\n{log}")


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The database the worker's flow runs write to: a SQLite file, then PostgreSQL."""
    with empty_database_url(request.param, request, tmp_path_factory.mktemp("kill-db")) as url:
        yield url


@pytest.fixture(scope="module")
def harness(
    prefect_api: str, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Harness]:
    """A process work pool, the killable deployment, one worker, an Amion simulator."""
    from tests.reliability.killable_flow import schedule_import

    folder = tmp_path_factory.mktemp("kill")
    with get_client(sync_client=True) as client, contextlib.suppress(ObjectAlreadyExists):
        client.create_work_pool(WorkPoolCreate(name=POOL, type="process"))
    deployment_id = deploy_from_checkout(
        schedule_import,
        entrypoint="tests/reliability/killable_flow.py:schedule_import",
        name=DEPLOYMENT,
        pool=POOL,
    )
    env = prefect_environment(folder / "prefect-home", prefect_api) | {
        "SCHEDCU_DATABASE_URL": database_url,
        "SCHEDCU_HOME": str(folder / "schedcu-home"),
        # The templates are written to each test's tmp_path: allow them as a template source.
        "SCHEDCU_TEMPLATE_SOURCES": json.dumps([str(tmp_path_factory.getbasetemp())]),
        "SCHEDCU_AMION_CODE": CODE,
        "SCHEDCU_AMION_REQUESTS_PER_SECOND": "0",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_WORKER_PREFETCH_SECONDS": "1",
    }
    env = {key: value for key, value in env.items() if key != KILL_ENV}
    engine = create_db_engine(database_url)
    with (
        AmionSimulator(roster=example_roster(), schedule=schedule_for(MONTHS), code=CODE) as amion,
        process_worker(POOL, env, folder) as worker_log,
    ):
        try:
            yield Harness(deployment_id, prefect_api, engine, amion.url, worker_log)
        finally:
            engine.dispose()


def _slot_held_then_freed(hospital: str) -> None:
    """The dead run's slot is still taken; free it (the operator's step after a crash)."""
    name = limit_name(hospital)
    with get_client(sync_client=True) as client:
        limit = client.read_global_concurrency_limit_by_name(name)
        assert limit.active_slots == 1, "a killed run cannot have released its slot"
        client.delete_global_concurrency_limit_by_name(name)


@pytest.fixture(scope="module")
def abandoned_slot(harness: Harness, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, float]:
    """A hospital whose slot holder (a flow run in its own process) was SIGKILLed: the hospital
    and the monotonic time of the kill."""
    hospital = f"lease-{uuid.uuid4().hex[:8]}"
    folder = tmp_path_factory.mktemp("abandoned")
    holder = subprocess.Popen(
        [sys.executable, "-m", "tests.flows.lock_holder", hospital, "600", str(folder / "out")],
        cwd=REPO,
        env=prefect_environment(folder / "prefect-home", harness.api_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while _active_slots(hospital) != 1:
        assert holder.poll() is None and time.monotonic() < deadline, "the holder never held"
        time.sleep(0.2)
    os.killpg(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    return hospital, time.monotonic()


def _active_slots(hospital: str) -> int | None:
    with get_client(sync_client=True) as client:
        try:
            return client.read_global_concurrency_limit_by_name(limit_name(hospital)).active_slots
        except ObjectNotFound:
            return None


# (kill point, what the database holds afterwards, in terms of the reference run's figures)
CHAIN = [
    ("ods_import:in_transaction", "nothing"),
    ("ods_import:after_commit", "phase 1"),
    ("amion_scrape:in_transaction", "phase 1"),
    ("amion_scrape:after_commit", "phases 1-2"),
    ("coverage:in_transaction", "phases 1-2"),
    ("coverage:after_commit", "phases 1-3"),
    (None, "phases 1-3"),
]


@pytest.mark.usefixtures("abandoned_slot")  # first, so its lease runs out during the chain
def test_every_kill_point_leaves_whole_phases_and_the_next_run_completes_without_duplicates(
    harness: Harness, sqlite_template: Path, tmp_path: Path
) -> None:
    reference = _reference_counts(sqlite_template, tmp_path)
    hospital = f"kill-{uuid.uuid4().hex[:8]}"
    add_hospital(harness.engine, code=hospital, amion_base_url=harness.amion_url)
    parameters = {
        "hospital": hospital,
        "ods_path": str(write_example_template(tmp_path / "template.ods")),
        "start_date": "2026-03-01",
        "months": 1,
    }
    scrapes = 0
    for kill, holds in CHAIN:
        state = harness.run(parameters, kill)
        expected_type = "CRASHED" if kill else "COMPLETED"
        assert state["type"] == expected_type, (kill, state)
        if kill:
            _slot_held_then_freed(hospital)
        if "1-2" in holds or "1-3" in holds:
            scrapes += 1  # every run that gets past phase 2's commit adds one COMPLETE batch
        expected = _expected(reference, holds, scrapes)
        assert counts(harness.engine, hospital) == expected, (kill, holds)


def test_a_killed_runs_slot_frees_itself_when_its_lease_runs_out(
    abandoned_slot: tuple[str, float],
) -> None:
    hospital, killed_at = abandoned_slot
    deadline = killed_at + LEASE_SECONDS + REPOSSESSOR_GRACE_S
    while _active_slots(hospital) != 0:
        assert time.monotonic() < deadline, "the dead run's slot was never taken back"
        time.sleep(1)
    freed_after = time.monotonic() - killed_at
    with hospital_slot(hospital, timeout_seconds=10):  # the next import gets in at once
        pass
    print(f"\nslot of a SIGKILLed run freed {freed_after:.0f} s after the kill")


def _reference_counts(sqlite_template: Path, tmp_path: Path) -> dict[str, object]:
    """The three phases' complete results for the same inputs, without any fault (SQLite)."""
    path = tmp_path / "reference.db"
    path.write_bytes(sqlite_template.read_bytes())
    engine = create_db_engine(f"sqlite:///{path}")
    phases = new_phases(engine, tmp_path / "reference")
    version_id = phases.import_schedule().version_id
    phases.store_assignments(version_id)
    phases.recalculate(version_id)
    result = phases.counts()
    engine.dispose()
    return result


def _expected(reference: dict[str, object], holds: str, scrapes: int) -> dict[str, object]:
    nothing = {key: [] if key == "batches" else 0 for key in reference}
    if holds == "nothing":
        return nothing
    expected = nothing | {
        "versions": 1,
        "shift_instances": reference["shift_instances"],
    }
    if holds in {"phases 1-2", "phases 1-3"}:
        expected |= {
            "persons": reference["persons"],
            "assignments": reference["assignments"],
            "batches": ["COMPLETE"] * scrapes,
        }
    if holds == "phases 1-3":
        expected |= {"calculations": 1, "coverage_rows": reference["coverage_rows"]}
    return expected
