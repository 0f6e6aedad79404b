"""Load: N hospitals x 12 months imported back to back through the import flow.

    .venv/bin/python bench/load.py [--hospitals 50] [--months 12] [--repeat 10] [--template PATH]

One long-lived process runs the `schedule-import` flow (all three phases: the template, Amion
through one shared Chromium against the simulator, coverage and its reports) for one new hospital
after another, against a Prefect server started here and a PostgreSQL database created here on
127.0.0.1:5432 (user postgres; SCHEDCU_BENCH_POSTGRES_URL to change) and dropped afterwards.

Prints runs per minute, p50/p95 run time, the database size, and this process's resident memory
over the runs. Baseline from the same run: the first tenth of the runs against the last tenth
(does the growing database slow imports?). Memory: Prefect keeps one slot-acquisition service
thread (about 2 MB) per concurrency limit a process has used, so a process's memory grows once
per *new hospital*; the leak check is therefore a second pass that imports `--repeat` of the same
hospitals again (the nightly case: ALREADY_IMPORTED, Amion re-read, coverage recalculated),
whose memory must stay flat. The template defaults to the real department's file
(../shared/fixtures), else the example one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import statistics
import sys
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REAL_TEMPLATE = ROOT.parent / "shared" / "fixtures" / "cuSchedNormalized.ods"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
START = dt.date(2026, 1, 1)
CODE = "bench-load-code-5150"
PAGE = os.sysconf("SC_PAGE_SIZE")
MB = 1024 * 1024


@dataclass(frozen=True)
class Sample:
    seconds: float
    rss_mb: float
    threads: int
    state: str


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hospitals", type=int, default=50, help="hospitals (runs); default 50")
    parser.add_argument("--months", type=int, default=12, help="months per import; default 12")
    parser.add_argument("--repeat", type=int, default=10, help="second-pass runs; default 10")
    parser.add_argument("--template", type=Path, help="the .ods (default: the real template)")
    args = parser.parse_args()

    from tests.utils.databases import scratch_postgres_url
    from tests.utils.prefect_server import (
        isolated_bench_environment,
        prefect_environment,
        running_prefect_server,
    )

    home = isolated_bench_environment(ROOT / ".bench" / "load", CODE)

    template = args.template or (REAL_TEMPLATE if REAL_TEMPLATE.is_file() else None)
    with ExitStack() as stack:
        api_url = stack.enter_context(running_prefect_server(home / "prefect-server"))
        os.environ |= prefect_environment(home / "prefect-client", api_url)
        admin_url = os.environ.get("SCHEDCU_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
        database_url = stack.enter_context(scratch_postgres_url(admin_url, "schedcu_load"))
        os.environ["SCHEDCU_DATABASE_URL"] = database_url
        samples, wall, repeats = run_imports(
            home, template, args.hospitals, args.months, args.repeat
        )
        size_mb = database_size_mb(database_url)
        dispose_engine()
    report(samples, wall, size_mb, args.months, template)
    report_repeats(samples[-1], repeats)
    return 0 if all(s.state == "Completed" for s in samples + repeats) else 1


def run_imports(
    home: Path, template: Path | None, hospitals: int, months: int, repeat: int
) -> tuple[list[Sample], float, list[Sample]]:
    """Pass 1: one import per new hospital (its samples and wall time); pass 2: `repeat`
    hospitals of pass 1 again."""
    from flows.schedule_import import schedule_import
    from schedcu.amion.simulator import AmionSimulator
    from schedcu.config import get_settings
    from schedcu.db import get_engine
    from schedcu.examples.amion_month import example_roster, months_from, schedule_for
    from schedcu.examples.template_ods import write_example_template
    from schedcu.hospitals import add_hospital
    from tests.utils.browser import chromium_service

    settings = get_settings()
    engine = get_engine(settings)
    ods = template or write_example_template(home / "template.ods")
    schedule = schedule_for(months_from(START, months))
    codes = [f"load-{number:03d}" for number in range(hospitals)]
    with (
        AmionSimulator(roster=example_roster(), schedule=schedule, code=CODE) as amion,
        chromium_service(home / "chromium") as cdp_url,
    ):
        os.environ["SCHEDCU_CHROMIUM_CDP_URL"] = cdp_url  # one Chromium for every run
        get_settings.cache_clear()

        def run(code: str, label: str) -> Sample:
            began = time.perf_counter()
            state = schedule_import(
                hospital=code, ods_path=str(ods), start_date=START, months=months,
                return_state=True,
            )  # fmt: skip
            seconds = time.perf_counter() - began
            gc.collect()
            sample = Sample(seconds, resident_mb(), threading.active_count(), state.name)
            print(
                f"  {label}: {seconds:5.1f} s  {state.name:<22} rss {sample.rss_mb:6.1f} MB  "
                f"threads {sample.threads}",
                flush=True,
            )
            return sample

        samples = []
        began = time.perf_counter()
        for number, code in enumerate(codes):
            add_hospital(engine, code=code, amion_base_url=amion.url)
            samples.append(run(code, f"run {number + 1:>3}/{hospitals}"))
        wall = time.perf_counter() - began
        repeats = [
            run(codes[number % hospitals], f"again {number + 1:>3}/{repeat}")
            for number in range(repeat)
        ]
    return samples, wall, repeats


def resident_mb() -> float:
    """This process's resident set size (Linux /proc)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE / MB


