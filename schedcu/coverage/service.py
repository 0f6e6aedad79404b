"""Phase 3 against the database: load a version, calculate, store the calculation and its rows.

`recalculate` reads in one short session, computes outside it, then replaces the version's
previous calculation in one transaction: the version row is locked (PostgreSQL; SQLite's writer
lock does the same), the old calculation and its rows are deleted and the new ones bulk-inserted,
so a reader sees the old calculation or the new one, never a mix or none.

Each new calculation is compared with its baseline (`schedcu.changes.store`) and stored with
what changed. When its inputs are those of the version's current calculation (the fingerprint of
`schedcu.changes.inputs`), nothing is calculated or written: the coverage cannot differ.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from schedcu.changes.compare import compare
from schedcu.changes.inputs import assignment_keys, inputs_fingerprint, shift_keys
from schedcu.changes.model import AssignmentKey, Baseline, Changes
from schedcu.changes.store import (
    BaselineChooser,
    BaselineHead,
    BaselineInputs,
    baseline_calculation,
    baseline_inputs,
    latest_overlapping_calculation,
)
from schedcu.config import Settings
from schedcu.coverage.calculate import calculate_coverage, zone
from schedcu.coverage.result import PHASE, CoverageRecord, CoverageResult
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
    """What phase 3 stored, as the reports read it, with the calculation's messages and what
    changed against its baseline (None: nothing to compare with). `stored` False: the inputs
    were unchanged, so this is the version's current calculation, without its rows.
    `to_dict` leaves the rows out."""

    validation: ValidationResult = field(default_factory=ValidationResult)
    changes: Changes | None = None
    stored: bool = True

    @property
    def row_count(self) -> int:
        return len(self.rows) if self.stored else int(self.summary.get("row_count", 0))

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
            "stored": self.stored,
            "changes": self.changes.summary() if self.changes else None,
        }


@dataclass(frozen=True, slots=True)
class _Loaded:
    """What decides whether to calculate: the shift instances are read only once it is so."""

    version: ScheduleVersion
    hospital: Hospital
    assignments: list[Any]
    persons: list[Person]


def recalculate(
    *,
    engine: Engine,
    version_id: int,
    settings: Settings,
    other_version: BaselineChooser = latest_overlapping_calculation,
) -> CoverageOutcome:
    """Compute coverage for `version_id` and store it in place of any previous calculation,
    with what changed against its baseline (`other_version` picks it for a version calculated
    for the first time). Unchanged inputs: nothing is computed or stored (module docstring)."""
    loaded = _load(engine, version_id)
    tz = zone(loaded.hospital.timezone)
    fingerprint = inputs_fingerprint(
        version=loaded.version,
        timezone=tz.key,
        assignments=loaded.assignments,
        persons=loaded.persons,
        settings=settings,
    )
    with Session(engine) as session:
        head = baseline_calculation(session, loaded.version, other_version=other_version)
        if head is not None and head.same_version and head.inputs_sha256 == fingerprint:
            return _unchanged(loaded, head)
        before = baseline_inputs(session, head) if head is not None else None
        instances = list(
            session.connection().execute(
                sa.select(_INSTANCES).where(_INSTANCES.c.version_id == version_id)
            )
        )
    result = calculate_coverage(
        template=_template(loaded.version),
        shift_instances=instances,
        assignments=loaded.assignments,
        persons=loaded.persons,
        settings=settings,
        tz=tz,
        period=(loaded.version.effective_start, loaded.version.effective_end),
    )
    assignments = assignment_keys(loaded.assignments, loaded.persons)
    changes = (
        _compared(loaded, head, before, result, assignments, instances)
        if head is not None and before is not None
        else None
    )
    with transaction(engine) as session:
        calculation_id = store_result(
            session,
            version=loaded.version,
            result=result,
            inputs_sha256=fingerprint,
            assignments=assignments,
            changes=changes,
        )
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
        changes=changes,
    )


def _compared(
    loaded: _Loaded,
    head: BaselineHead,
    before: BaselineInputs,
    result: CoverageResult,
    assignments: list[AssignmentKey],
    instances: list[Any],
) -> Changes | None:
    """`result` against its baseline over the service days both cover (None: they share none,
    which a chooser should not pick)."""
    first = max(loaded.version.effective_start, head.period_start)
    last = min(loaded.version.effective_end, head.period_end)
    if first > last:
        return None
    return compare(
        baseline=Baseline(head.calculation_id, head.version_id, head.same_version),
        timezone=result.timezone,
        days=(first, last),
        rows_before=before.gap_rows,
        rows_after=result.rows,
        # A baseline stored before schedcu kept its assignments: they are not compared.
        assignments_before=assignments if before.assignments is None else before.assignments,
        assignments_after=assignments,
        shifts_before=before.shifts,
        shifts_after=() if head.same_version else shift_keys(instances),
    )


def _unchanged(loaded: _Loaded, head: BaselineHead) -> CoverageOutcome:
    """The version's current calculation, when a new one would read the same inputs."""
    validation = ValidationResult()
    validation.info(
        "COVERAGE_UNCHANGED",
        f"Amion and the roster are as they were for calculation {head.calculation_id}: the "
        "coverage is unchanged and nothing new was stored.",
    )
    version = loaded.version
    return CoverageOutcome(
        calculation_id=head.calculation_id,
        version_id=head.version_id,
        hospital_code=loaded.hospital.code,
        layout=version.layout,
        timezone=zone(loaded.hospital.timezone).key,
        period_start=head.period_start,
        period_end=head.period_end,
        summary=head.summary,
        rows=(),
        validation=validation.with_phase(PHASE),
        changes=Changes(
            timezone=loaded.hospital.timezone,
            baseline=Baseline(head.calculation_id, head.version_id, same_version=True),
            first=version.effective_start,
            last=version.effective_end,
            inputs_unchanged=True,
        ),
        stored=False,
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
    return _Loaded(version, hospital, assignments, persons)


def store_result(
    session: Session,
    *,
    version: ScheduleVersion,
    result: CoverageResult,
    inputs_sha256: str | None = None,
    assignments: list[AssignmentKey] | None = None,
    changes: Changes | None = None,
) -> int:
    """Replace the version's calculation with `result` inside the caller's transaction, with
    the fingerprint of its inputs, the assignments it read and what changed."""
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
        inputs_sha256=inputs_sha256,
        inputs=(
            {"assignments": [key.to_list() for key in assignments]}
            if assignments is not None
            else None
        ),
        changes=changes.to_dict() if changes else None,
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
