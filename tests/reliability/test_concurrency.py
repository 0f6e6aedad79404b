"""Imports submitted at the same time, each as its own `schedcu import --json` process against the
session's Prefect server. The hospitals have no Amion address, so phase 2 ends at
once with a warning (runs complete as CompletedWithWarnings): what is tested is the hospital lock
and the versions, and a run's time is phases 1 and 3 (tests/reliability/test_amion_faults.py and
test_kill.py drive Amion).

- 8 imports of one hospital (4 distinct files, each submitted twice) run one at a time (the
  hospital's strict concurrency limit): their phase windows never overlap, every run completes,
  and there is exactly one version per distinct file. On SQLite (the default, one file shared by
  the processes) and on PostgreSQL.
- 4 hospitals at once run in parallel: while the test holds a lock that stops phase 1 at its
  first write, all 4 runs are seen inside phase 1 at the same moment (their `ods-import` task runs
  RUNNING together in the Prefect API), which no lock shared between hospitals allows; released,
  all complete and their recorded phase windows overlap pairwise. Shown by the runs' states, not
  by a wall-clock ratio (bench/load.py measures throughput). On PostgreSQL, the database for a
  department that runs several hospitals; SQLite's single writer is not the subject.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterName,
    TaskRunFilter,
    TaskRunFilterFlowRunId,
    TaskRunFilterName,
    TaskRunFilterState,
    TaskRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from sqlalchemy.engine import Engine

from schedcu.examples.template_ods import write_example_template
from schedcu.hospitals import add_hospital
from tests.reliability.conftest import counts
from tests.utils.prefect_server import prefect_environment

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_api")]

SCHEDCU = str(Path(sys.executable).parent / "schedcu")
SAME_HOSPITAL_RUNS = 8
DISTINCT_FILES = 4
HOSPITALS = 4
START_ARGS = ("--start", "2026-03-01", "--json")
# How long the 4 processes may take to start and reach phase 1 on a loaded machine: a time-out
# for a wait, not a bound on speed.
ALL_INSIDE_TIMEOUT_S = 300


@dataclass(frozen=True)
class Run:
    report: dict
    window: tuple[dt.datetime, dt.datetime]  # first task start, last task end


@pytest.fixture
def env(prefect_api: str, db_url: str, tmp_path: Path) -> dict[str, str]:
    return prefect_environment(tmp_path / "prefect-home", prefect_api) | {
        "SCHEDCU_DATABASE_URL": db_url,
        "SCHEDCU_HOME": str(tmp_path / "home"),
    }


def distinct_templates(folder: Path, count: int) -> list[Path]:
    """`count` byte-different copies of one template (a different zip comment each)."""
    base = write_example_template(folder / "base.ods")
    paths = []
    for number in range(count):
        path = folder / f"template-{number}.ods"
        shutil.copyfile(base, path)
        with zipfile.ZipFile(path, "a") as archive:
            archive.comment = f"variant {number}".encode()
        paths.append(path)
    assert len({hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}) == count
    return paths


def start_imports(env: dict[str, str], imports: list[tuple[str, Path]]) -> list[subprocess.Popen]:
    """One `schedcu import --json` process per (hospital, file), all started at once."""
    return [
        subprocess.Popen(
            [SCHEDCU, "import", "--hospital", hospital, "--ods", str(ods), *START_ARGS],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for hospital, ods in imports
    ]


def finished_runs(processes: list[subprocess.Popen]) -> list[Run]:
    """Wait for the processes; each must exit 0 with its JSON report."""
    reports = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()[-3000:]
        reports.append(json.loads(out))
    return [Run(report, _window(report["flow_run_id"])) for report in reports]


def submit_at_once(env: dict[str, str], imports: list[tuple[str, Path]]) -> list[Run]:
    return finished_runs(start_imports(env, imports))


def _window(flow_run_id: str) -> tuple[dt.datetime, dt.datetime]:
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=[flow_run_id]))
        )
    assert len(runs) == 3, [r.name for r in runs]  # ODS import, coverage and its reports
    return min(r.start_time for r in runs), max(r.end_time for r in runs)  # type: ignore[type-var]


def _overlap(a: Run, b: Run) -> bool:
    return a.window[0] < b.window[1] and b.window[0] < a.window[1]


def _flow_run_states(hospital: str) -> list[str]:
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                name=FlowRunFilterName(like_=f"import {hospital} ")  # type: ignore[call-arg]
            )
        )
    return [run.state_type.value for run in runs if run.state_type is not None]


def test_imports_of_one_hospital_run_one_at_a_time(
    env: dict[str, str], db_engine: Engine, tmp_path: Path
) -> None:
    hospital = f"conc-{uuid.uuid4().hex[:8]}"
    add_hospital(db_engine, code=hospital)
    files = distinct_templates(tmp_path, DISTINCT_FILES)
    submitted = [files[number % DISTINCT_FILES] for number in range(SAME_HOSPITAL_RUNS)]
    serial = submit_at_once(env, [(hospital, path) for path in submitted])

    assert all(run.report["status"] == "COMPLETED" for run in serial)
    overlapping = [(a, b) for i, a in enumerate(serial) for b in serial[i + 1 :] if _overlap(a, b)]
    assert not overlapping, "two imports of one hospital ran at the same time"
    version_of: dict[str, set[int]] = {}
    for path, run in zip(submitted, serial, strict=True):
        version_of.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), set()).add(
            run.report["schedule_version_id"]
        )
    assert all(len(ids) == 1 for ids in version_of.values()), version_of
    stored = counts(db_engine, hospital)
    assert stored["versions"] == DISTINCT_FILES
    assert stored["calculations"] == DISTINCT_FILES  # one per version, recalculated in place
    codes = [m["code"] for run in serial for m in run.report["validation"]]
    assert codes.count("ALREADY_IMPORTED") == SAME_HOSPITAL_RUNS - DISTINCT_FILES
    assert _flow_run_states(hospital) == ["COMPLETED"] * SAME_HOSPITAL_RUNS  # no lost run


def _importing_now(prefix: str) -> set[str]:
    """Hospitals (codes starting with `prefix`) whose `ods-import` task run is RUNNING now."""
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            task_run_filter=TaskRunFilter(
                name=TaskRunFilterName(like_=f"ods-import {prefix}"),
                state=TaskRunFilterState(type=TaskRunFilterStateType(any_=[StateType.RUNNING])),
            )
        )
    return {run.name.split()[1] for run in runs}


@contextmanager
def phase_1_held(engine: Engine) -> Iterator[None]:
    """Phase 1 stops at its first write (the version row) until the block ends: a SHARE lock on
    schedule_version lets every read through and holds every INSERT."""
    with engine.connect() as connection, connection.begin():
        connection.execute(sa.text("LOCK TABLE schedule_version IN SHARE MODE"))
        yield


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_imports_of_different_hospitals_run_in_parallel(
    env: dict[str, str], db_engine: Engine, tmp_path: Path
) -> None:
    files = distinct_templates(tmp_path, 1)
    prefix = f"par-{uuid.uuid4().hex[:8]}-"
    hospitals = [f"{prefix}{number}" for number in range(HOSPITALS)]
    for code in hospitals:
        add_hospital(db_engine, code=code)
    processes: list[subprocess.Popen] = []
    try:
        with phase_1_held(db_engine):
            processes = start_imports(env, [(code, files[0]) for code in hospitals])
            deadline = time.monotonic() + ALL_INSIDE_TIMEOUT_S
            inside: set[str] = set()
            while inside != set(hospitals):
                assert all(p.poll() is None for p in processes), "an import ended in phase 1"
                assert time.monotonic() < deadline, f"never all inside phase 1 at once: {inside}"
                time.sleep(0.5)
                inside = _importing_now(prefix)
        # All 4 held their hospital's slot at once: no lock is shared between hospitals.
        parallel = finished_runs(processes)
    finally:
        for process in processes:  # a failed wait leaves none behind
            if process.poll() is None:
                process.kill()
                process.wait()

    assert all(run.report["status"] == "COMPLETED" for run in parallel)
    assert all(counts(db_engine, code)["versions"] == 1 for code in hospitals)
    pairs = [(a, b) for i, a in enumerate(parallel) for b in parallel[i + 1 :]]
    assert all(_overlap(a, b) for a, b in pairs), [run.window for run in parallel]
