"""Storing a scrape: matching, aggregated warnings, one transaction, replace on re-scrape."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import select

from schedcu.amion.client import MonthExport
from schedcu.amion.simulator import AmionSimulator
from schedcu.amion.store import (
    INSERT_BATCH_ROWS,
    ScrapeOutcome,
    scrape_version,
    store_assignments,
)
from schedcu.calendar import place_window
from schedcu.db import transaction
from schedcu.errors import (
    AmionLoginFailed,
    AmionNotConfigured,
    ConfigurationError,
    RosterError,
    is_transient,
)
from schedcu.examples.amion_month import example_roster, schedule_for
from schedcu.examples.data import HOSPITAL_CODE
from schedcu.models import (
    Assignment,
    AssignmentSource,
    Person,
    ScrapeBatch,
    ScrapeState,
    ShiftInstance,
    Specialty,
)
from schedcu.names import person_key
from schedcu.validation import Severity
from tests.amion.conftest import CODE, EXAMPLE_MONTHS, TZ, add_shifts, fast_settings
from tests.utils.builders import make_hospital, make_version
from tests.utils.statements import across_batches, inserts_into


def new_version(
    engine: Engine,
    start: dt.date,
    end: dt.date,
    positions: tuple[str, ...] = ("MidC", "MidL", "Mid 3", "ON1", "ON2"),
    base_url: str | None = None,
) -> int:
    with transaction(engine) as session:
        hospital = make_hospital(session, code=HOSPITAL_CODE, amion_base_url=base_url)
        version = make_version(session, hospital, effective_start=start, effective_end=end)
        add_shifts(session, version, positions)
        assert version.id is not None
        return version.id


def hmm(text: str) -> dt.time:
    hours, minutes = divmod(int(text), 100)
    return dt.time(hours % 24, minutes)


def stored(engine: Engine, version_id: int) -> list[tuple[Assignment, Person]]:
    with transaction(engine) as session:
        query = (
            select(Assignment, Person)
            .join(Person, Person.id == Assignment.person_id)
            .where(Assignment.version_id == version_id)
        )
        return list(session.exec(query))


def scrape(engine: Engine, version_id: int, chromium: str, code: str = CODE) -> ScrapeOutcome:
    """Phase 2 for the version with the example roster, the session's Chromium and simulator."""
    return scrape_version(
        engine=engine,
        version_id=version_id,
        code=code,
        settings=fast_settings(chromium_cdp_url=chromium),
        roster=example_roster(),
    )


def month_export(text: str, year: int = 2026, month: int = 5) -> MonthExport:
    return MonthExport(year=year, month=month, text=text, url="http://amion/?Lo=***", sha256="x")


def test_a_multi_month_scrape_stores_exactly_the_expected_assignments(
    db_engine: Engine, amion: AmionSimulator, chromium: str
) -> None:
    version_id = new_version(
        db_engine, dt.date(2026, 3, 1), dt.date(2026, 4, 30), base_url=amion.url
    )
    outcome = scrape(db_engine, version_id, chromium)

    roster_names = {key: p.name for p in example_roster().people for key in p.keys}
    expected = set()
    for entry in schedule_for(EXAMPLE_MONTHS):
        times = (None, None)
        if entry.start:
            times = place_window(
                entry.date, hmm(entry.start), hmm(entry.end), day_start=dt.time(8), tz=TZ
            )
        expected.add((roster_names[person_key(entry.name)], entry.position, entry.date, *times))
    rows = stored(db_engine, version_id)
    actual = {(p.name, a.shift_name, a.service_date, a.start_at, a.end_at) for a, p in rows}
    assert actual == expected and len(rows) == len(expected)
    assert outcome.assignment_count == len(expected) == outcome.row_count
    assert outcome.unmatched_count == outcome.new_person_count == outcome.duplicate_count == 0
    assert not outcome.validation.by_severity(Severity.WARNING)
    assert {m.phase for m in outcome.validation} == {"amion_scrape"}

    with transaction(db_engine) as session:
        shifts = {s.id: s for s in session.exec(select(ShiftInstance))}
        batch = session.get(ScrapeBatch, outcome.batch_id)
        assert batch is not None and batch.state is ScrapeState.COMPLETE
        assert batch.row_count == len(expected) and batch.exports_sha256 == outcome.exports_sha256
        assert (batch.window_start, batch.window_end) == (dt.date(2026, 3, 1), dt.date(2026, 4, 30))
    for assignment, _person in rows:
        shift = shifts[assignment.shift_instance_id]
        assert (shift.service_date, shift.position_key) == (
            assignment.service_date,
            assignment.position_key,
        )
        assert assignment.source is AssignmentSource.AMION
        assert assignment.scrape_batch_id == outcome.batch_id


