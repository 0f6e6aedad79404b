"""Phase 1 writes shift instances BATCH_SIZE rows a statement: a flat list of exactly one batch,
one row more, and several batches plus a remainder is stored row for row, every column checked,
on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from schedcu.db import transaction
from schedcu.models import ShiftInstance
from schedcu.ods.importer import BATCH_SIZE, import_schedule
from tests.ods.builders import content_xml, sheet_xml, write_ods
from tests.utils.builders import make_hospital
from tests.utils.statements import across_batches, inserts_into

NEW_YORK = ZoneInfo("America/New_York")
MARCH = dt.date(2026, 3, 1)
SPECIALTIES = (None, "NEURO_ONLY", "BODY_ONLY")
HEADER = ["Date", "ShiftType", "RequiredStaffing", "SpecialtyConstraint", "StudyType"]


def shift_list(size: int) -> list[tuple[dt.date, str, int, str | None, str]]:
    """`size` distinct shifts in March 2026: (date, shift type, staffing, specialty, study)."""
    return [
        (
            MARCH + dt.timedelta(days=number % 31),
            f"Shift {number // 31}",
            number % 4 + 1,
            SPECIALTIES[number % 3],
            f"Study {number % 9}",
        )
        for number in range(size)
    ]


def expected_row(shift: tuple[dt.date, str, int, str | None, str], version_id: int) -> tuple:
    """The stored row, from the shift alone: no times, so the whole service day 08:00-08:00."""
    date, shift_type, staffing, specialty, study = shift
    return (
        version_id,
        date,
        shift_type,
        shift_type.replace(" ", "").lower(),
        shift_type,
        None,
        None,
        "Shifts",
        dt.datetime.combine(date, dt.time(8), NEW_YORK),
        dt.datetime.combine(date + dt.timedelta(days=1), dt.time(8), NEW_YORK),
        [study],
        study,
        specialty,
        staffing,
    )


def stored_row(row: ShiftInstance) -> tuple:
    return (
        row.version_id,
        row.service_date,
        row.position,
        row.position_key,
        row.category,
        row.day_type,
        row.scenario,
        row.sheet_name,
        row.start_at,
        row.end_at,
        row.study_types,
        row.study_type,
        row.specialty_constraint,
        row.required_staffing,
    )


@across_batches(BATCH_SIZE)
def test_every_shift_of_a_list_crossing_batches_is_stored_as_read(
    db_engine: Engine, tmp_path: Path, size: int
) -> None:
    shifts = shift_list(size)
    rows = [
        HEADER,
        *(
            [date.isoformat(), kind, str(staffing), specialty, study]
            for date, kind, staffing, specialty, study in shifts
        ),
    ]
    path = write_ods(tmp_path / "shifts.ods", content_xml([sheet_xml("Shifts", rows)]))
    with transaction(db_engine) as session:
        code = make_hospital(session, timezone="America/New_York").code
    with inserts_into(db_engine, "shift_instance") as inserts:
        outcome = import_schedule(
            engine=db_engine, hospital_code=code, ods_path=path, start=MARCH, months=1
        )

    assert outcome.shift_instance_count == size
    assert len(inserts) == -(-size // BATCH_SIZE)  # one statement per batch
    with Session(db_engine) as session:
        stored = session.exec(
            select(ShiftInstance).where(ShiftInstance.version_id == outcome.version_id)
        ).all()
    by_shift = {(row.service_date, row.position): stored_row(row) for row in stored}
    assert len(by_shift) == len(stored) == size
    for shift in shifts:
        assert by_shift[shift[:2]] == expected_row(shift, outcome.version_id), shift
