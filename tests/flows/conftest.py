"""Flow fixtures: the session's Prefect server, one Chromium and one Amion simulator per session,
and per test a database (SQLite, then PostgreSQL), a new hospital pointing at the simulator, the
example template and roster. `deployments`: one process work pool and one worker per session,
for the tests that start runs as the UI and the REST API do."""

from __future__ import annotations

import contextlib
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import pytest
from prefect import Flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    LogFilter,
    LogFilterFlowRunId,
    TaskRunFilter,
    TaskRunFilterFlowRunId,
)
from prefect.client.schemas.objects import Artifact, FlowRun, Log, TaskRun
from prefect.exceptions import ObjectAlreadyExists
from sqlalchemy.engine import Engine

from schedcu.amion.simulator import AmionSimulator
from schedcu.config import get_settings
from schedcu.db import create_db_engine
from schedcu.examples.amion_month import example_roster, schedule_for
from schedcu.examples.template_ods import write_example_template
from schedcu.hospitals import add_hospital
from tests.utils.prefect_server import deploy_from_checkout, prefect_environment, process_worker

T = TypeVar("T")
CODE = "Zq9-fl0w-s3cret-77"
MONTHS = [(2026, 3), (2026, 4)]
POOL = "schedcu-tests"
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
RUNS_TIMEOUT_S = 900  # a batch of runs on a loaded 2-core machine
RUNS_AT_ONCE = 4


@pytest.fixture(scope="session")
def amion_server() -> Iterator[AmionSimulator]:
    with AmionSimulator(
        roster=example_roster(), schedule=schedule_for(MONTHS), code=CODE
    ) as simulator:
        yield simulator


@dataclass
class Setup:
    hospital: str
    engine: Engine
    amion: AmionSimulator
    ods_path: Path
    roster_path: Path

    def run(self, flow: Callable[..., T], **parameters: Any) -> T:
        """Run `flow` (its scrapes connect to the session's Chromium); returns what it does."""
        return flow(**parameters)


@pytest.fixture
def setup(
    db_engine: Engine,
    db_url: str,
    amion_server: AmionSimulator,
    chromium: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Iterator[Setup]:
    """A hospital on the simulator, the code in SCHEDCU_AMION_CODE, fast Amion settings."""
    monkeypatch.setenv("SCHEDCU_DATABASE_URL", db_url)
    monkeypatch.setenv("SCHEDCU_AMION_CODE", CODE)
    monkeypatch.setenv("SCHEDCU_AMION_REQUESTS_PER_SECOND", "0")
    monkeypatch.setenv("SCHEDCU_AMION_TIMEOUT_S", "10")
    monkeypatch.setenv("SCHEDCU_CHROMIUM_CDP_URL", chromium)
    get_settings.cache_clear()
    hospital = f"flow-{uuid.uuid4().hex[:8]}"
    add_hospital(db_engine, code=hospital, amion_base_url=amion_server.url)
    amion_server.reset()
    yield Setup(
        hospital=hospital,
        engine=db_engine,
        amion=amion_server,
        ods_path=write_example_template(tmp_path / "template.ods"),
        roster_path=replace(example_roster(), hospital=hospital).dump(tmp_path / "roster.yaml"),
    )
    amion_server.reset()


def task_runs(flow_run_id: object) -> list[TaskRun]:
    with get_client(sync_client=True) as client:
        return client.read_task_runs(
            task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=[flow_run_id]))
        )


def artifacts(flow_run_id: object) -> list[Artifact]:
    with get_client(sync_client=True) as client:
        return client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )


def logs(flow_run_id: object) -> list[Log]:
    from prefect.logging.handlers import APILogWorker

    # Off the main thread: Playwright's sync API marks this one as running an event loop, and
    # drain_all would then hand back a coroutine instead of waiting.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(APILogWorker.drain_all, timeout=10).result()
    with get_client(sync_client=True) as client:
        return client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id]))
        )


@dataclass
class Deployments:
    """A process work pool with one worker, whose flow runs use `engine`'s SQLite database and
    `home` as SCHEDCU_HOME (so `home / "templates"` is the only template source)."""

    engine: Engine
    home: Path
    worker_log: Path

    @property
    def templates(self) -> Path:
        return self.home / "templates"

    def deploy(self, flow: Flow[..., Any], entrypoint: str, name: str) -> uuid.UUID:
        return deploy_from_checkout(flow, entrypoint=entrypoint, name=name, pool=POOL)

    def run_all(
        self, deployment_id: uuid.UUID, parameter_sets: Iterable[dict[str, Any]]
    ) -> list[FlowRun]:
        """Start a run for each set at once, then wait until all are final; the runs as the server
        has them."""
        with get_client(sync_client=True) as client:
            ids = [
                client.create_flow_run_from_deployment(deployment_id, parameters=parameters).id
                for parameters in parameter_sets
            ]
            deadline = time.monotonic() + RUNS_TIMEOUT_S
            while True:
                runs = [client.read_flow_run(run_id) for run_id in ids]
                if all(run.state and run.state.type.value in FINAL for run in runs):
                    return runs
                if time.monotonic() > deadline:
                    log = self.worker_log.read_text(errors="replace")[-4000:]
                    raise AssertionError(f"runs still going after {RUNS_TIMEOUT_S} s\n{log}")
                time.sleep(1)


@pytest.fixture(scope="session")
def deployments(
    prefect_api: str, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployments]:
    folder = tmp_path_factory.mktemp("deployments")
    database = folder / "schedcu.db"
    shutil.copyfile(sqlite_template, database)
    home = folder / "schedcu-home"
    (home / "templates").mkdir(parents=True)
    with get_client(sync_client=True) as client, contextlib.suppress(ObjectAlreadyExists):
        client.create_work_pool(WorkPoolCreate(name=POOL, type="process"))
    inherited = prefect_environment(folder / "prefect-home", prefect_api).items()
    env = {name: value for name, value in inherited if not name.startswith("SCHEDCU_")} | {
        "SCHEDCU_DATABASE_URL": f"sqlite:///{database}",
        "SCHEDCU_HOME": str(home),
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_WORKER_PREFETCH_SECONDS": "1",
    }
    engine = create_db_engine(f"sqlite:///{database}")
    # A few runs at a time: a batch of bad requests all at once would have the worker's flow-run
    # processes and the session's Prefect server fight over 2 cores (the server then answers 503).
    with process_worker(POOL, env, folder, limit=RUNS_AT_ONCE) as worker_log:
        yield Deployments(engine, home, worker_log)
    engine.dispose()