def test_unknown_people_positions_duplicates_and_spellings_from_amion(
    db_engine: Engine, amion: AmionSimulator, chromium: str
) -> None:
    version_id = new_version(
        db_engine, dt.date(2026, 5, 1), dt.date(2026, 5, 31), ("MidC", "ON1"), amion.url
    )
    outcome = scrape(db_engine, version_id, chromium)
    rows = stored(db_engine, version_id)
    by_date = {(a.service_date.day, a.shift_name): p.name for a, p in rows}
    assert by_date[(4, "MidC")] == by_date[(5, "MidC")] == "Jane Smith"
    assert by_date[(6, "MidC")] == "Ken Okafor"
    assert by_date[(7, "ON1")] == by_date[(8, "ON1")] == "John Doe"
    assert len(rows) == 8 and outcome.duplicate_count == 1

    codes = outcome.validation.codes()
    assert codes.count("DUPLICATE_ROW") == 1
    assert codes.count("NEW_PERSON") == 1 and outcome.new_person_count == 1
    unmatched = [m for m in outcome.validation if m.code == "UNMATCHED_ASSIGNMENT"]
    assert len(unmatched) == 1 and unmatched[0].severity is Severity.WARNING
    assert "'XR Float'" in unmatched[0].message and "3 rows on 3 dates" in unmatched[0].message
    floats = [a for a, _ in rows if a.shift_name == "XR Float"]
    assert len(floats) == 3 and all(a.shift_instance_id is None for a in floats)

    with transaction(db_engine) as session:
        doe = session.exec(select(Person).where(Person.name == "John Doe")).one()
        assert doe.specialty is Specialty.BOTH and doe.active and doe.aliases == ["Doe, John"]


def test_people_match_by_staff_id_else_by_name_or_alias(db_engine: Engine) -> None:
    version_id = new_version(db_engine, dt.date(2026, 5, 1), dt.date(2026, 5, 31), ("MidC",))
    export = month_export(
        '"Smith, Jane",,0,"MidC",31,0,5-1-26,1700,0\n'
        '"jane   SMITH",,0,"MidC",31,0,5-2-26,1700,0\n'
        '"Smith, J",,0,"MidC",31,0,5-3-26,1700,0\n'
        '"K. Okafor",,0,"MidC",31,0,5-4-26,1700,0\n'
        '"Dr. O. Haddad",4712,0,"MidC",31,0,5-5-26,1700,0\n'
        '"Wei, Li",EPICID:77,0,"MidC",31,0,5-6-26,1700,0\n'
        '"Wei, Li",EPICID:77,0,"MidC",31,0,5-7-26,1700,0\n'
    )
    outcome = store_assignments(
        engine=db_engine,
        version_id=version_id,
        exports=[export],
        roster=example_roster(),
        settings=fast_settings(),
    )
    names = [p.name for _, p in sorted(stored(db_engine, version_id), key=lambda r: r[0].id)]
    assert names == ["Jane Smith"] * 3 + ["Ken Okafor", "Omar Haddad"] + ["Li Wei"] * 2
    assert outcome.new_person_count == 0
    mismatch = [m for m in outcome.validation if m.code == "STAFF_ID_MISMATCH"]
    assert (
        len(mismatch) == 1 and "EPICID:77" in mismatch[0].message and "4713" in mismatch[0].message
    )


