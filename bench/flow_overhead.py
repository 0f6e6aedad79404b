"""Benchmark: what Prefect orchestration costs on the demo's one-month import.

    .venv/bin/python bench/flow_overhead.py [--runs 3]

Baseline, measured in the same run: the three phases' domain functions called directly in one
process (import_schedule; download_exports + store_assignments; recalculate + write_reports).
Against it: the `schedule-import` flow on a running Prefect server (started here on 127.0.0.1),
which adds the task and state round trips, the hospital's concurrency slot and the artifacts.
Both use one shared Chromium and the same simulated Amion; each run imports for a new hospital so
no run is ALREADY_IMPORTED. Also measured: a trivial flow in a fresh process with an ephemeral
Prefect server against the same with the running server (the start-up a CLI user waits for).
Goal (issue 17): overhead (flow - direct) under 0.5 s per run on a running server. Where it is
not met, one more flow run is profiled (cProfile, the main thread) and the time is split into
Prefect's engine around the flow body, Prefect's calls made from our code (task runs, artifacts,
the concurrency slot, minus our code they ran) and our own code.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
START = dt.date(2026, 3, 1)
CODE = "bench-flow-overhead-code"
TRIVIAL_FLOW = "from prefect import flow\nflow(lambda: 1, name='trivial')()\n"
GOAL_S = 0.5
OURS = ("/flows/", "/tasks/", "/schedcu/")

if TYPE_CHECKING:
    from bench.timing import Timing


@dataclass(frozen=True, slots=True)
class Run:
    """One import: wall time, CPU time of this process (all threads: the flow, Prefect's API
    clients, log and event workers) and CPU time of everything (this process, the Prefect server,
    Chromium)."""

    wall: float
    cpu: float
    all_cpu: float


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
        direct, flow, profile = _measure(home, args.runs)
        _report(args.runs, direct, flow, profile)
        with_server = _fresh_process_flow(dict(os.environ))
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    # Prefect's own 20 s limit for its temporary server is too short on a loaded machine.
    env |= {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "600"}
    ephemeral = _fresh_process_flow(env | {"PREFECT_HOME": str(home / "prefect-ephemeral")})
    print(
        f"fresh process + trivial flow: running server {with_server.wall:.1f} s "
        f"(CPU {with_server.cpu:.1f} s), ephemeral server {ephemeral.wall:.1f} s (CPU "
        f"{ephemeral.cpu:.1f} s; its start-up ~{ephemeral.wall - with_server.wall:.1f} s)"
    )
    return 0


def _report(
    runs: int, direct: list[Run], flow: list[Run], profile: tuple[Run, pstats.Stats]
) -> None:
    from bench.timing import load_note

    print(f"one-month import, median of {runs} ({load_note()}):")
    verdicts = []
    for label, key in (("wall", "wall"), ("CPU, this process", "cpu"),
                       ("CPU, with the server and Chromium", "all_cpu")):  # fmt: skip
        d = statistics.median(getattr(run, key) for run in direct)
        f = statistics.median(getattr(run, key) for run in flow)
        overheads = [getattr(b, key) - getattr(a, key) for a, b in zip(direct, flow, strict=True)]
        verdicts.append(f - d < GOAL_S)
        print(
            f"  {label:<34} direct {d:6.2f} s, flow {f:6.2f} s: overhead {f - d:5.2f} s "
            f"(runs {min(overheads):.2f} to {max(overheads):.2f}), flow/direct {f / d:.2f}x"
        )
    print(
        f"  goal: orchestration overhead < {GOAL_S} s per run: "
        f"{'met' if verdicts[0] else 'NOT met'} in wall time, "
        f"{'met' if verdicts[2] else 'NOT met'} in CPU time of all processes (the measure that "
        "holds at this load: on an idle machine the wall overhead is about the CPU overhead "
        "plus the round trips' waits)"
    )
    _print_profile(*profile)
    d_all, f_all = (statistics.median(r.all_cpu - r.cpu for r in runs) for runs in (direct, flow))
    print(
        f"  outside this process: the server (and Chromium, in both) {f_all:.2f} s CPU for the "
        f"flow against {d_all:.2f} s for direct calls: the server's work for the run's API "
        f"calls and state transitions ~{f_all - d_all:.2f} s"
    )


def _measure(home: Path, runs: int) -> tuple[list[Run], list[Run], tuple[Run, pstats.Stats]]:
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
    direct: list[Run] = []
    flow: list[Run] = []
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
        # The main thread's CPU time, not wall time: the load would otherwise decide the split.
        profiler = cProfile.Profile(time.thread_time)
        profiled = _timed(lambda *a: profiler.runcall(_flow, *a), home, template, amion.url)
    return direct, flow, (profiled, pstats.Stats(profiler))


def _new_hospital(home: Path, amion_url: str) -> tuple[str, Path]:
    from schedcu.config import get_settings
    from schedcu.db import get_engine
    from schedcu.examples.amion_month import example_roster
    from schedcu.hospitals import add_hospital

    code = f"bench-{uuid.uuid4().hex[:8]}"
    add_hospital(get_engine(get_settings()), code=code, amion_base_url=amion_url)
    roster = replace(example_roster(), hospital=code).dump(home / f"{code}.yaml")
    return code, roster


def _timed(job, *args) -> Run:  # type: ignore[no-untyped-def]
    from bench.timing import tree_cpu_seconds

    hospital, roster = _new_hospital(args[0], args[2])
    tree = tree_cpu_seconds()
    began, cpu = time.perf_counter(), time.process_time()
    job(hospital, roster, *args[1:])
    ended, ended_cpu = time.perf_counter(), time.process_time()
    return Run(ended - began, ended_cpu - cpu, tree_cpu_seconds() - tree)


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


def _is_ours(filename: str) -> bool:
    return any(part in filename for part in OURS) and "site-packages" not in filename


def _is_prefect(filename: str) -> bool:
    return "site-packages/prefect/" in filename


def _print_profile(run: Run, stats: pstats.Stats) -> None:
    """Where the profiled flow run's main thread spent its time: Prefect around the flow body,
    Prefect called from our code (less our code it called back: the task bodies), our code."""
    table = stats.stats  # type: ignore[attr-defined]
    body = next(
        (row[3] for (file, _, name), row in table.items()
         if file.endswith("flows/schedule_import.py") and name == "schedule_import"),
        0.0,
    )  # fmt: skip
    prefect_from_ours = ours_from_prefect = 0.0
    calls: dict[str, float] = {}
    for (file, line, name), (_, _, _, _, callers) in table.items():
        for (caller_file, _, _), (_, _, _, cumulative) in callers.items():
            if _is_prefect(file) and _is_ours(caller_file):
                prefect_from_ours += cumulative
                label = f"{file.split('site-packages/')[1]}:{line}({name})"
                calls[label] = calls.get(label, 0.0) + cumulative
            elif _is_ours(file) and _is_prefect(caller_file) and "schedule_import" not in name:
                ours_from_prefect += cumulative
    total = sum(row[2] for row in table.values())  # every function's own time: the thread's
    engine = total - body
    inside = prefect_from_ours - ours_from_prefect
    print(
        f"profiled flow run (cProfile on the main thread's CPU time; wall {run.wall:.2f} s, CPU "
        f"of this process {run.cpu:.2f} s, with the server {run.all_cpu:.2f} s): "
        f"other threads (Prefect's API client loop, log and event workers, Playwright) "
        f"{run.cpu - total:.2f} s; main thread {total:.2f} s = "
        f"Prefect's engine around the flow body {engine:.2f} s + Prefect's calls from our code "
        f"{inside:.2f} s + ours {total - engine - inside:.2f} s"
    )
    for label, seconds in sorted(calls.items(), key=lambda item: -item[1])[:8]:
        print(f"  {seconds:6.2f} s  {label}")


def _fresh_process_flow(env: dict[str, str]) -> Timing:
    from bench.timing import run_measured

    return run_measured([sys.executable, "-c", TRIVIAL_FLOW], env=env,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
