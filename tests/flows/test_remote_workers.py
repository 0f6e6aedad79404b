"""Workers on other machines (prefect.yaml's remote kind, README "Workers on other machines").

Each worker starts in an empty folder, with a Python that has the project's dependencies but not
the project (tests/utils/remote_worker.py), so a run works only with the code that
`import-remote`'s git_clone pull step fetched from a bare repository made from this checkout.
The database is a PostgreSQL database of this module's own; templates, rosters and reports are
on the S3 stand-in (moto's server, the session's): the runs get s3:// addresses, the workers
SCHEDCU_TEMPLATE_SOURCES=["s3://<bucket>/remote/templates/"],
SCHEDCU_REPORTS_URL=s3://<bucket>/remote/reports/ and the stand-in's endpoint and keys.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.exceptions import ObjectAlreadyExists
from prefect.variables import Variable

from schedcu.amion.simulator import AmionSimulator
from schedcu.db import create_db_engine
from schedcu.examples.amion_month import example_roster
from schedcu.examples.template_ods import write_example_template
from schedcu.hospitals import add_hospital
from tests.flows.conftest import CODE, FINAL, logs, task_runs
from tests.utils.databases import scratch_postgres_url
from tests.utils.prefect_server import (
    CHECKOUT,
    PREFECT,
    api_client,
    prefect_environment,
    process_worker,
)
from tests.utils.remote_worker import bare_repository, dependencies_only_python
from tests.utils.storage_servers import S3Server

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

POOL = "schedcu-remote"  # prefect.yaml's
DEPLOYMENT = "schedule-import/import-remote"
BRANCH = "schedcu-under-test"
WORKERS = ("remote-a", "remote-b")
RUNS_PER_WORKER = 2
RUNS_TIMEOUT_S = 600
BUSY_RETRIES = 30
PHASES = {"ods-import", "amion-scrape", "coverage"}
PREFIX = "remote"  # this module's part of the session's bucket


@dataclass
class Storage:
    """Where templates, rosters and reports live for the remote workers: the S3 stand-in's
    bucket (`root` is only this test's scratch folder for the files it uploads)."""

    root: Path
    s3: S3Server

    def _upload(self, local: Path, key: str) -> str:
        self.s3.client().put_object(Bucket=self.s3.bucket, Key=key, Body=local.read_bytes())
        return self.s3.url(key)

    def template(self) -> str:
        local = write_example_template(self.root / "template.ods")
        return self._upload(local, f"{PREFIX}/templates/template.ods")

    def roster(self, hospital: str) -> str:
        local = replace(example_roster(), hospital=hospital).dump(self.root / f"{hospital}.yaml")
        return self._upload(local, f"{PREFIX}/templates/roster-{hospital}.yaml")

    def reports(self, hospital: str) -> dict[str, int]:
        """The hospital's report objects and their sizes."""
        listed = self.s3.client().list_objects_v2(
            Bucket=self.s3.bucket, Prefix=f"{PREFIX}/reports/coverage-{hospital}-v"
        )
        return {item["Key"].rpartition("/")[2]: item["Size"] for item in listed.get("Contents", [])}

    def settings(self) -> dict[str, str]:
        self.root.mkdir(parents=True, exist_ok=True)
        return {
            "SCHEDCU_TEMPLATE_SOURCES": json.dumps([self.s3.url(f"{PREFIX}/templates/")]),
            "SCHEDCU_REPORTS_URL": self.s3.url(f"{PREFIX}/reports/"),
            **self.s3.environment(),
        }


@dataclass
class Remote:
    api: httpx.Client
    database_url: str
    storage: Storage
    amion_url: str
    python: Path
    worker_env: dict[str, str]
    worker_folders: list[Path]
    worker_logs: list[Path]

    def new_hospital(self) -> tuple[str, dict[str, Any]]:
        """A hospital on the simulator; the parameters of an import of its month."""
        hospital = f"remote-{uuid.uuid4().hex[:8]}"
        engine = create_db_engine(self.database_url)
        add_hospital(engine, code=hospital, amion_base_url=self.amion_url)
        engine.dispose()
        return hospital, {
            "hospital": hospital,
            "ods_path": self.storage.template(),
            "roster_path": self.storage.roster(hospital),
            "start_date": "2026-03-01",
            "months": 1,
        }

    def call(self, method: str, url: str, **kwargs: Any) -> Any:
        """A REST call's JSON, tried again while the server answers 503 (busy), as a client
        of a busy server would."""
        for _ in range(BUSY_RETRIES):
            response = self.api.request(method, url, **kwargs)
            if response.status_code != httpx.codes.SERVICE_UNAVAILABLE:
                break
            time.sleep(1)
        response.raise_for_status()
        return response.json()

    def trigger(self, parameters: dict[str, Any]) -> str:
        """Start an `import-remote` run through the REST API, as another system would."""
        deployment = self.call("GET", f"/deployments/name/{DEPLOYMENT}")
        url = f"/deployments/{deployment['id']}/create_flow_run"
        return self.call("POST", url, json={"parameters": parameters})["id"]

    def wait(self, run_ids: list[str]) -> list[dict[str, Any]]:
        """The runs once all are final, as the REST API gives them."""
        deadline = time.monotonic() + RUNS_TIMEOUT_S
        while True:
            runs = [self.call("GET", f"/flow_runs/{run_id}") for run_id in run_ids]
            if all(run["state"] and run["state"]["type"] in FINAL for run in runs):
                return runs
            if time.monotonic() > deadline:
                tails = [path.read_text(errors="replace")[-3000:] for path in self.worker_logs]
                raise AssertionError(f"runs still going after {RUNS_TIMEOUT_S} s\n{tails}")
            time.sleep(0.5)

    def wait_for_workers(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            workers = self.call("POST", f"/work_pools/{POOL}/workers/filter", json={})
            if {w["name"] for w in workers if w["status"] == "ONLINE"} >= set(WORKERS):
                return
            time.sleep(0.5)
        raise AssertionError(f"the workers {WORKERS} did not come online")

    def workers_of(self, run_ids: list[str]) -> dict[str, str]:
        """Which worker took each run: the worker's `submitted-flow-run` events."""
        wanted = {f"prefect.flow-run.{run_id}" for run_id in run_ids}
        deadline = time.monotonic() + 60
        while True:
            page = self.call(
                "POST",
                "/events/filter",
                json={
                    "filter": {
                        "event": {"name": ["prefect.worker.submitted-flow-run"]},
                        "related": {"id": sorted(wanted)},
                    },
                    "limit": len(wanted),
                },
            )
            taken = {
                related["prefect.resource.id"]: event["resource"]["prefect.resource.name"]
                for event in page["events"]
                for related in event["related"]
                if related["prefect.resource.id"] in wanted
            }
            if len(taken) == len(wanted) or time.monotonic() > deadline:
                return {key.removeprefix("prefect.flow-run."): name for key, name in taken.items()}
            time.sleep(1)


def _prefect_cli(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(
        [PREFECT, "--no-prompt", *args],
        cwd=CHECKOUT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.fixture(scope="module")
def remote(
    prefect_api: str,
    postgres_url: str,
    amion_server: AmionSimulator,
    chromium: str,
    s3_server: S3Server,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Remote]:
    """`import-remote` deployed with `prefect deploy` from prefect.yaml, its repository variables
    pointing at a bare repository of this checkout, and two workers of its pool."""
    folder = tmp_path_factory.mktemp("remote")
    storage = Storage(folder / "uploads", s3_server)
    Variable.set("schedcu_repository", bare_repository(CHECKOUT, folder, BRANCH), overwrite=True)
    Variable.set("schedcu_branch", BRANCH, overwrite=True)
    with get_client(sync_client=True) as client, contextlib.suppress(ObjectAlreadyExists):
        client.create_work_pool(WorkPoolCreate(name=POOL, type="process"))
    _prefect_cli(
        ["deploy", "--name", DEPLOYMENT.split("/")[1]],
        prefect_environment(folder / "deploy-home", prefect_api),
    )

    python = dependencies_only_python(folder / "worker-python")
    inherited = prefect_environment(folder / "worker-home", prefect_api).items()
    amion_server.reset()
    with contextlib.ExitStack() as stack:
        database_url = stack.enter_context(scratch_postgres_url(postgres_url, "schedcu_remote"))
        # Nothing of this process's settings or import path: the worker has only what it is given.
        env = {
            name: value
            for name, value in inherited
            if not name.startswith("SCHEDCU_") and name != "PYTHONPATH"
        } | {
            "SCHEDCU_DATABASE_URL": database_url,
            "SCHEDCU_AMION_CODE": CODE,
            "SCHEDCU_AMION_REQUESTS_PER_SECOND": "0",
            "SCHEDCU_AMION_TIMEOUT_S": "10",
            "SCHEDCU_CHROMIUM_CDP_URL": chromium,
            "PREFECT_WORKER_QUERY_SECONDS": "1",
            "PREFECT_WORKER_PREFETCH_SECONDS": "1",
            **storage.settings(),
        }
        folders, worker_logs = [], []
        for name in WORKERS:
            (folder / name / "work").mkdir(parents=True)
            folders.append(folder / name / "work")
            worker_logs.append(
                stack.enter_context(
                    process_worker(
                        POOL,
                        env,
                        folder / name,
                        limit=RUNS_PER_WORKER,
                        name=name,
                        python=python,
                        cwd=folder / name / "work",
                    )
                )
            )
        api = stack.enter_context(api_client(prefect_api))
        remote = Remote(
            api, database_url, storage, amion_server.url, python, env, folders, worker_logs
        )
        remote.wait_for_workers()
        yield remote
    amion_server.reset()


def test_the_worker_python_has_the_dependencies_but_not_the_project(remote: Remote) -> None:
    check = "import prefect, playwright, psycopg\nimport schedcu"
    done = subprocess.run(
        [str(remote.python), "-c", check],
        cwd=remote.worker_folders[0],
        env=remote.worker_env,
        capture_output=True,
        text=True,
    )
    assert "No module named 'schedcu'" in done.stderr, done.stderr[-2000:]


def test_the_remote_deployment_reads_its_repository_at_each_run(remote: Remote) -> None:
    deployment = remote.call("GET", f"/deployments/name/{DEPLOYMENT}")
    [step] = deployment["pull_steps"]
    assert step["prefect.deployments.steps.git_clone"] == {
        "repository": "{{ prefect.variables.schedcu_repository }}",
        "branch": "{{ prefect.variables.schedcu_branch }}",
    }
    assert deployment["work_pool_name"] == POOL


def test_a_run_on_a_worker_without_the_checkout_completes_with_its_reports_on_storage(
    remote: Remote,
) -> None:
    hospital, parameters = remote.new_hospital()
    triggered = time.monotonic()
    run_id = remote.trigger(parameters)
    [run] = remote.wait([run_id])
    took = time.monotonic() - triggered
    running = dt.datetime.fromisoformat(run["end_time"]) - dt.datetime.fromisoformat(
        run["start_time"]
    )
    print(  # the closing note's figure; the Running part excludes pick-up, clone and start-up
        f"\nremote-worker run, trigger to completed: {took:.1f} s "
        f"(Running: {running.total_seconds():.1f} s)"
    )

    assert run["state"]["name"] == "Completed", run["state"]["message"]  # Amion included
    phases = {t.name.split()[0]: t.state_type.value for t in task_runs(uuid.UUID(run_id))}
    assert phases == dict.fromkeys(PHASES, "COMPLETED")
    reports = remote.storage.reports(hospital)
    assert {Path(name).suffix for name in reports} == {".csv", ".ods", ".png"}, reports
    assert all(reports.values()), reports
    messages = [log.message for log in logs(uuid.UUID(run_id))]
    assert any("git_clone" in message for message in messages), messages[:20]
    for folder in remote.worker_folders:
        assert not any(folder.iterdir()), f"the worker wrote into its folder {folder}"
    for worker_log in remote.worker_logs:
        assert CODE not in worker_log.read_text(errors="replace")


def test_two_workers_share_the_pool_and_still_import_one_hospital_at_a_time(
    remote: Remote,
) -> None:
    hospitals = [remote.new_hospital() for _ in range(4)]
    (_, a), (_, b), (_, c), (_, d) = hospitals
    # Hospitals a and b twice, their two runs one after the other so that they are taken
    # together: the lock has something to hold apart.
    triggered = time.monotonic()
    run_ids = [remote.trigger(parameters) for parameters in (a, a, b, b, c, d)]
    runs = remote.wait(run_ids)
    took = time.monotonic() - triggered
    assert [run["state"]["name"] for run in runs] == ["Completed"] * len(runs), [
        run["state"]["message"] for run in runs
    ]
    workers = remote.workers_of(run_ids)
    assert set(workers.values()) == set(WORKERS), workers
    shares = {name: list(workers.values()).count(name) for name in WORKERS}
    print(f"\n{len(run_ids)} runs of 4 hospitals on two workers {shares}: {took:.1f} s")

    held = {run_id: _slot_held(run_id) for run_id in run_ids}
    in_flight = {
        run["id"]: (
            dt.datetime.fromisoformat(run["start_time"]),
            dt.datetime.fromisoformat(run["end_time"]),
        )
        for run in runs
    }
    pairs = [(run_ids[0], run_ids[1]), (run_ids[2], run_ids[3])]
    for first, second in pairs:
        assert not _overlap(held[first], held[second]), (held[first], held[second])
    # Not vacuous: some hospital's two runs were going at the same time, one waiting its turn.
    assert any(_overlap(in_flight[a], in_flight[b]) for a, b in pairs), in_flight
    for hospital, _ in hospitals:
        assert remote.storage.reports(hospital), hospital


def _slot_held(run_id: str) -> tuple[Any, Any]:
    """From the first phase's start to the last phase's end: the time the run held its slot."""
    phases = task_runs(uuid.UUID(run_id))
    assert {t.name.split()[0] for t in phases} == PHASES
    return min(t.start_time for t in phases), max(t.end_time for t in phases)


def _overlap(a: tuple[Any, Any], b: tuple[Any, Any]) -> bool:
    return a[0] < b[1] and b[0] < a[1]
