"""Benchmark: from "Run" in the Prefect UI to a finished run, against the run's own duration.

    .venv/bin/python bench/click_to_answer.py [--runs 3] [--query-seconds 10 2 0.5]

A real `prefect server` (127.0.0.1), the `schedule-import` deployment of this checkout on a
process work pool, a `prefect worker` and the simulated Amion. Each run is created through the
REST API as the UI's Run button does (`POST /deployments/{id}/create_flow_run`), for a new
hospital, and its state is read every 50 ms: click -> Pending (the worker picked it up) ->
Running (the flow process started: Python, Prefect, the pull step, the flow module) ->
Completed. The run's own duration is its start_time..end_time on the server. Goal: Completed
within the run's own duration + 3 s.

Levers measured: the worker's poll interval (PREFECT_WORKER_QUERY_SECONDS, one worker per value,
default 10 s) and the flow process's start: the CPU time of importing the flow module, by layer
(Prefect, SQLModel, the models, the rest), and whether Playwright, matplotlib, odfpy, pandas or
lxml are among what it loads (each belongs to the phase that needs it). `--imports-only` measures
that part alone (no server).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CODE = "bench-click-code"
GOAL_S = 3.0
POOL = "schedcu"
PHASE_LIBRARIES = ("playwright", "matplotlib", "odf", "pandas", "lxml")
if TYPE_CHECKING:
    from bench.timing import Timing

FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--query-seconds", type=float, nargs="+", default=[10.0, 2.0, 0.5])
    parser.add_argument("--imports-only", action="store_true")
    args = parser.parse_args()
    if args.imports_only:
        _flow_module_imports()
        return 0

    from tests.utils.prefect_server import (
        isolated_bench_environment,
        prefect_environment,
        running_prefect_server,
    )

    home = isolated_bench_environment(ROOT / ".bench" / "click_to_answer", CODE)
    _flow_module_imports()
    with running_prefect_server(home / "prefect-server") as api_url:
        env = dict(os.environ) | prefect_environment(home / "prefect-client", api_url)
        os.environ |= env
        results = _measure(home, env, api_url, args.runs, args.query_seconds)
    _report(results)
    return 0


def _measure(
    home: Path, env: dict[str, str], api_url: str, runs: int, query_seconds: list[float]
) -> dict[float, list[dict[str, float]]]:
    from flows.schedule_import import schedule_import
    from schedcu.amion.simulator import AmionSimulator
    from schedcu.examples.amion_month import example_roster, schedule_for
    from schedcu.examples.template_ods import write_example_template
    from tests.utils.prefect_server import PREFECT, api_client, deploy_from_checkout

    template = write_example_template(home / "templates" / "template.ods")
    subprocess.run(
        [PREFECT, "--no-prompt", "work-pool", "create", POOL, "--type", "process", "--overwrite"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    deployment_id = deploy_from_checkout(
        schedule_import, entrypoint="flows/schedule_import.py:schedule_import",
        name="import-on-demand", pool=POOL,
    )  # fmt: skip
    results: dict[float, list[dict[str, float]]] = {}
    month = schedule_for([(2026, 3)])
    with (
        AmionSimulator(roster=example_roster(), schedule=month, code=CODE) as amion,
        api_client(api_url) as api,
    ):
        for seconds in query_seconds:
            worker_env = env | {"PREFECT_WORKER_QUERY_SECONDS": str(seconds)}
            folder = home / f"worker-{seconds}"
            folder.mkdir()
            _forget_workers(api)
            with _worker(worker_env, folder):
                _wait_for_worker(api)
                results[seconds] = [
                    _one_click(api, str(deployment_id), template, amion.url) for _ in range(runs)
                ]
    return results


def _worker(env: dict[str, str], folder: Path):  # type: ignore[no-untyped-def]
    from tests.utils.prefect_server import process_worker

    return process_worker(POOL, env, folder)


def _wait_for_worker(api) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        workers = api.post(f"/work_pools/{POOL}/workers/filter", json={}).json()
        if any(w["status"] == "ONLINE" for w in workers):
            return
        time.sleep(0.2)
    raise SystemExit("the worker did not come online")


def _forget_workers(api) -> None:  # type: ignore[no-untyped-def]
    """Forget the stopped worker, so that the next one's heartbeat is what comes online."""
    for worker in api.post(f"/work_pools/{POOL}/workers/filter", json={}).json():
        api.delete(f"/work_pools/{POOL}/workers/{worker['name']}")


def _new_hospital(amion_url: str) -> str:
    from schedcu.config import get_settings
    from schedcu.db import get_engine
    from schedcu.hospitals import add_hospital

    code = f"click-{uuid.uuid4().hex[:8]}"
    add_hospital(get_engine(get_settings()), code=code, amion_base_url=amion_url)
    return code


