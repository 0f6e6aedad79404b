"""Phase 3 stores coverage rows INSERT_BATCH a statement: a calculation of exactly one batch, one
row more, and several batches plus a remainder is read back record for record, every field
checked, on SQLite and PostgreSQL; a new calculation replaces all rows of the previous one."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from schedcu.coverage.result import CoverageRecord, CoverageResult
from schedcu.coverage.service import INSERT_BATCH, load_coverage, store_result
from schedcu.db import transaction
from schedcu.models import CoverageRow, CoverageStatus, ShiftInstance, TemplateLayout
from tests.utils.builders import make_hospital, make_version
from tests.utils.statements import across_batches, inserts_into

FIRST = dt.datetime(2026, 3, 1, 13, 0, tzinfo=dt.UTC)
STATUSES = tuple(CoverageStatus)


def records(size: int, shift_ids: list[int]) -> tuple[CoverageRecord, ...]:
    """`size` distinct records, one hour apart; every other one with the flat layout's fields."""
    made = []
    for number in range(size):
        start = FIRST + dt.timedelta(hours=number)
        flat = number % 2 == 0
        made.append(
            CoverageRecord(
                service_date=(start - dt.timedelta(hours=12)).date(),
                category=("Mid", "ON", None)[number % 3],
                start=start,
                end=start + dt.timedelta(minutes=30 + number % 30),
                study_type=f"Study {number % 11}" if number % 5 else None,
                status=STATUSES[number % len(STATUSES)],
                positions=tuple(f"P{k}" for k in range(number % 4)),
                persons=("Jane Smith", f"Person {number}")[: number % 3],
                shift_instance_id=shift_ids[number % len(shift_ids)] if flat else None,
                required=number % 7 if flat else None,
                assigned=number % 5 if flat else None,
                percentage=(number % 801) / 8 if flat else None,
            )
        )
    return tuple(made)


@across_batches(INSERT_BATCH)
def test_every_record_of_a_calculation_crossing_batches_is_stored(
    db_engine: Engine, size: int
) -> None:
    with transaction(db_engine) as session:
        version = make_version(session, make_hospital(session))
        shifts = [
            ShiftInstance(
                version_id=version.id,
                service_date=dt.date(2026, 3, day),
                position="MidC",
                position_key="midc",
                category="Mid",
                start_at=FIRST,
                end_at=FIRST,
            )
            for day in (1, 2, 3)
        ]
        session.add_all(shifts)
        session.flush()
        shift_ids = [shift.id for shift in shifts]
    previous = records(3, shift_ids)
    written = records(size, shift_ids)
    for rows in (previous, written):
        result = CoverageResult(TemplateLayout.FLAT, "America/New_York", rows, summary={})
        with inserts_into(db_engine, "coverage_row") as inserts, transaction(db_engine) as session:
            calculation_id = store_result(session, version=version, result=result)

    assert len(inserts) == -(-size // INSERT_BATCH)  # one statement per batch

    stored = load_coverage(engine=db_engine, version_id=version.id)
    assert stored.calculation_id == calculation_id
    assert stored.rows == written  # in time order, every field as written
    with db_engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(CoverageRow)).scalar() == (
            size
        )  # the previous calculation's rows are gone