def dispose_engine() -> None:
    from schedcu.config import get_settings
    from schedcu.db import get_engine

    get_engine(get_settings()).dispose()


def database_size_mb(url: str) -> float:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        size = connection.execute(sa.text("SELECT pg_database_size(current_database())")).scalar()
    engine.dispose()
    return int(size or 0) / MB


def report(
    samples: list[Sample], wall: float, size_mb: float, months: int, template: Path | None
) -> None:
    times = sorted(s.seconds for s in samples)
    tenth = max(1, len(samples) // 10)
    first, last = samples[:tenth], samples[-tenth:]
    first_time = statistics.median(s.seconds for s in first)
    last_time = statistics.median(s.seconds for s in last)
    first_rss = statistics.mean(s.rss_mb for s in first)
    last_rss = statistics.mean(s.rss_mb for s in last)
    completed = sum(s.state == "Completed" for s in samples)
    print(
        f"\n{len(samples)} hospitals x {months} months ({template.name if template else 'example'}"
        f" template), one process, back to back"
    )
    print(f"  runs completed      {completed}/{len(samples)}")
    print(f"  runs per minute     {len(samples) / wall * 60:.1f}  (wall {wall:.0f} s)")
    print(f"  run time p50 / p95  {percentile(times, 50):.1f} s / {percentile(times, 95):.1f} s")
    print(
        f"  run time, last tenth vs first tenth (median)  {last_time:.1f} s vs {first_time:.1f} s"
        f"  (ratio {last_time / first_time:.2f})"
    )
    print(f"  database size       {size_mb:.0f} MB  (after both passes)")
    print(
        f"  process memory      {first_rss:.0f} MB (first tenth) -> {last_rss:.0f} MB (last tenth)"
        f"  (ratio {last_rss / first_rss:.2f}; max {max(s.rss_mb for s in samples):.0f} MB)"
    )
    if len(samples) > 2:  # from the second run: the first one loads the modules and caches
        per_hospital = (samples[-1].rss_mb - samples[1].rss_mb) / (len(samples) - 2)
        print(
            f"  memory per new hospital  {per_hospital:+.2f} MB  (threads {samples[1].threads} -> "
            f"{samples[-1].threads}: one Prefect slot service per hospital's limit)"
        )


def report_repeats(last: Sample, repeats: list[Sample]) -> None:
    """The leak check: the same hospitals imported again must not grow the process."""
    if not repeats:
        return
    growth = (repeats[-1].rss_mb - last.rss_mb) / len(repeats)
    times = sorted(s.seconds for s in repeats)
    print(f"{len(repeats)} imports of the same hospitals again (nightly case), same process")
    print(f"  run time p50        {percentile(times, 50):.1f} s")
    print(
        f"  process memory      {last.rss_mb:.0f} MB -> {repeats[-1].rss_mb:.0f} MB  "
        f"({growth:+.2f} MB per run; threads {last.threads} -> {repeats[-1].threads})"
    )


def percentile(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, round(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


if __name__ == "__main__":
    raise SystemExit(main())
