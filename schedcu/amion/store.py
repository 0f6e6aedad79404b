"""Phase 2's write: Amion rows become the version's assignments, with a ScrapeBatch, atomically.

`store_assignments` parses the downloaded exports, loads the roster (when given), matches rows to
people and shift instances, and in ONE transaction replaces the version's AMION assignments
(MANUAL ones stay) and records a COMPLETE ScrapeBatch. If anything fails, nothing of it is kept:
the previous assignments stay as they were, and a FAILED ScrapeBatch records the error.
`scrape_version` is the whole of phase 2 for a version: download, then store.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, repeat
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from schedcu import db_faults
from schedcu.amion.client import MonthExport, download_exports
from schedcu.amion.export import ExportRow, export_location, parse_export
from schedcu.amion.matching import PersonMatcher, ShiftIndex, converted_column
from schedcu.amion.roster import Roster, apply_roster
from schedcu.calendar import months_in
from schedcu.config import Settings
from schedcu.db import transaction
from schedcu.errors import AmionNotConfigured, ConfigurationError, RosterError, SchedcuError
from schedcu.models import (
    Assignment,
    AssignmentSource,
    Hospital,
    ScheduleVersion,
    ScrapeBatch,
    ScrapeState,
    utcnow,
)
from schedcu.orchestration import Phase
from schedcu.validation import ValidationResult
from schedcu.wording import plural

logger = logging.getLogger(__name__)

PHASE = Phase.AMION_SCRAPE.value  # the tag of phase 2's messages, as the flow records them
MAX_DATES_SHOWN = 5
# Rows a multi-row INSERT: 12,000 parameters, below SQLite's 32,766 and PostgreSQL's 65,535.
INSERT_BATCH_ROWS = 1000
ASSIGNMENT_COLUMNS = (
    "shift_instance_id",
    "person_id",
    "service_date",
    "shift_name",
    "position_key",
    "start_at",
    "end_at",
)


@dataclass(frozen=True, slots=True)
class ScrapeOutcome:
    batch_id: int
    version_id: int
    row_count: int
    assignment_count: int
    unmatched_count: int
    duplicate_count: int
    new_person_count: int
    exports_sha256: str
    validation: ValidationResult


def exports_digest(exports: list[MonthExport]) -> str:
    """SHA-256 over the exports' texts in month order: equal downloads, equal digest."""
    digest = hashlib.sha256()
    for export in sorted(exports, key=lambda e: (e.year, e.month)):
        digest.update(f"{export.year:04d}-{export.month:02d}\n".encode())
        digest.update(export.text.encode("utf-8"))
    return digest.hexdigest()


def store_assignments(
    *,
    engine: Engine,
    version_id: int,
    exports: list[MonthExport],
    roster: Roster | None,
    settings: Settings,
    created_by: str | None = None,
) -> ScrapeOutcome:
    """Replace the version's AMION assignments by those of `exports`, in one transaction."""
    started_at = utcnow()
    try:
        with _collector_paused(), transaction(engine) as session:
            outcome = _store(session, version_id, exports, roster, settings, created_by, started_at)
    except Exception as exc:
        record_failed_scrape(engine=engine, version_id=version_id, error=exc, started_at=started_at)
        raise
    logger.info(
        "Stored %d Amion assignments for version %d (%d rows, %d without a shift)",
        outcome.assignment_count,
        version_id,
        outcome.row_count,
        outcome.unmatched_count,
    )
    return outcome


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block, back on after (if it was on).

    The store allocates a few objects per row for tens of thousands of rows and frees them
    together; each allocation burst set off full collections that walked the whole heap again
    and again (measured: 40 % of the store). Reference counting still frees everything; cycles
    made meanwhile wait for the next collection.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def record_failed_scrape(
    *,
    engine: Engine,
    version_id: int,
    error: BaseException,
    started_at: dt.datetime | None = None,
) -> int | None:
    """A FAILED ScrapeBatch for the version (None when the version does not exist)."""
    text = (
        f"{error.code}: {error.message}"
        if isinstance(error, SchedcuError)
        else f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    )
    with transaction(engine) as session:
        version = session.get(ScheduleVersion, version_id)
        if version is None:
            return None
        batch = ScrapeBatch(
            hospital_id=version.hospital_id,
            version_id=version_id,
            window_start=version.effective_start,
            window_end=version.effective_end,
            state=ScrapeState.FAILED,
            error_text=text[:2000],
            started_at=started_at or utcnow(),
            finished_at=utcnow(),
        )
        session.add(batch)
        session.flush()
        return batch.id


