"""Phase 1: import a coverage template into a DRAFT ScheduleVersion and its ShiftInstances.

Everything is written in one transaction, the shift instances in bulk (one INSERT per batch).
A version is identified by (hospital, file SHA-256, period); the unique constraint on those
columns decides a race between two imports of the same file, never a read-then-write: the loser
rolls back and returns the winner's version with INFO `ALREADY_IMPORTED`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from schedcu.calendar import period_end
from schedcu.config import Settings, get_settings
from schedcu.db import transaction
from schedcu.errors import ConfigurationError, UnusableTemplate
from schedcu.models import (
    URL_LENGTH,
    Hospital,
    ScheduleVersion,
    ShiftInstance,
    VersionStatus,
    utcnow,
)
from schedcu.ods.expand import expand_template
from schedcu.ods.parse import parse_template
from schedcu.storage.fetch import opened
from schedcu.storage.location import Location, location
from schedcu.validation import ValidationResult

BATCH_SIZE = 5_000


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    version_id: int
    shift_instance_count: int
    already_imported: bool
    validation: ValidationResult


def import_schedule(
    *,
    engine: Engine,
    hospital_code: str,
    ods_path: Path | Location,
    start: dt.date,
    months: int,
    user_id: str | None = None,
    flow_run_id: str | None = None,
    settings: Settings | None = None,
) -> ImportOutcome:
    """Read `ods_path` (a local path or a URL), repeat it over `months` months from `start`,
    store it as a DRAFT version.

    Raises ConfigurationError (unknown hospital), a StorageError (the URL cannot be read) or a
    SpreadsheetError carrying the ValidationResult (file unusable, or not one shift instance);
    nothing is written then. The period and the user id come checked (schedcu.request). A file
    from a URL is downloaded whole (bounded) and checked as a local file would be.
    """
    settings = settings or get_settings()
    hospital_id, tz = _hospital(engine, hospital_code)
    source = ods_path if isinstance(ods_path, Location) else location(ods_path)
    limit = settings.ods_max_content_bytes
    with opened(source, settings, what="template", limit=limit) as template_file:
        template, result = parse_template(template_file.stream, settings=settings)
    end = period_end(start, months)
    rows = list(
        expand_template(
            template,
            start=start,
            end=end,
            tz=tz,
            day_start=settings.day_start,
            holidays=settings.holidays,
        )
    )
    if not rows:
        raise UnusableTemplate(
            f"The template produces no shift for {start:%d %b %Y} - {end:%d %b %Y}: no sheet "
            "applies to any date of the period (or no row of the shift list is dated in it).",
            code="NO_SHIFT_INSTANCES",
            validation=result,
        )
    version = ScheduleVersion(
        hospital_id=hospital_id,
        status=VersionStatus.DRAFT,
        effective_start=start,
        effective_end=end,
        source_filename=source.name[:500],
        source_sha256=template_file.sha256,
        source_url=source.as_url[:URL_LENGTH],
        layout=template.layout,
        template=template.to_dict(),
        created_by=user_id,
        flow_run_id=flow_run_id,
    )
    try:
        version_id = _insert(engine, version, rows)
    except sa.exc.IntegrityError:
        existing = _existing(engine, version)
        if existing is None:
            raise
        version_id, count = existing
        result.info(
            "ALREADY_IMPORTED",
            f"This file was already imported for {start:%d %b %Y} - {end:%d %b %Y} "
            f"(version {version_id}); that version is used.",
        )
        return ImportOutcome(version_id, count, True, result)
    return ImportOutcome(version_id, len(rows), False, result)


def _hospital(engine: Engine, code: str) -> tuple[int, ZoneInfo]:
    with Session(engine) as session:
        hospital = session.exec(select(Hospital).where(Hospital.code == code)).first()
    if hospital is None or hospital.id is None:
        raise ConfigurationError(
            f"No hospital has the code {code!r}; create it first or check the spelling.",
            code="UNKNOWN_HOSPITAL",
        )
    try:
        return hospital.id, ZoneInfo(hospital.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigurationError(
            f"Hospital {code!r} has an unknown time zone {hospital.timezone!r}.",
            code="UNKNOWN_TIMEZONE",
        ) from exc


def _insert(engine: Engine, version: ScheduleVersion, rows: list[dict[str, Any]]) -> int:
    """The version, then its shift instances in batches, all in one transaction."""
    table = ShiftInstance.__table__  # type: ignore[attr-defined]
    created_at = utcnow()
    with transaction(engine) as session:
        session.add(version)
        session.flush()  # the identity constraint decides here, before any shift is written
        assert version.id is not None
        batches = iter(rows)
        while batch := list(islice(batches, BATCH_SIZE)):
            session.execute(
                sa.insert(table),
                [row | {"version_id": version.id, "created_at": created_at} for row in batch],
            )
        return version.id


def _existing(engine: Engine, version: ScheduleVersion) -> tuple[int, int] | None:
    with Session(engine) as session:
        found = session.exec(
            select(ScheduleVersion.id).where(
                ScheduleVersion.hospital_id == version.hospital_id,
                ScheduleVersion.source_sha256 == version.source_sha256,
                ScheduleVersion.effective_start == version.effective_start,
                ScheduleVersion.effective_end == version.effective_end,
            )
        ).first()
        if found is None:
            return None
        count = session.exec(
            select(sa.func.count())
            .select_from(ShiftInstance)
            .where(ShiftInstance.version_id == found)
        ).one()
    return found, count