def test_a_rescrape_replaces_amion_assignments_and_keeps_manual_ones(db_engine: Engine) -> None:
    version_id = new_version(db_engine, dt.date(2026, 5, 1), dt.date(2026, 5, 31), ("MidC",))
    first = month_export('"Smith, Jane",4711,0,"MidC",31,0,5-1-26,1700,0\n')
    second = month_export(
        '"Wei, Li",4713,0,"MidC",31,0,5-1-26,1700,0\n"Wei, Li",4713,0,"MidC",31,0,5-2-26,1700,0\n'
    )
    settings = fast_settings()
    store_assignments(
        engine=db_engine,
        version_id=version_id,
        exports=[first],
        roster=example_roster(),
        settings=settings,
    )
    with transaction(db_engine) as session:
        person = session.exec(select(Person).where(Person.name == "Maria Garcia")).one()
        session.add(
            Assignment(
                version_id=version_id,
                person_id=person.id,
                service_date=dt.date(2026, 5, 3),
                shift_name="MidC",
                position_key="midc",
                source=AssignmentSource.MANUAL,
            )
        )
    outcome = store_assignments(
        engine=db_engine, version_id=version_id, exports=[second], roster=None, settings=settings
    )
    rows = stored(db_engine, version_id)
    amion_rows = [
        (a.service_date.day, p.name) for a, p in rows if a.source is AssignmentSource.AMION
    ]
    assert sorted(amion_rows) == [(1, "Li Wei"), (2, "Li Wei")]
    assert [p.name for a, p in rows if a.source is AssignmentSource.MANUAL] == ["Maria Garcia"]
    assert all(a.scrape_batch_id == outcome.batch_id for a, _ in rows if a.source == "AMION")


REFUSAL = "the database went away while writing assignments"


@contextmanager
def refusing_assignments(engine: Engine) -> Iterator[None]:
    """The database itself refuses every assignment row in the block (a trigger): whichever
    way the store writes them (INSERT or COPY), the write fails midway through the phase."""
    if engine.dialect.name == "postgresql":
        create = [
            "CREATE FUNCTION refuse_assignment() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$",
            "CREATE TRIGGER refuse_assignment BEFORE INSERT ON assignment FOR EACH ROW "
            "EXECUTE FUNCTION refuse_assignment()",
        ]
        drop = ["DROP TRIGGER refuse_assignment ON assignment", "DROP FUNCTION refuse_assignment()"]
    else:
        create = [
            "CREATE TRIGGER refuse_assignment BEFORE INSERT ON assignment "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        ]
        drop = ["DROP TRIGGER refuse_assignment"]
    with engine.begin() as connection:
        for statement in create:
            connection.exec_driver_sql(statement)
    try:
        yield
    finally:
        with engine.begin() as connection:
            for statement in drop:
                connection.exec_driver_sql(statement)


def test_a_failure_midway_leaves_the_previous_assignments(db_engine: Engine) -> None:
    version_id = new_version(db_engine, dt.date(2026, 5, 1), dt.date(2026, 5, 31), ("MidC",))
    settings = fast_settings()
    store_assignments(
        engine=db_engine,
        version_id=version_id,
        exports=[month_export('"Smith, Jane",4711,0,"MidC",31,0,5-1-26,1700,0\n')],
        roster=example_roster(),
        settings=settings,
    )
    before = [(a.id, a.scrape_batch_id) for a, _ in stored(db_engine, version_id)]

    with refusing_assignments(db_engine), pytest.raises(Exception, match="went away"):
        store_assignments(
            engine=db_engine,
            version_id=version_id,
            exports=[month_export('"Wei, Li",4713,0,"MidC",31,0,5-2-26,1700,0\n')],
            roster=None,
            settings=settings,
        )
    assert [(a.id, a.scrape_batch_id) for a, _ in stored(db_engine, version_id)] == before
    with transaction(db_engine) as session:
        batches = list(session.exec(select(ScrapeBatch).order_by(ScrapeBatch.id)))
    assert [b.state for b in batches] == [ScrapeState.COMPLETE, ScrapeState.FAILED]
    assert "went away" in (batches[1].error_text or "")


