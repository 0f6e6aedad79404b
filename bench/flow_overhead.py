"""Benchmark: what Prefect orchestration costs on the demo's one-month import.

    .venv/bin/python bench/flow_overhead.py [--runs 3]

Baseline, measured in the same run: the three phases' domain functions called directly in one
process (import_schedule; download_exports + store_assignments; recalculate + write_reports).
Against it: the `schedule-import` flow on a running Prefect server (started here on 127.0.0.1),
which adds the task and state round trips, the hospital's concurrency slot and the artifacts.
Both use one shared Chromium and the same simulated Amion; each run imports for a new hospital so
no run is ALREADY_IMPORTED. Also measured: a trivial flow in a fresh process with an ephemeral
Prefect server against the same with the running server (the start-up a CLI user waits for).
Goal: overhead (flow - direct) under 2 s for a one-month import on a running server.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
START = dt.date(2026, 3, 1)
CODE = "bench-flow-overhead-code"
TRIVIAL_FLOW = "from prefect import flow\nflow(lambda: 1, name='trivial')()\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from tests.utils.prefect_server import (
        isolated_bench_environment,
        prefect_environment,
        running_prefect_server,
    )

    home = isolated_bench_environment(ROOT / ".bench" / "flow_overhead", CODE)

    with running_prefect_server(home / "prefect-server") as api_url:
        os.environ |= prefect_environment(home / "prefect-client", api_url)
        direct, flow = _measure(home, args.runs)
        with_server = _fresh_process_flow(dict(os.environ))
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    ephemeral = _fresh_process_flow(env | {"PREFECT_HOME": str(home / "prefect-ephemeral")})

    d, f = statistics.median(direct), statistics.median(flow)
    print(f"one-month import, median of {args.runs} (s): direct {d:.2f}, flow {f:.2f}")
    print(f"  orchestration overhead: {f - d:.2f} s  (ratio flow/direct {f / d:.2f}x; goal < 2 s)")
    print(
        f"fresh process + trivial flow (s): running server {with_server:.1f}, "
        f"ephemeral server {ephemeral:.1f}  (ephemeral start-up ~{ephemeral - with_server:.1f} s)"
    )
    return 0


def _measure(home: Path, runs: int) -> tuple[list[float], list[float]]:
    from schedcu.amion.simulator import AmionSimulator
    from schedcu.config import get_settings
    from schedcu.db import get_engine, upgrade
    from schedcu.examples.amion_month import example_roster, schedule_for
    from schedcu.examples.template_ods import write_example_template
    from tests.utils.browser import chromium_service

    settings = get_settings()
    engine = get_engine(settings)
    upgrade(engine)
    template = write_example_template(home / "template.ods")
    direct: list[float] = []
    flow: list[float] = []
    with (
        AmionSimulator(
            roster=example_roster(), schedule=schedule_for([(2026, 3)]), code=CODE
        ) as amion,
        chromium_service(home / "chromium") as cdp_url,
    ):
        os.environ["SCHEDCU_CHROMIUM_CDP_URL"] = cdp_url  # one Chromium for both, every run
        get_settings.cache_clear()
        for _ in range(runs):
            direct.append(_timed(_direct, home, template, amion.url))
            flow.append(_timed(_flow, home, template, amion.url))
    return direct, flow


def _new_hospital(home: Path, amion_url: str) -> tuple[str, Path]:
    from schedcu.config import get_settings
    from schedcu.db import get_engine
    from schedcu.examples.amion_month import example_roster
    from schedcu.hospitals import add_hospital

    code = f"bench-{uuid.uuid4().hex[:8]}"
    add_hospital(get_engine(get_settings()), code=code, amion_base_url=amion_url)
    roster = replace(example_roster(), hospital=code).dump(home / f"{code}.yaml")
    return code, roster


def _timed(job, *args) -> float:  # type: ignore[no-untyped-def]
    hospital, roster = _new_hospital(args[0], args[2])
    began = time.perf_counter()
    job(hospital, roster, *args[1:])
    return time.perf_counter() - began


def _direct(hospital: str, roster: Path, template: Path, amion_url: str) -> None:
    from schedcu.amion.client import download_exports
    from schedcu.amion.roster import load_roster
    from schedcu.amion.store import store_assignments
    from schedcu.calendar import months_in, period_end
    from schedcu.config import get_settings
    from schedcu.coverage.reports import write_reports
    from schedcu.coverage.service import recalculate
    from schedcu.db import get_engine
    from schedcu.ods.importer import import_schedule

    settings = get_settings()
    engine = get_engine(settings)
    outcome = import_schedule(
        engine=engine, hospital_code=hospital, ods_path=template, start=START, months=1,
        settings=settings,
    )  # fmt: skip
    exports = download_exports(
        base_url=amion_url, code=CODE, months=months_in(START, period_end(START, 1)),
        settings=settings,
    )  # fmt: skip
    store_assignments(
        engine=engine, version_id=outcome.version_id, exports=exports,
        roster=load_roster(roster), settings=settings,
    )  # fmt: skip
    coverage = recalculate(engine=engine, version_id=outcome.version_id, settings=settings)
    write_reports(coverage, Path(settings.resolved_reports_url))


def _flow(hospital: str, roster: Path, template: Path, _amion_url: str) -> None:
    from flows.schedule_import import schedule_import

    state = schedule_import(
        hospital=hospital, ods_path=str(template), start_date=START,
        roster_path=str(roster), return_state=True,
    )  # fmt: skip
    if state.name != "Completed":
        raise SystemExit(f"the flow ended {state.name}: {state.message}")


def _fresh_process_flow(env: dict[str, str]) -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", TRIVIAL_FLOW], env=env, check=True, capture_output=True)
    return time.perf_counter() - began


if __name__ == "__main__":
    raise SystemExit(main())