def _store(
    session: Session,
    version_id: int,
    exports: list[MonthExport],
    roster: Roster | None,
    settings: Settings,
    created_by: str | None,
    started_at: dt.datetime,
) -> ScrapeOutcome:
    version = session.get(ScheduleVersion, version_id)
    if version is None:
        raise ConfigurationError(f"Schedule version {version_id} does not exist.")
    hospital = session.get(Hospital, version.hospital_id)
    assert hospital is not None and hospital.id is not None
    validation = ValidationResult()
    if roster is not None:
        if roster.hospital and roster.hospital != hospital.code:
            raise RosterError(
                f"The roster is for '{roster.hospital}', not for the hospital '{hospital.code}'."
            )
        validation.extend(apply_roster(session, hospital_id=hospital.id, roster=roster))

    rows = _parsed_rows(exports, settings, ZoneInfo(hospital.timezone), validation)
    rows = _within_period(rows, version, validation)
    people = PersonMatcher(session, hospital.id)
    shifts = ShiftIndex.of_version(session, version_id)

    seen: set[tuple[Any, ...]] = set()
    unmatched: dict[str, list[ExportRow]] = defaultdict(list)
    id_conflicts: dict[tuple[str, str, str], str] = {}
    person_ids: dict[tuple[str, str | None], int] = {}  # a year names a few hundred people
    new_people = duplicates = 0
    values: list[tuple[Any, ...]] = []
    for row in rows:
        spelling = (row.staff_name, row.staff_id)
        person_id = person_ids.get(spelling)
        if person_id is None:
            person = people.find(row.staff_name, row.staff_id)
            if person is None:
                person = people.add(row.staff_name, row.staff_id)
                new_people += 1
                validation.info(
                    "NEW_PERSON",
                    f"Amion lists '{row.staff_name}', who is not on the roster: added as "
                    f"{person.name} with specialty BOTH.",
                    row.location,
                )
            elif row.staff_id and person.amion_id and row.staff_id != person.amion_id:
                id_conflicts.setdefault((person.name, row.staff_id, person.amion_id), row.location)
            assert person.id is not None
            person_id = person_ids[spelling] = person.id
        position_key = row.position_key
        identity = (person_id, position_key, row.service_date, row.start_at, row.end_at)
        if identity in seen:
            duplicates += 1
            validation.info(
                "DUPLICATE_ROW",
                f"{row.staff_name} on {row.position} on {row.service_date:%a %d %b %Y} is listed "
                "twice in Amion; it is kept once.",
                row.location,
            )
            continue
        seen.add(identity)
        instance = shifts.match(row.service_date, position_key, row.start_at, row.end_at)
        if instance is None:
            unmatched[row.position].append(row)
        values.append(
            (
                instance.id if instance else None,
                person_id,
                row.service_date,
                row.position,
                position_key,
                row.start_at,
                row.end_at,
            )
        )
    _warn_unmatched(unmatched, validation)
    for (name, amion_id, known_id), location in id_conflicts.items():
        validation.warning(
            "STAFF_ID_MISMATCH",
            f"Amion lists {name} with staff id {amion_id}, but the roster gives {known_id}; "
            "the rows were matched by name. Check the roster.",
            location,
        )

    session.execute(
        sa.delete(Assignment).where(
            Assignment.version_id == version_id, Assignment.source == AssignmentSource.AMION
        )
    )
    digest = exports_digest(exports)
    batch = ScrapeBatch(
        hospital_id=hospital.id,
        version_id=version_id,
        window_start=version.effective_start,
        window_end=version.effective_end,
        state=ScrapeState.COMPLETE,
        row_count=len(rows),
        exports_sha256=digest,
        started_at=started_at,
        finished_at=utcnow(),
    )
    session.add(batch)
    session.flush()
    _insert_rows(
        session,
        Assignment.__table__,  # type: ignore[attr-defined]
        ASSIGNMENT_COLUMNS,
        values,
        constants={
            "version_id": version_id,
            "source": AssignmentSource.AMION,
            "scrape_batch_id": batch.id,
            "created_by": created_by,
            "created_at": utcnow(),
        },
    )
    unmatched_rows = sum(len(group) for group in unmatched.values())
    validation.info(
        "AMION_SCRAPED",
        f"Amion: {len(values)} assignments from {len(rows)} rows of "
        f"{plural(len(exports), 'month')} "
        f"({unmatched_rows} without a matching shift, {new_people} new people).",
    )
    assert batch.id is not None
    return ScrapeOutcome(
        batch_id=batch.id,
        version_id=version_id,
        row_count=len(rows),
        assignment_count=len(values),
        unmatched_count=unmatched_rows,
        duplicate_count=duplicates,
        new_person_count=new_people,
        exports_sha256=digest,
        validation=validation.with_phase(PHASE),
    )


