"""Each calculation compared with the one it replaces, stored with it; an unchanged refresh
stores nothing. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from schedcu.changes.store import stored_changes
from schedcu.config import Settings
from schedcu.coverage.service import recalculate
from schedcu.db import transaction
from schedcu.models import (
    Assignment,
    CoverageCalculation,
    CoverageRow,
    Hospital,
    Person,
    ScheduleVersion,
    ShiftInstance,
    Specialty,
    VersionStatus,
)
from schedcu.names import position_key
from schedcu.versions import promote
from tests.coverage.builders import (
    TZ,
    add_template_version,
    assign,
    matrix,
    sheet,
    store_version,
)

SAT, SUN = dt.date(2026, 3, 14), dt.date(2026, 3, 15)
CPMC, ALLEN = "CPMC CT Body", "Allen MR Neuro"
TEMPLATE = matrix(
    sheet("Mid Weekend 5 pm - 12 am", "17:00", "00:00", {"MidC": [CPMC], "MidL": [ALLEN]}),
)
WITH_MID3 = matrix(  # TEMPLATE and a Mid 3 reading CPMC
    sheet(
        "Mid Weekend 5 pm - 12 am",
        "17:00",
        "00:00",
        {"MidC": [CPMC], "MidL": [ALLEN], "Mid 3": [CPMC]},
    ),
)
ROSTER = [("Ann Lee", Specialty.BOTH), ("Bo Chen", Specialty.BOTH)]
STAFFED = [
    ("Ann Lee", SAT, "MidC", "17:00", "00:00"),
    ("Bo Chen", SAT, "MidL", "17:00", "00:00"),
    ("Ann Lee", SUN, "MidC", "17:00", "00:00"),
    ("Bo Chen", SUN, "MidL", "17:00", "00:00"),
]


def _rows_and_calculations(engine: Engine) -> tuple[list[int], int]:
    with engine.connect() as connection:
        ids = connection.execute(sa.select(CoverageCalculation.id)).scalars().all()
        rows = connection.execute(sa.select(sa.func.count()).select_from(CoverageRow)).scalar()
    return sorted(ids), rows


def _drop(engine: Engine, version_id: int, day: dt.date, position: str) -> None:
    with transaction(engine) as session:
        session.execute(
            sa.delete(Assignment).where(
                Assignment.version_id == version_id,
                Assignment.service_date == day,
                Assignment.shift_name == position,
            )
        )


def test_the_first_calculation_is_compared_with_nothing(db_engine: Engine) -> None:
    version_id = store_version(db_engine, TEMPLATE, (SAT, SUN), ROSTER, STAFFED)
    outcome = recalculate(engine=db_engine, version_id=version_id, settings=Settings())
    assert outcome.changes is None and outcome.stored
    hospital = _hospital(db_engine, version_id)
    found = stored_changes(db_engine, hospital_code=hospital)
    assert found is not None and found.calculation_id == outcome.calculation_id
    assert found.changes is None


def test_unchanged_inputs_store_nothing_and_say_so(db_engine: Engine) -> None:
    version_id = store_version(db_engine, TEMPLATE, (SAT, SUN), ROSTER, STAFFED)
    first = recalculate(engine=db_engine, version_id=version_id, settings=Settings())
    before = _rows_and_calculations(db_engine)

    again = recalculate(engine=db_engine, version_id=version_id, settings=Settings())

    assert not again.stored and again.rows == ()
    assert again.calculation_id == first.calculation_id
    assert again.row_count == first.row_count == 4
    assert again.summary["overall_percentage"] == 100.0
    assert again.changes is not None and again.changes.inputs_unchanged
    assert again.changes.nothing_changed
    assert [m.code for m in again.validation] == ["COVERAGE_UNCHANGED"]
    assert _rows_and_calculations(db_engine) == before
    # another setting that decides coverage is another input
    changed = recalculate(
        engine=db_engine, version_id=version_id, settings=Settings(day_start=dt.time(7))
    )
    assert changed.stored and changed.changes is not None
    assert not changed.changes.inputs_unchanged


def test_a_dropped_shift_opens_a_gap_stored_with_the_calculation(db_engine: Engine) -> None:
    version_id = store_version(db_engine, TEMPLATE, (SAT, SUN), ROSTER, STAFFED)
    first = recalculate(engine=db_engine, version_id=version_id, settings=Settings())
    _drop(db_engine, version_id, SUN, "MidL")

    second = recalculate(engine=db_engine, version_id=version_id, settings=Settings())

    changes = second.changes
    assert changes is not None and not changes.inputs_unchanged
    assert changes.baseline.calculation_id == first.calculation_id and changes.baseline.same_version
    (opened,) = changes.opened
    assert opened.study_type == ALLEN and opened.positions == ("MidL",)
    assert (opened.start.astimezone(TZ), opened.hours) == (
        dt.datetime(2026, 3, 15, 17, tzinfo=TZ),
        7.0,
    )
    assert changes.grown == [] and changes.closed == ()
    assert [(k.service_date, k.position, k.person) for k in changes.assignments_removed] == [
        (SUN, "MidL", "Bo Chen")
    ]
    assert changes.assignments_added == () and changes.shifts_added == ()
    found = stored_changes(
        db_engine, hospital_code=_hospital(db_engine, version_id), version_id=version_id
    )
    assert found is not None and found.calculation_id == second.calculation_id
    assert found.changes == changes

    # Bo takes Sunday back, and Ann leaves Saturday's MidC: one gap closed, one opened.
    with transaction(db_engine) as session:
        bo = session.execute(sa.text("SELECT id FROM person WHERE name = 'Bo Chen'")).scalar()
        row = assign(_person(bo), SUN, "MidL", "17:00", "00:00")
        row.id, row.version_id = None, version_id
        session.add(row)
    _drop(db_engine, version_id, SAT, "MidC")
    third = recalculate(engine=db_engine, version_id=version_id, settings=Settings()).changes
    assert third is not None
    assert [g.start.astimezone(TZ).date() for g in third.closed] == [SUN]
    assert [(g.study_type, g.start.astimezone(TZ).date()) for g in third.opened] == [(CPMC, SAT)]
    assert len(third.assignments_added) == 1 and len(third.assignments_removed) == 1


def test_a_longer_hole_is_a_grown_gap(db_engine: Engine) -> None:
    evening = matrix(
        sheet("Mid Weekend 5 pm - 9 pm", "17:00", "21:00", {"MidL": [ALLEN]}),
        sheet("Late Weekend 9 pm - 12 am", "21:00", "00:00", {"Late": [ALLEN]}, category="Late"),
    )
    version_id = store_version(
        db_engine, evening, (SUN, SUN), ROSTER, [("Bo Chen", SUN, "MidL", "17:00", "21:00")]
    )
    first = recalculate(engine=db_engine, version_id=version_id, settings=Settings())
    assert [gap["hours"] for gap in first.summary["gaps"]] == [3.0]  # nobody on Late
    _drop(db_engine, version_id, SUN, "MidL")

    changes = recalculate(engine=db_engine, version_id=version_id, settings=Settings()).changes

    assert changes is not None and changes.opened == () and changes.closed == ()
    (grown,) = changes.grown
    assert grown.hours == 7.0 and changes.changed[0].before_hours == 3.0
    assert grown.positions == ("MidL", "Late")
    assert changes.summary()["gaps_changed"][0]["change"] == "grown"


def test_a_new_version_is_compared_with_the_overlapping_one_over_the_shared_days(
    db_engine: Engine,
) -> None:
    old_id = store_version(db_engine, TEMPLATE, (SAT, SUN), ROSTER, STAFFED)
    old = recalculate(engine=db_engine, version_id=old_id, settings=Settings())
    # The new template adds a Mid 3 reading CPMC; it starts on Sunday and runs to Monday.
    template = WITH_MID3
    monday = SUN + dt.timedelta(days=1)
    new_id = _version_of_same_hospital(db_engine, old_id, template, (SUN, monday))

    new = recalculate(engine=db_engine, version_id=new_id, settings=Settings())

    changes = new.changes
    assert changes is not None
    assert changes.baseline.calculation_id == old.calculation_id
    assert changes.baseline.version_id == old_id and not changes.baseline.same_version
    assert (changes.first, changes.last) == (SUN, SUN)  # Saturday and Monday are not shared
    assert [(k.service_date, k.position) for k in changes.shifts_added] == [(SUN, "Mid 3")]
    assert changes.shifts_removed == ()
    # nobody is on the new version yet: Sunday's two gaps opened (Monday's are not compared)
    assert sorted((g.study_type, g.hours) for g in changes.opened) == [(ALLEN, 7.0), (CPMC, 7.0)]
    assert len(changes.assignments_removed) == 2

    # the lead's hook: another chooser (e.g. the ACTIVE version's calculation) decides
    other_id = _version_of_same_hospital(db_engine, old_id, template, (SAT, SAT))
    alone = recalculate(
        engine=db_engine,
        version_id=other_id,
        settings=Settings(),
        other_version=lambda session, version: None,
    )
    assert alone.changes is None

    # an ARCHIVED version is no baseline
    with transaction(db_engine) as session:
        session.execute(
            sa.update(ScheduleVersion)
            .where(ScheduleVersion.id.in_([old_id, new_id, other_id]))
            .values(status=VersionStatus.ARCHIVED)
        )
    latest_id = _version_of_same_hospital(db_engine, old_id, template, (SAT, SUN))
    assert recalculate(engine=db_engine, version_id=latest_id, settings=Settings()).changes is None


def test_the_active_versions_calculation_is_the_baseline_before_a_newer_draft(
    db_engine: Engine,
) -> None:
    active_id = store_version(db_engine, TEMPLATE, (SAT, SUN), ROSTER, STAFFED)
    active = recalculate(engine=db_engine, version_id=active_id, settings=Settings())
    promote(db_engine, version_id=active_id, by="ann")
    draft_id = _version_of_same_hospital(db_engine, active_id, WITH_MID3, (SAT, SUN))
    draft = recalculate(engine=db_engine, version_id=draft_id, settings=Settings())
    assert draft.changes is not None and draft.changes.baseline.version_id == active_id

    newest_id = _version_of_same_hospital(db_engine, active_id, WITH_MID3, (SUN, SUN))
    newest = recalculate(engine=db_engine, version_id=newest_id, settings=Settings())

    assert newest.changes is not None  # the ACTIVE one's, though the draft is newer
    assert newest.changes.baseline.calculation_id == active.calculation_id


def _hospital(engine: Engine, version_id: int) -> str:
    with Session(engine) as session:
        version = session.get(ScheduleVersion, version_id)
        assert version is not None
        hospital = session.get(Hospital, version.hospital_id)
        assert hospital is not None
        return hospital.code


def _person(person_id: int) -> Person:
    """The stored person as `assign` reads it (only its id matters)."""
    return Person(id=person_id, hospital_id=0, name="", name_key="")


def _version_of_same_hospital(
    engine: Engine, version_id: int, template, days: tuple[dt.date, dt.date]
) -> int:
    with transaction(engine) as session:
        old = session.get(ScheduleVersion, version_id)
        assert old is not None
        hospital = session.get(Hospital, old.hospital_id)
        assert hospital is not None
        version = add_template_version(session, hospital, template, days)
        rows = session.execute(
            sa.select(ShiftInstance.position_key).where(ShiftInstance.version_id == version.id)
        ).all()
        assert position_key("Mid 3") in {row.position_key for row in rows}
        return version.id
