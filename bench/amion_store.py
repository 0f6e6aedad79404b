"""Benchmark phase 2's store alone, on SQLite and PostgreSQL, against the database driver alone.

    .venv/bin/python bench/amion_store.py [--rounds 5] [--postgres postgresql+psycopg://...]

The store (`store_assignments`: parse 12 month exports, match people and shifts, write 36.5k
assignments in one transaction) against the same rows written by the driver alone, measured in
turns in the same run: read back after a store, deleted, then inserted by sqlite3's / psycopg's
`executemany` (and on PostgreSQL also by psycopg's COPY). The exports are the simulator's own
texts (no browser: `bench/amion_scrape.py` measures the download). PostgreSQL is measured when
`--postgres` or SCHEDCU_BENCH_POSTGRES_URL names a database this benchmark may empty.

Goal (issue 17): the store >= 150k rows/s, or within 2x of the driver alone. Judged on CPU time
(on PostgreSQL this process's plus its server backend's, read from /proc), as the load on this
shared machine inflates wall time; wall times are printed too.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.amion_scrape import CACHE, CODE, YEAR, generate_inputs, new_database  # noqa: E402
from bench.timing import Timing, load_note, measured, process_cpu_seconds  # noqa: E402

GOAL_RATE = 150_000
GOAL_RATIO = 2.0


@dataclass(frozen=True, slots=True)
class Database:
    name: str
    postgres_url: str | None

    def new(self) -> tuple[object, int]:
        return new_database(CACHE / "store.db", self.postgres_url)


def _with_backend(engine: object, work: Callable[[], object]) -> Timing:
    """`work`'s wall and CPU time, with the CPU time of the engine's PostgreSQL backend (its one
    pooled connection) added."""
    pid = None
    if engine.dialect.name == "postgresql":  # type: ignore[attr-defined]
        with engine.connect() as connection:  # type: ignore[attr-defined]
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    backend = process_cpu_seconds(pid) if pid else 0.0
    with measured() as clock:
        work()
    backend = (process_cpu_seconds(pid) - backend) if pid else 0.0
    return Timing(clock.timing.wall, clock.timing.cpu + backend)


def store_once(database: Database, exports: list, roster: object, settings: object) -> Timing:
    from schedcu.amion.store import store_assignments

    engine, version_id = database.new()

    def store() -> object:
        return store_assignments(
            engine=engine, version_id=version_id, exports=exports, roster=roster,
            settings=settings,
        )  # fmt: skip

    timing = _with_backend(engine, store)
    engine.dispose()  # type: ignore[attr-defined]
    return timing


def driver_once(database: Database, how: str) -> tuple[Timing, int]:
    """The stored rows written again by the driver alone (`executemany` or `copy`), one
    transaction; the rows are those the last store wrote."""
    if database.postgres_url is None:
        with sqlite3.connect(CACHE / "store.db") as connection:
            columns = [row[1] for row in connection.execute("PRAGMA table_info(assignment)")]
            names = ", ".join(columns)
            rows = connection.execute(f"SELECT {names} FROM assignment").fetchall()
            connection.execute("DELETE FROM assignment")
            connection.commit()
            marks = ", ".join("?" * len(columns))
            with measured() as clock:
                connection.executemany(f"INSERT INTO assignment ({names}) VALUES ({marks})", rows)
                connection.commit()
        return clock.timing, len(rows)
    import psycopg

    url = database.postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as connection:
        backend = connection.info.backend_pid
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM assignment LIMIT 0")
            columns = [column.name for column in cursor.description or ()]
            names = ", ".join(columns)
            rows = cursor.execute(f"SELECT {names} FROM assignment").fetchall()
            cursor.execute("DELETE FROM assignment")
        connection.commit()
        before = process_cpu_seconds(backend)
        with measured() as clock, connection.cursor() as cursor:
            if how == "copy":
                with cursor.copy(f"COPY assignment ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO assignment ({names}) VALUES ({marks})", rows)
            connection.commit()
        used = process_cpu_seconds(backend) - before
    return Timing(clock.timing.wall, clock.timing.cpu + used), len(rows)


def main() -> int:
    from schedcu.amion.client import MonthExport
    from schedcu.amion.roster import load_roster
    from schedcu.amion.schedule_file import load_schedule
    from schedcu.amion.simulator import AmionSimulator
    from schedcu.config import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", default=os.environ.get("SCHEDCU_BENCH_POSTGRES_URL"))
    args = parser.parse_args()
    roster_path, schedule_path = generate_inputs()
    roster = load_roster(roster_path)
    simulator = AmionSimulator(roster=roster, schedule=load_schedule(schedule_path), code=CODE)
    exports = [
        MonthExport(YEAR, month, simulator.export_text(YEAR, month).decode(), "", "")
        for month in range(1, 13)
    ]
    settings = Settings(home=CACHE / "home")
    databases = [Database("SQLite", None)]
    if args.postgres:
        databases.append(Database("PostgreSQL", args.postgres))

    print(f"phase 2's store, 12 months, {args.rounds} rounds in turns ({load_note()}):")
    for database in databases:
        ways = ["executemany"] + (["copy"] if database.postgres_url else [])
        store: list[Timing] = []
        driver: dict[str, list[Timing]] = {way: [] for way in ways}
        rows = 0
        for _ in range(args.rounds):
            store.append(store_once(database, exports, roster, settings))
            for way in ways:
                timing, rows = driver_once(database, way)
                driver[way].append(timing)
        _report(database.name, rows, store, driver)
    return 0


def _report(name: str, rows: int, store: list[Timing], driver: dict[str, list[Timing]]) -> None:
    def median(timings: list[Timing], key: str) -> float:
        return statistics.median(getattr(t, key) for t in timings)

    cpu_note = " (this process + its PostgreSQL backend)" if name == "PostgreSQL" else ""
    print(f"  {name}, {rows} rows; CPU{cpu_note} and wall, medians:")
    print(f"    store (parse, match, write)  CPU {median(store, 'cpu'):6.3f} s, "
          f"wall {median(store, 'wall'):6.3f} s")  # fmt: skip
    for way, timings in driver.items():
        print(f"    driver alone, {way:<13} CPU {median(timings, 'cpu'):6.3f} s, "
              f"wall {median(timings, 'wall'):6.3f} s; store/driver: CPU "
              f"{median(store, 'cpu') / median(timings, 'cpu'):.2f}x, wall "
              f"{median(store, 'wall') / median(timings, 'wall'):.2f}x")  # fmt: skip
    rate = rows / median(store, "cpu")
    ratio = median(store, "cpu") / median(driver["executemany"], "cpu")
    met = rate >= GOAL_RATE or ratio <= GOAL_RATIO
    print(f"    goal >= {GOAL_RATE:,} rows/s or <= {GOAL_RATIO:g}x the driver's executemany "
          f"(CPU): {rate:,.0f} rows/s, {ratio:.2f}x: {'met' if met else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