def _insert_rows(
    session: Session,
    table: sa.Table,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    constants: dict[str, Any],
) -> None:
    """Insert `rows` (values of `columns`, in order) into `table`, each with the `constants`.

    Straight to the driver: a year of assignments is tens of thousands of rows, and SQLAlchemy's
    per-row parameter handling in an executemany cost more than the database's work. PostgreSQL
    takes them through psycopg's COPY (a tenth of the CPU time of multi-row INSERTs, whose
    12,000 parameters a statement psycopg adapts one by one); SQLite as multi-row INSERTs of
    INSERT_BATCH_ROWS rows. The columns' own bind processors convert each distinct value once
    (`converted_column`), so every column is stored exactly as an ORM insert stores it.
    """
    if not rows:
        return
    dialect = session.get_bind().dialect

    def processor(column: str) -> Callable[[Any], Any] | None:
        return table.c[column].type.dialect_impl(dialect).bind_processor(dialect)

    converted = [
        converted_column(values, processor(column))
        for column, values in zip(columns, zip(*rows, strict=True), strict=True)
    ]
    fixed = [
        converted_column((value,), processor(column))[0] for column, value in constants.items()
    ]
    names = [*columns, *constants]
    quote = dialect.identifier_preparer.quote
    into = f"{quote(table.name)} ({', '.join(map(quote, names))})"
    connection = session.connection()

    def values(first: int, count: int) -> Iterator[tuple[Any, ...]]:
        return zip(
            *(column[first : first + count] for column in converted),
            *(repeat(value, count) for value in fixed),
            strict=True,
        )

    if dialect.name == "postgresql":
        _copy_rows(connection, into, values(0, len(rows)))
        return
    one_row = f"({', '.join(['?'] * len(names))})"  # pysqlite's qmark
    for first in range(0, len(rows), INSERT_BATCH_ROWS):
        count = min(INSERT_BATCH_ROWS, len(rows) - first)
        statement = f"INSERT INTO {into} VALUES " + ", ".join([one_row] * count)
        connection.exec_driver_sql(statement, tuple(chain.from_iterable(values(first, count))))


