"""Flow fixtures: the session's Prefect server, one Chromium and one Amion simulator per session,
and per test a database (SQLite, then PostgreSQL), a new hospital pointing at the simulator, the
example template and roster."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    LogFilter,
    LogFilterFlowRunId,
    TaskRunFilter,
    TaskRunFilterFlowRunId,
)
from prefect.client.schemas.objects import Artifact, Log, TaskRun
from sqlalchemy.engine import Engine

from schedcu.amion.simulator import AmionSimulator
from schedcu.config import get_settings
from schedcu.examples.amion_month import example_roster, schedule_for
from schedcu.examples.template_ods import write_example_template
from schedcu.hospitals import add_hospital

T = TypeVar("T")
CODE = "Zq9-fl0w-s3cret-77"
MONTHS = [(2026, 3), (2026, 4)]


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
