"""Phase 3 against the database: load a version, calculate, store the calculation and its rows.

`recalculate` reads in one short session, computes outside it, then replaces the version's
previous calculation in one transaction: the version row is locked (PostgreSQL; SQLite's writer
lock does the same), the old calculation and its rows are deleted and the new ones bulk-inserted,
so a reader sees the old calculation or the new one, never a mix or none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from schedcu.config import Settings
from schedcu.coverage.calculate import calculate_coverage, zone
from schedcu.coverage.result import CoverageRecord, CoverageResult
from schedcu.db import transaction
from schedcu.errors import CoverageError
from schedcu.models import (
    Assignment,
    CoverageCalculation,
    CoverageRow,
    CoverageStatus,
    Hospital,
    Person,
    ScheduleVersion,
    ShiftInstance,
    TemplateLayout,
)
from schedcu.template import Template
from schedcu.validation import ValidationResult

INSERT_BATCH = 5_000
_ROWS = CoverageRow.__table__  # type: ignore[attr-defined]
_INSTANCES = ShiftInstance.__table__  # type: ignore[attr-defined]
_ASSIGNMENTS = Assignment.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class StoredCoverage:
    """A stored calculation read back for reports and exports."""

    calculation_id: int
    version_id: int
    hospital_code: str
    layout: TemplateLayout
    timezone: str
    period_start: dt.date
    period_end: dt.date
    summary: dict[str, Any]
    rows: tuple[CoverageRecord, ...] = field(repr=False)


@dataclass(frozen=True, slots=True)
class CoverageOutcome(StoredCoverage):
    """What phase 3 stored, as the reports read it, with the calculation's messages.
    `to_dict` leaves the rows out."""

    validation: ValidationResult = field(default_factory=ValidationResult)

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "calculation_id": self.calculation_id,
            "version_id": self.version_id,
            "hospital_code": self.hospital_code,
            "layout": self.layout.value,
            "timezone": self.timezone,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "row_count": self.row_count,
            "summary": self.summary,
            "validation": self.validation.to_list(),
        }


@dataclass(frozen=True, slots=True)
class _Loaded:
    version: ScheduleVersion
    hospital: Hospital
    instances: list[Any]
    assignments: list[Any]
    persons: list[Person]


def recalculate(*, engine: Engine, version_id: int, settings: Settings) -> CoverageOutcome:
    """Compute coverage for `version_id` and store it in place of any previous calculation."""
    loaded = _load(engine, version_id)
    result = calculate_coverage(
        template=_template(loaded.version),
        shift_instances=loaded.instances,
        assignments=loaded.assignments,
        persons=loaded.persons,
        settings=settings,
        tz=zone(loaded.hospital.timezone),
        period=(loaded.version.effective_start, loaded.version.effective_end),
    )
    with transaction(engine) as session:
        calculation_id = store_result(session, version=loaded.version, result=result)
    return CoverageOutcome(
        calculation_id=calculation_id,
        version_id=version_id,
        hospital_code=loaded.hospital.code,
        layout=result.layout,
        timezone=result.timezone,
        period_start=loaded.version.effective_start,
        period_end=loaded.version.effective_end,
        summary=result.summary,
        validation=result.validation,
        rows=result.rows,
    )


def _template(version: ScheduleVersion) -> Template:
    """The template stored with the version; unreadable JSON is a coverage error."""
    try:
        return Template.from_dict(version.template)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CoverageError(
            f"The template stored with schedule version {version.id} cannot be read; "
            "import the .ods again to recreate it.",
            code="UNREADABLE_TEMPLATE",
        ) from exc


def _load(engine: Engine, version_id: int) -> _Loaded:
    with Session(engine) as session:
        version = session.get(ScheduleVersion, version_id)
        if version is None:
            raise CoverageError(
                f"There is no schedule version {version_id}; import the template first.",
                code="UNKNOWN_VERSION",
            )
        hospital = session.get(Hospital, version.hospital_id)
        assert hospital is not None  # a foreign key guarantees it
        # Core rows: attribute access like the models, a fraction of the cost for a year of rows.
        instances = list(
            session.connection().execute(
                sa.select(_INSTANCES).where(_INSTANCES.c.version_id == version_id)
            )
        )
        assignments = list(
            session.connection().execute(
                sa.select(_ASSIGNMENTS).where(_ASSIGNMENTS.c.version_id == version_id)
            )
        )
        persons = list(
            session.execute(
                sa.select(Person).where(Person.hospital_id == version.hospital_id)
            ).scalars()
        )
        session.expunge_all()
    return _Loaded(version, hospital, instances, assignments, persons)


def store_result(session: Session, *, version: ScheduleVersion, result: CoverageResult) -> int:
    """Replace the version's calculation with `result` inside the caller's transaction."""
    session.execute(
        sa.select(ScheduleVersion.id).where(ScheduleVersion.id == version.id).with_for_update()
    )
    previous = sa.select(CoverageCalculation.id).where(CoverageCalculation.version_id == version.id)
    session.execute(sa.delete(_ROWS).where(_ROWS.c.calculation_id.in_(previous)))
    session.execute(
        sa.delete(CoverageCalculation).where(CoverageCalculation.version_id == version.id)
    )
    summary = result.summary | {"messages": result.validation.to_list()}
    calculation = CoverageCalculation(
        version_id=version.id,
        period_start=result.period_start or version.effective_start,
        period_end=result.period_end or version.effective_end,
        layout=result.layout,
        summary=summary,
    )
    session.add(calculation)
    session.flush()
    assert calculation.id is not None
    rows = [record.to_row(calculation.id) for record in result.rows]
    for offset in range(0, len(rows), INSERT_BATCH):
        session.execute(sa.insert(_ROWS), rows[offset : offset + INSERT_BATCH])
    return calculation.id


def load_coverage(
    *, engine: Engine, version_id: int | None = None, calculation_id: int | None = None
) -> StoredCoverage:
    """The version's calculation (or the one with `calculation_id`) with its rows in time order."""
    with Session(engine) as session:
        query = sa.select(CoverageCalculation)
        if calculation_id is not None:
            query = query.where(CoverageCalculation.id == calculation_id)
        else:
            query = query.where(CoverageCalculation.version_id == version_id)
        calculation = (
            session.execute(
                query.order_by(CoverageCalculation.calculated_at.desc())  # type: ignore[attr-defined]
            )
            .scalars()
            .first()
        )
        if calculation is None:
            what = f"calculation {calculation_id}" if calculation_id else f"version {version_id}"
            raise CoverageError(
                f"No coverage has been calculated for {what} yet; run "
                f"`schedcu coverage calculate --version {version_id or '<id>'}` first.",
                code="NO_COVERAGE",
            )
        version = session.get(ScheduleVersion, calculation.version_id)
        hospital = session.get(Hospital, version.hospital_id) if version else None
        assert version is not None and hospital is not None
        result = session.connection().execute(
            sa.select(_ROWS)
            .where(_ROWS.c.calculation_id == calculation.id)
            .order_by(_ROWS.c.segment_start, _ROWS.c.id)
        )
        rows = tuple(
            CoverageRecord(
                service_date=row.service_date,
                category=row.category,
                start=row.segment_start,
                end=row.segment_end,
                study_type=row.study_type,
                status=CoverageStatus(row.status),
                positions=tuple(row.positions),
                persons=tuple(row.persons),
                shift_instance_id=row.shift_instance_id,
                required=row.required,
                assigned=row.assigned,
                percentage=row.percentage,
            )
            for row in result
        )
        return StoredCoverage(
            calculation_id=calculation.id,
            version_id=calculation.version_id,
            hospital_code=hospital.code,
            layout=calculation.layout,
            timezone=hospital.timezone,
            period_start=calculation.period_start,
            period_end=calculation.period_end,
            summary=calculation.summary,
            rows=rows,
        )