def _copy_rows(connection: sa.Connection, into: str, rows: Iterator[tuple[Any, ...]]) -> None:
    """`COPY into FROM STDIN` on the transaction's psycopg connection. The engine's fault
    translation sees only what SQLAlchemy executes, so a driver error is translated here: a lost
    connection or a full disk ends the phase with its coded sentence, as an INSERT's would."""
    import psycopg  # PostgreSQL's driver, only where it is used

    driver = connection.connection.driver_connection
    try:
        with driver.cursor() as cursor, cursor.copy(f"COPY {into} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.Error as error:
        fault = db_faults.fault_class(error, is_disconnect=driver.broken)
        if fault is None:
            raise
        raise db_faults.database_error(fault, connection.engine.url, error) from error


def _parsed_rows(
    exports: list[MonthExport], settings: Settings, tz: ZoneInfo, validation: ValidationResult
) -> list[ExportRow]:
    rows: list[ExportRow] = []
    for export in sorted(exports, key=lambda e: (e.year, e.month)):
        month_rows, findings = parse_export(
            export.text, year=export.year, month=export.month, day_start=settings.day_start, tz=tz
        )
        rows.extend(month_rows)
        validation.extend(findings)
    return rows


def _within_period(
    rows: list[ExportRow], version: ScheduleVersion, validation: ValidationResult
) -> list[ExportRow]:
    first, last = version.effective_start, version.effective_end  # not an ORM lookup per row
    inside = [r for r in rows if first <= r.service_date <= last]
    if len(inside) < len(rows):
        validation.info(
            "OUTSIDE_PERIOD",
            f"{len(rows) - len(inside)} Amion rows fall outside the version's period "
            f"({version.effective_start} to {version.effective_end}) and were left out.",
        )
    return inside


def _warn_unmatched(unmatched: dict[str, list[ExportRow]], validation: ValidationResult) -> None:
    """One WARNING per Amion position that matches no shift, never one per row."""
    for position, rows in sorted(unmatched.items()):
        dates = sorted({row.service_date for row in rows})
        shown = ", ".join(d.isoformat() for d in dates[:MAX_DATES_SHOWN])
        more = f" and {len(dates) - MAX_DATES_SHOWN} more" if len(dates) > MAX_DATES_SHOWN else ""
        validation.warning(
            "UNMATCHED_ASSIGNMENT",
            f"Amion position '{position}' matches no shift of the template: {len(rows)} rows on "
            f"{len(dates)} dates ({shown}{more}). They are kept without a shift.",
            export_location(rows[0].year, rows[0].month),
        )


def scrape_version(
    *,
    engine: Engine,
    version_id: int,
    code: str,
    settings: Settings,
    roster: Roster | None = None,
    base_url: str | None = None,
    created_by: str | None = None,
) -> ScrapeOutcome:
    """Phase 2 for a version: download the exports of every month its period touches from the
    hospital's Amion (or `base_url`), then store them (`store_assignments`).

    A failed download leaves the version's assignments as they were and records a FAILED
    ScrapeBatch; a hospital without an Amion address is AmionNotConfigured and records nothing.
    A plain function: see `download_exports` for the browser and the event loop it uses.
    """
    with transaction(engine) as session:
        version = session.get(ScheduleVersion, version_id)
        if version is None:
            raise ConfigurationError(f"Schedule version {version_id} does not exist.")
        hospital = session.get(Hospital, version.hospital_id)
        assert hospital is not None
        url = base_url or hospital.amion_base_url or settings.amion_base_url
        months = months_in(version.effective_start, version.effective_end)
    if not url:
        raise AmionNotConfigured(
            f"Hospital {hospital.code} has no Amion address: give it with "
            "`schedcu hospital add --amion-url` or SCHEDCU_AMION_BASE_URL."
        )
    started_at = utcnow()
    try:
        exports = download_exports(base_url=url, code=code, months=months, settings=settings)
    except SchedcuError as exc:
        record_failed_scrape(engine=engine, version_id=version_id, error=exc, started_at=started_at)
        raise
    return store_assignments(
        engine=engine,
        version_id=version_id,
        exports=exports,
        roster=roster,
        settings=settings,
        created_by=created_by,
    )
