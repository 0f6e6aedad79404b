"""prefect.yaml end to end: a process work pool, `prefect deploy` of the local deployments (as
the README says), a worker, and a run triggered through the REST API (as another system would)
that ends COMPLETED."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from schedcu.amion.simulator import AmionSimulator
from schedcu.db import create_db_engine
from schedcu.examples.template_ods import write_example_template
from schedcu.hospitals import add_hospital
from tests.flows.conftest import CODE
from tests.utils.prefect_server import PREFECT, api_client, prefect_environment, process_worker

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_S = 240


def _prefect(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [PREFECT, "--no-prompt", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_a_deployment_run_triggered_through_the_rest_api_completes(
    prefect_server: str,
    amion_server: AmionSimulator,
    sqlite_template: Path,
    tmp_path: Path,
) -> None:
    database = tmp_path / "schedcu.db"
    shutil.copyfile(sqlite_template, database)
    engine = create_db_engine(f"sqlite:///{database}")
    add_hospital(engine, code="deployed-radiology", amion_base_url=amion_server.url)
    engine.dispose()
    # Under the worker's template source (SCHEDCU_HOME/templates), as the README says.
    template = write_example_template(tmp_path / "schedcu-home" / "templates" / "template.ods")

    env = prefect_environment(tmp_path / "prefect-home", prefect_server) | {
        "SCHEDCU_DATABASE_URL": f"sqlite:///{database}",
        "SCHEDCU_HOME": str(tmp_path / "schedcu-home"),
        "SCHEDCU_AMION_CODE": CODE,
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_LOGGING_LEVEL": "INFO",
    }
    _prefect(["work-pool", "create", "schedcu", "--type", "process", "--overwrite"], env)
    _prefect(["deploy", "--name", "*-on-demand", "--name", "*-nightly", "--name", "*-hourly"], env)

    with process_worker("schedcu", env, tmp_path) as worker_log, api_client(prefect_server) as api:
        deployment = api.get("/deployments/name/schedule-import/import-on-demand")
        deployment.raise_for_status()
        created = api.post(
            f"/deployments/{deployment.json()['id']}/create_flow_run",
            json={
                "parameters": {
                    "hospital": "deployed-radiology",
                    "ods_path": str(template),
                    "start_date": "2026-03-01",
                    "months": 1,
                }
            },
        )
        created.raise_for_status()
        flow_run_id = created.json()["id"]
        state = _wait_for_final_state(api, flow_run_id)
    log = worker_log.read_text(errors="replace")
    assert state["type"] == "COMPLETED", f"{state}\n{log[-4000:]}"
    assert state["name"] == "Completed", state["message"]  # all three phases, Amion included
    assert CODE not in log


def _wait_for_final_state(api: httpx.Client, flow_run_id: str) -> dict:
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        state = api.get(f"/flow_runs/{flow_run_id}").json()["state"]
        if state and state["type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}:
            return state
        time.sleep(1)
    raise AssertionError(f"flow run {flow_run_id} did not finish in {RUN_TIMEOUT_S} s")


def test_the_nightly_deployment_has_a_cron_schedule_with_a_time_zone() -> None:
    import yaml

    config = yaml.safe_load((REPO / "prefect.yaml").read_text())
    nightly = {d["name"]: d for d in config["deployments"]}["import-nightly"]
    [schedule] = nightly["schedules"]
    assert schedule["cron"] and schedule["timezone"] == "America/New_York"
