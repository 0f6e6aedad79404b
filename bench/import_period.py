"""Benchmark: phase 1 on the real template over 12 months, into SQLite and PostgreSQL.

    .venv/bin/python bench/import_period.py [--template PATH] [--months 12]

For each database: the wall time of `import_schedule` (read, expand, one transaction with bulk
inserts) and ShiftInstances per second, against a baseline measured in the same run: the same
rows added as ORM objects (`session.add_all`) in one transaction. PostgreSQL comes from
SCHEDCU_BENCH_POSTGRES_URL (default: the local test server); a scratch database is created and
dropped. Best of three runs, each for a new period so none is ALREADY_IMPORTED.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from schedcu.calendar import period_end
from schedcu.config import Settings
from schedcu.db import transaction
from schedcu.models import Hospital, ScheduleVersion, ShiftInstance, TemplateLayout
from schedcu.ods import parse_template
from schedcu.ods.expand import expand_template
from schedcu.ods.importer import import_schedule
from tests.utils.databases import postgres_engine, sqlite_engine

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEMPLATE = ROOT.parent / "shared" / "fixtures" / "cuSchedNormalized.ods"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
RUNS = 3


def new_hospital(engine: Engine) -> str:
    code = f"bench-{uuid.uuid4().hex[:8]}"
    with transaction(engine) as session:
        session.add(Hospital(code=code, name="Bench", timezone="America/New_York"))
    return code


def timed_import(engine: Engine, template: Path, months: int) -> tuple[float, int]:
    best, count = float("inf"), 0
    code = new_hospital(engine)
    for run in range(RUNS):
        started = time.perf_counter()
        outcome = import_schedule(
            engine=engine,
            hospital_code=code,
            ods_path=template,
            start=dt.date(2026 + run, 1, 1),
            months=months,
        )
        best = min(best, time.perf_counter() - started)
        assert not outcome.already_imported
        count = outcome.shift_instance_count
    return best, count


def timed_orm_baseline(engine: Engine, template: Path, months: int) -> tuple[float, int]:
    """The same phase with ORM objects instead of bulk Core inserts."""
    best, count = float("inf"), 0
    with transaction(engine) as session:
        hospital = Hospital(code=f"orm-{uuid.uuid4().hex[:8]}", name="ORM", timezone="UTC")
        session.add(hospital)
    for run in range(RUNS):
        started = time.perf_counter()
        parsed, _ = parse_template(template)
        start = dt.date(2026 + run, 1, 1)
        end = period_end(start, months)
        rows = list(
            expand_template(
                parsed,
                start=start,
                end=end,
                tz=ZoneInfo("America/New_York"),
                day_start=Settings().day_start,
            )
        )
        with transaction(engine) as session:
            version = ScheduleVersion(
                hospital_id=hospital.id,
                effective_start=start,
                effective_end=end,
                source_filename=template.name,
                source_sha256=uuid.uuid4().hex,
                layout=TemplateLayout.MATRIX,
                template=parsed.to_dict(),
            )
            session.add(version)
            session.flush()
            session.add_all(ShiftInstance(version_id=version.id, **row) for row in rows)
        best = min(best, time.perf_counter() - started)
        count = len(rows)
    return best, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE)
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args()
    postgres = os.environ.get("SCHEDCU_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    backends = {"SQLite": sqlite_engine, "PostgreSQL": lambda: postgres_engine(postgres)}
    print(f"{args.template.name}, {args.months} months, best of {RUNS}")
    print(f"{'database':>11} {'method':>10} {'seconds':>8} {'instances':>10} {'per second':>11}")
    for name, factory in backends.items():
        with ExitStack() as stack:
            try:
                engine = stack.enter_context(factory())
            except sa.exc.OperationalError as exc:
                print(f"{name:>11} skipped: {type(exc).__name__}")
                continue
            bulk, count = timed_import(engine, args.template, args.months)
            orm, orm_count = timed_orm_baseline(engine, args.template, args.months)
        for method, seconds, instances in (("bulk", bulk, count), ("ORM", orm, orm_count)):
            print(
                f"{name:>11} {method:>10} {seconds:>8.3f} {instances:>10,} "
                f"{instances / seconds:>11,.0f}"
            )
        print(f"{'':>11} -> bulk import is {orm / bulk:.1f}x the ORM baseline")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