def _one_click(api, deployment_id: str, template: Path, amion_url: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    hospital = _new_hospital(amion_url)
    parameters = {"hospital": hospital, "ods_path": str(template), "start_date": "2026-03-01",
                  "months": 1}  # fmt: skip
    clicked = time.perf_counter()
    created = _answered(
        api, "POST", f"/deployments/{deployment_id}/create_flow_run", parameters=parameters
    )
    run_id = created["id"]
    seen: dict[str, float] = {}
    while True:
        run = _answered(api, "GET", f"/flow_runs/{run_id}")
        kind = run["state"]["type"]
        seen.setdefault(kind, time.perf_counter() - clicked)
        if kind in FINAL:
            break
        if time.perf_counter() - clicked > 600:
            raise SystemExit(f"run {run_id} did not finish in 600 s")
        time.sleep(0.05)
    if kind != "COMPLETED":
        raise SystemExit(f"run {run_id} ended {kind}: {run['state']['message']}")
    own = _seconds_between(run["start_time"], run["end_time"])
    return {
        "pending": seen.get("PENDING", seen.get("RUNNING", seen[kind])),
        "running": seen.get("RUNNING", seen[kind]),
        "completed": seen[kind],
        "own": own,
    }


def _answered(api, method: str, url: str, **body: object) -> dict:  # type: ignore[no-untyped-def]
    """The answer's JSON; a busy server's 503 (its SQLite database locked) is asked again after a
    short wait, as Prefect's own client does (and as a person clicks Run again)."""
    for _ in range(10):
        response = api.request(method, url, json=body or None)
        if response.status_code != 503:
            response.raise_for_status()
            return response.json()
        time.sleep(0.5)
    response.raise_for_status()
    return response.json()


def _seconds_between(start: str, end: str) -> float:
    import datetime as dt

    return (dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)).total_seconds()


IMPORT_LAYERS = {
    "python": "pass",
    "Prefect (flow, task: its settings, logging)": "from prefect import flow, task",
    "+ SQLModel/SQLAlchemy": "from prefect import flow, task; import sqlmodel",
    "+ schedcu.models": "from prefect import flow, task; import sqlmodel, schedcu.models",
    "the flow module": "import flows.schedule_import",
}


def _flow_module_imports(rounds: int = 5) -> None:
    """What the flow process pays to import the flow module, in CPU time (os.wait4's rusage:
    the load inflates wall time), by layer, each layer timed in turns with the others; and
    whether a phase's library (Playwright, matplotlib, odfpy, pandas, lxml) is among the modules
    the flow module loads."""
    from bench.timing import load_note, run_measured, spread

    times: dict[str, list[Timing]] = {name: [] for name in IMPORT_LAYERS}
    for _ in range(rounds):
        for name, code in IMPORT_LAYERS.items():
            times[name].append(
                run_measured([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL)
            )
    cpu = {name: statistics.median(t.cpu for t in runs) for name, runs in times.items()}
    print(f"flow module import, {rounds} rounds ({load_note()}):")
    for name, runs in times.items():
        print(f"  {name:<45} CPU {spread([t.cpu for t in runs])}, "
              f"wall {spread([t.wall for t in runs])}")  # fmt: skip
    prefect, orm, models, whole = (cpu[name] for name in list(IMPORT_LAYERS)[1:])
    print(
        f"  of the flow module's {whole - cpu['python']:.2f} s CPU beyond Python: Prefect "
        f"{prefect - cpu['python']:.2f} s, SQLModel/SQLAlchemy {orm - prefect:.2f} s, the models "
        f"{models - orm:.2f} s, the rest (schedcu, flows, tasks, and Prefect's decorators "
        f"building their parameter schemas) {whole - models:.2f} s"
    )
    listing = "import sys, flows.schedule_import; print(' '.join(sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", listing], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.split()  # fmt: skip
    tops = {name.split(".")[0] for name in loaded}
    present = [name for name in PHASE_LIBRARIES if name in tops]
    ours_loaded = sorted(n for n in loaded if n.split(".")[0] in ("schedcu", "flows", "tasks"))
    print(f"  phase libraries loaded by the flow module: {present or 'none'} "
          f"(checked: {', '.join(PHASE_LIBRARIES)}); {len(ours_loaded)} schedcu/flows/tasks "
          "modules")  # fmt: skip


def _report(results: dict[float, list[dict[str, float]]]) -> None:
    print(f"click to answer, one-month import, load {os.getloadavg()[0]:.1f}:")
    for seconds, runs in results.items():
        waits = [r["completed"] - r["own"] for r in runs]

        def spread(key: str, runs: list[dict[str, float]] = runs) -> str:
            values = [r[key] for r in runs]
            return f"{statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})"

        starts = [r["running"] - r["pending"] for r in runs]
        median_wait = statistics.median(waits)
        verdict = "met" if median_wait <= GOAL_S else "NOT met"
        print(
            f"  PREFECT_WORKER_QUERY_SECONDS={seconds:g}: to Pending {spread('pending')} s, "
            f"to Running {spread('running')} s, to Completed {spread('completed')} s; "
            f"own duration {spread('own')} s"
        )
        print(
            f"    waited beyond the run's own time: {median_wait:.1f} s "
            f"({min(waits):.1f}-{max(waits):.1f}); of it the flow process's start "
            f"{statistics.median(starts):.1f} s; goal <= {GOAL_S:.0f} s: {verdict}"
        )


if __name__ == "__main__":
    raise SystemExit(main())