def test_a_failed_download_records_a_failed_batch(
    db_engine: Engine, amion: AmionSimulator, chromium: str
) -> None:
    version_id = new_version(
        db_engine, dt.date(2026, 3, 1), dt.date(2026, 3, 31), base_url=amion.url
    )
    with pytest.raises(AmionLoginFailed):
        scrape(db_engine, version_id, chromium, code="wrong-code")
    with transaction(db_engine) as session:
        batch = session.exec(select(ScrapeBatch)).one()
    assert batch.state is ScrapeState.FAILED and batch.error_text.startswith("AMION_LOGIN_FAILED")
    assert stored(db_engine, version_id) == []


def test_a_hospital_without_an_amion_address_is_not_configured(db_engine: Engine) -> None:
    """The flow's code and sentence; nothing is downloaded, so no batch is recorded."""
    version_id = new_version(db_engine, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    with pytest.raises(AmionNotConfigured) as caught:
        scrape_version(engine=db_engine, version_id=version_id, code=CODE, settings=fast_settings())
    assert caught.value.code == "AMION_NOT_CONFIGURED" and not is_transient(caught.value)
    assert str(caught.value) == (
        f"Hospital {HOSPITAL_CODE} has no Amion address: give it with "
        "`schedcu hospital add --amion-url` or SCHEDCU_AMION_BASE_URL."
    )
    with transaction(db_engine) as session:
        assert session.exec(select(ScrapeBatch)).all() == []


def test_an_unknown_version_is_refused_with_its_number(db_engine: Engine) -> None:
    with pytest.raises(ConfigurationError, match="Schedule version 4242 does not exist") as caught:
        scrape_version(engine=db_engine, version_id=4242, code=CODE, settings=fast_settings())
    assert caught.value.code == "INVALID_INPUT"


def test_rows_outside_the_period_are_left_out_with_one_message(db_engine: Engine) -> None:
    version_id = new_version(db_engine, dt.date(2026, 5, 15), dt.date(2026, 5, 31), ("MidC",))
    outcome = store_assignments(
        engine=db_engine,
        version_id=version_id,
        exports=[
            month_export(
                '"Smith, Jane",4711,0,"MidC",31,0,5-1-26,1700,0\n'
                '"Smith, Jane",4711,0,"MidC",31,0,5-2-26,1700,0\n'
                '"Smith, Jane",4711,0,"MidC",31,0,5-20-26,1700,0\n'
            )
        ],
        roster=example_roster(),
        settings=fast_settings(),
    )
    assert outcome.assignment_count == 1
    assert outcome.validation.codes().count("OUTSIDE_PERIOD") == 1


def test_a_roster_of_another_hospital_is_refused(db_engine: Engine) -> None:
    version_id = new_version(db_engine, dt.date(2026, 5, 1), dt.date(2026, 5, 31), ("MidC",))
    roster = example_roster()
    other = type(roster)(hospital="elsewhere", people=roster.people)
    with pytest.raises(RosterError, match="elsewhere"):
        store_assignments(
            engine=db_engine,
            version_id=version_id,
            exports=[],
            roster=other,
            settings=fast_settings(),
        )


def test_stored_assignments_are_written_as_the_orm_writes_them(db_engine: Engine) -> None:
    """The store's fast insert gives each column the same stored form as an ORM insert: the
    coverage phase filters and joins on these columns in SQL."""
    version_id = new_version(db_engine, dt.date(2026, 5, 1), dt.date(2026, 5, 31), ("MidC",))
    export = month_export(
        '"Smith, Jane",4711,0,"MidC",31,0,5-1-26,1700,0\n"Wei, Li",4713,0,"XR",31,0,5-2-26,,\n'
    )
    store_assignments(
        engine=db_engine,
        version_id=version_id,
        exports=[export],
        roster=example_roster(),
        settings=fast_settings(),
        created_by="tester",
    )
    columns = ("service_date", "start_at", "end_at", "source", "created_at")
    raw = sa.select(*(sa.cast(sa.column(c), sa.String) for c in columns)).select_from(
        sa.table("assignment")
    )
    with transaction(db_engine) as session:
        written = [tuple(row) for row in session.execute(raw.order_by(sa.column("id")))]
        copies = [
            Assignment(**a.model_dump(exclude={"id"})) for a in session.exec(select(Assignment))
        ]
        session.execute(sa.delete(Assignment))
        session.add_all(copies)
        session.flush()
        assert [tuple(row) for row in session.execute(raw.order_by(sa.column("id")))] == written
        start = dt.datetime(2026, 5, 1, 21, 0, tzinfo=dt.UTC)
        matched = session.exec(select(Assignment).where(Assignment.start_at == start)).all()
        assert [(a.shift_name, a.source, a.created_by) for a in matched] == [
            ("MidC", AssignmentSource.AMION, "tester")
        ]


BATCH_PEOPLE = ("Ava Stone", "Ben Ortiz", "Cleo Park", "Dan Reyes", "Eve Lund", "Finn Cho")


def batch_export_rows(size: int) -> list[tuple[str, str, dt.date, str, str]]:
    """`size` distinct Amion rows in May 2026: (person, position, date, start, end). The first
    31 are MidC 17:00-24:00 (they match the version's shifts), then other positions with day
    times or none."""
    rows = []
    for number in range(size):
        group = number // 31
        times = (("1700", "0"), ("800", "1700"), ("", ""))[0 if group == 0 else 1 + group % 2]
        position = "MidC" if group == 0 else f"Pos {group}"
        date = dt.date(2026, 5, 1 + number % 31)
        rows.append((BATCH_PEOPLE[number % len(BATCH_PEOPLE)], position, date, *times))
    return rows


def expected_window(date: dt.date, start: str, end: str) -> tuple[dt.datetime | None, ...]:
    """17:00-24:00 ends at the next midnight; 08:00-17:00 is the same day; no times, none."""
    if not start:
        return (None, None)
    begin = dt.datetime.combine(date, hmm(start), TZ)
    finish = dt.datetime.combine(date, hmm(end), TZ)
    return (begin, finish if finish > begin else finish + dt.timedelta(days=1))


@across_batches(INSERT_BATCH_ROWS)
def test_a_scrape_crossing_insert_batches_stores_every_row_as_read(
    db_engine: Engine, size: int
) -> None:
    version_id = new_version(db_engine, dt.date(2026, 5, 1), dt.date(2026, 5, 31), ("MidC",))
    rows = batch_export_rows(size)
    export = month_export(
        "".join(
            f'"{name}",,0,"{position}",31,0,{date.month}-{date.day}-26,{start},{end}\n'
            for name, position, date, start, end in rows
        )
    )
    with inserts_into(db_engine, "assignment") as inserts:
        outcome = store_assignments(
            engine=db_engine,
            version_id=version_id,
            exports=[export],
            roster=None,
            settings=fast_settings(),
            created_by="batch-test",
        )

    # SQLite: one multi-row INSERT per batch; PostgreSQL: one COPY, no INSERT at all
    batches = -(-size // INSERT_BATCH_ROWS)
    assert len(inserts) == (0 if db_engine.dialect.name == "postgresql" else batches)
    assert outcome.assignment_count == outcome.row_count == size
    with transaction(db_engine) as session:
        midc = {
            s.service_date: s.id
            for s in session.exec(
                select(ShiftInstance).where(ShiftInstance.version_id == version_id)
            )
        }
    by_row = {
        (person.name, a.shift_name, a.service_date): (
            a.position_key,
            a.start_at,
            a.end_at,
            a.shift_instance_id,
            a.version_id,
            a.source,
            a.scrape_batch_id,
            a.created_by,
        )
        for a, person in stored(db_engine, version_id)
    }
    assert len(by_row) == size
    for name, position, date, start, end in rows:
        assert by_row[(name, position, date)] == (
            position.replace(" ", "").lower(),
            *expected_window(date, start, end),
            midc[date] if position == "MidC" else None,
            version_id,
            AssignmentSource.AMION,
            outcome.batch_id,
            "batch-test",
        ), (name, position, date)
