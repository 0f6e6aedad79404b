"""Phase 2's write: Amion rows become the version's assignments, with a ScrapeBatch, atomically.

`store_assignments` parses the downloaded exports, loads the roster (when given), matches rows to
people and shift instances, and in ONE transaction replaces the version's AMION assignments
(MANUAL ones stay) and records a COMPLETE ScrapeBatch. If anything fails, nothing of it is kept:
the previous assignments stay as they were, and a FAILED ScrapeBatch records the error.
`scrape_version` downloads and stores, for the CLI, the demo and the benchmark.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from schedcu.amion.client import MonthExport, download_exports
from schedcu.amion.export import ExportRow, export_location, parse_export
from schedcu.amion.matching import PersonMatcher, ShiftIndex
from schedcu.amion.roster import Roster, RosterError, apply_roster
from schedcu.calendar import months_in
from schedcu.config import Settings
from schedcu.db import transaction
from schedcu.errors import ConfigurationError, SchedcuError
from schedcu.models import (
    Assignment,
    AssignmentSource,
    Hospital,
    ScheduleVersion,
    ScrapeBatch,
    ScrapeState,
    utcnow,
)
from schedcu.validation import ValidationResult

if TYPE_CHECKING:
    from playwright.sync_api import Browser

logger = logging.getLogger(__name__)

PHASE = "amion"
MAX_DATES_SHOWN = 5


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
        with transaction(engine) as session:
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

    now = utcnow()
    seen: set[tuple[Any, ...]] = set()
    unmatched: dict[str, list[ExportRow]] = defaultdict(list)
    id_conflicts: dict[tuple[str, str, str], str] = {}
    new_people = duplicates = 0
    values: list[dict[str, Any]] = []
    for row in rows:
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
        person_id, position_key = person.id, row.position_key
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
            {
                "version_id": version_id,
                "shift_instance_id": instance.id if instance else None,
                "person_id": person_id,
                "service_date": row.service_date,
                "shift_name": row.position,
                "position_key": position_key,
                "start_at": row.start_at,
                "end_at": row.end_at,
                "source": AssignmentSource.AMION,
                "created_by": created_by,
                "created_at": now,
            }
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
    if values:
        for value in values:
            value["scrape_batch_id"] = batch.id
        _insert_rows(session, Assignment.__table__, values)  # type: ignore[attr-defined]
    unmatched_rows = sum(len(group) for group in unmatched.values())
    validation.info(
        "AMION_SCRAPED",
        f"Amion: {len(values)} assignments from {len(rows)} rows of {len(exports)} months "
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


def _insert_rows(session: Session, table: sa.Table, values: list[dict[str, Any]]) -> None:
    """One executemany of `values` (all with the same keys) into `table`.

    The columns' own bind processors run once per distinct value, not once per row: a year of
    assignments repeats a few hundred windows, one date per day and one source, and running
    the datetime and enum processors on every row cost more than the insert itself. The
    statement's columns are untyped so the processed values go to the driver as they are.
    """
    dialect = session.get_bind().dialect
    keys = list(values[0])
    types = {key: table.c[key].type.dialect_impl(dialect) for key in keys}
    processors = {key: types[key].bind_processor(dialect) for key in keys}
    memos: dict[str, dict[Any, Any]] = {key: {} for key in keys}
    for value in values:
        for key, process in processors.items():
            if process is None:
                continue
            raw = value[key]
            memo = memos[key]
            if raw not in memo:
                memo[raw] = process(raw)
            value[key] = memo[raw]
    plain = sa.table(table.name, *(sa.column(key) for key in keys))
    session.connection().execute(sa.insert(plain), values)


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
    inside = [r for r in rows if version.effective_start <= r.service_date <= version.effective_end]
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
    browser: Browser | None = None,
    created_by: str | None = None,
) -> ScrapeOutcome:
    """Download the exports of every month the version's period touches, then store them."""
    with transaction(engine) as session:
        version = session.get(ScheduleVersion, version_id)
        if version is None:
            raise ConfigurationError(f"Schedule version {version_id} does not exist.")
        hospital = session.get(Hospital, version.hospital_id)
        assert hospital is not None
        url = base_url or hospital.amion_base_url or settings.amion_base_url
        months = months_in(version.effective_start, version.effective_end)
    if not url:
        raise ConfigurationError(
            f"No Amion address is configured for {hospital.code}: set the hospital's Amion base "
            "URL or SCHEDCU_AMION_BASE_URL."
        )
    started_at = utcnow()
    try:
        exports = download_exports(
            base_url=url, code=code, months=months, settings=settings, browser=browser
        )
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
