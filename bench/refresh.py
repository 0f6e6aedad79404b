"""Benchmark a refresh in which nothing changed against the download it cannot avoid.

The example department's template over 12 months (about 6,600 shifts), its Amion schedule in the
simulator (about 1,600 rows), a SQLite database. After the first import and calculation, each
round measures, in turns:

- download: the Amion exports of the 12 months alone (`download_exports`: Chromium, login,
  fetch), the baseline;
- refresh, nothing changed: phase 2 (download, parse, match, store) and phase 3 as a refresh runs
  them; phase 3 finds the inputs' fingerprint unchanged and writes nothing;
- refresh, one shift dropped: the same after the simulator lost one assignment (and got it back,
  alternately), so phase 3 calculates, compares and stores.

Goal: a refresh with nothing changed costs little more than the download (ratio near 1).
No Prefect: the plain functions the tasks call. Chromium: SCHEDCU_CHROMIUM_CDP_URL if set, else
one launched per download, as a worker does.

    .venv/bin/python bench/refresh.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from schedcu.amion.client import download_exports
from schedcu.amion.simulator import AmionSimulator
from schedcu.amion.store import scrape_version
from schedcu.calendar import months_in
from schedcu.config import Settings
from schedcu.coverage.service import recalculate
from schedcu.db import create_db_engine, upgrade
from schedcu.examples.amion_month import example_roster, months_from, schedule_for
from schedcu.examples.template_ods import write_example_template
from schedcu.hospitals import add_hospital
from schedcu.ods.importer import import_schedule

CODE = "bench-refresh-code-5e1"
START = dt.date(2027, 1, 1)
MONTHS = 12


def timed(action: Callable[[], None]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds

    work = Path(tempfile.mkdtemp(prefix="schedcu-bench-refresh-"))
    settings = Settings(home=work, amion_requests_per_second=0)
    engine = create_db_engine(f"sqlite:///{work / 'schedcu.db'}")
    upgrade(engine)
    schedule = schedule_for(months_from(START, MONTHS))
    dropped = [entry for entry in schedule if entry is not schedule[len(schedule) // 2]]
    with AmionSimulator(roster=example_roster(), schedule=schedule, code=CODE) as amion:
        add_hospital(engine, code="bench-refresh", amion_base_url=amion.url)
        version_id = import_schedule(
            engine=engine,
            hospital_code="bench-refresh",
            ods_path=write_example_template(work / "template.ods"),
            start=START,
            months=MONTHS,
            settings=settings,
        ).version_id
        months = months_in(START, dt.date(START.year, 12, 31))

        def download() -> None:
            download_exports(base_url=amion.url, code=CODE, months=months, settings=settings)

        def refresh(*, expect_stored: bool) -> None:
            scrape_version(engine=engine, version_id=version_id, code=CODE, settings=settings)
            began = time.perf_counter()
            outcome = recalculate(engine=engine, version_id=version_id, settings=settings)
            phase_3["changed" if expect_stored else "unchanged"].append(time.perf_counter() - began)
            if outcome.stored is not expect_stored:
                raise RuntimeError(f"phase 3 stored={outcome.stored}, expected {expect_stored}")

        phase_3: dict[str, list[float]] = {"unchanged": [], "changed": []}
        refresh(expect_stored=True)  # the first calculation
        phase_3["changed"].clear()
        times: dict[str, list[float]] = {"download": [], "unchanged": [], "changed": []}
        served = schedule
        for _ in range(rounds):
            times["download"].append(timed(download))
            times["unchanged"].append(timed(lambda: refresh(expect_stored=False)))
            served = dropped if served is schedule else schedule  # one shift fewer, or back
            amion.serve_schedule(served)
            times["changed"].append(timed(lambda: refresh(expect_stored=True)))
    engine.dispose()

    best = {name: min(values) for name, values in times.items()}
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"12 months of the example department, {len(schedule)} Amion rows, {rounds} rounds")
    for name, label in (
        ("download", "download alone (baseline)"),
        ("unchanged", "refresh, nothing changed"),
        ("changed", "refresh, one shift dropped"),
    ):
        print(
            f"  {label:<28} best {best[name]:.2f} s, median {median[name]:.2f} s, "
            f"{median[name] / median['download']:.2f}x the download"
        )
    print(
        f"  of which phase 3: nothing changed {statistics.median(phase_3['unchanged']):.3f} s "
        f"(fingerprint only), one shift dropped {statistics.median(phase_3['changed']):.3f} s "
        "(calculate, compare, store)"
    )


if __name__ == "__main__":
    main()
