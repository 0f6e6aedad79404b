"""The database side of "what changed": which calculation a new one is compared with, what that
one read, and the stored comparisons (for `schedcu changes`).

The baseline of a version's new calculation is, in this order:
1. the version's own current calculation (a refresh or a recalculation replaces it);
2. for a version calculated for the first time, a calculation of another version of the same
   hospital whose period overlaps, chosen by `other_version` (a `BaselineChooser`). The default,
   `latest_overlapping_calculation`, takes the ACTIVE version's (what the department works from),
   and before anyone promoted one, the most recently created such version that is not
   ARCHIVED.
None: the hospital's first calculation for these days, compared with nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from schedcu.changes.inputs import shift_keys
from schedcu.changes.model import AssignmentKey, Changes, ShiftKey
from schedcu.coverage.result import CoverageRecord
from schedcu.coverage.summary import GAP_STATUSES
from schedcu.errors import ConfigurationError
from schedcu.models import (
    CoverageCalculation,
    CoverageRow,
    CoverageStatus,
    Hospital,
    ScheduleVersion,
    ShiftInstance,
    VersionStatus,
)

# The calculation (its id) a version calculated for the first time is compared with.
BaselineChooser = Callable[[Session, ScheduleVersion], int | None]

_ROWS = CoverageRow.__table__  # type: ignore[attr-defined]
_INSTANCES = ShiftInstance.__table__  # type: ignore[attr-defined]
_CALCULATIONS = CoverageCalculation.__table__  # type: ignore[attr-defined]
_VERSIONS = ScheduleVersion.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class BaselineHead:
    """The baseline calculation without its rows: enough to tell whether anything changed."""

    calculation_id: int
    version_id: int
    same_version: bool
    inputs_sha256: str | None
    period_start: dt.date
    period_end: dt.date
    summary: dict[str, Any]


@dataclass(frozen=True, slots=True)
class BaselineInputs:
    """What the baseline read and found, for the comparison. `assignments` is None for a
    calculation stored before schedcu kept them (its assignments are not compared)."""

    gap_rows: tuple[CoverageRecord, ...]
    assignments: tuple[AssignmentKey, ...] | None
    shifts: tuple[ShiftKey, ...]


def latest_overlapping_calculation(session: Session, version: ScheduleVersion) -> int | None:
    """The latest calculation of the hospital's other version whose period overlaps `version`'s:
    the ACTIVE one first, else the most recently created one that is not ARCHIVED."""
    v, c = _VERSIONS.c, _CALCULATIONS.c
    return session.execute(
        sa.select(c.id)
        .join(_VERSIONS, v.id == c.version_id)
        .where(
            v.hospital_id == version.hospital_id,
            v.id != version.id,
            v.status != VersionStatus.ARCHIVED,
            v.effective_start <= version.effective_end,
            v.effective_end >= version.effective_start,
        )
        .order_by(
            sa.case((v.status == VersionStatus.ACTIVE, 0), else_=1),
            v.created_at.desc(),
            v.id.desc(),
            c.calculated_at.desc(),
            c.id.desc(),
        )
        .limit(1)
    ).scalar()


def baseline_calculation(
    session: Session,
    version: ScheduleVersion,
    *,
    other_version: BaselineChooser = latest_overlapping_calculation,
) -> BaselineHead | None:
    """The calculation a new one of `version` is compared with (module docstring), or None."""
    c = _CALCULATIONS.c
    own = session.execute(
        sa.select(c.id)
        .where(c.version_id == version.id)
        .order_by(c.calculated_at.desc(), c.id.desc())
        .limit(1)
    ).scalar()
    calculation_id = own if own is not None else other_version(session, version)
    if calculation_id is None:
        return None
    row = session.execute(
        sa.select(
            c.id, c.version_id, c.inputs_sha256, c.period_start, c.period_end, c.summary
        ).where(c.id == calculation_id)
    ).one()
    return BaselineHead(
        calculation_id=row.id,
        version_id=row.version_id,
        same_version=row.version_id == version.id,
        inputs_sha256=row.inputs_sha256,
        period_start=row.period_start,
        period_end=row.period_end,
        summary=row.summary,
    )


def baseline_inputs(session: Session, head: BaselineHead) -> BaselineInputs:
    """The baseline's gap rows, the assignments it read and (for another version) its shifts."""
    connection = session.connection()
    rows = connection.execute(
        sa.select(_ROWS).where(
            _ROWS.c.calculation_id == head.calculation_id,
            _ROWS.c.status.in_([status.value for status in GAP_STATUSES]),
        )
    )
    gap_rows = tuple(
        CoverageRecord(
            service_date=row.service_date,
            category=row.category,
            start=row.segment_start,
            end=row.segment_end,
            study_type=row.study_type,
            status=CoverageStatus(row.status),
            positions=tuple(row.positions),
        )
        for row in rows
    )
    inputs = connection.execute(
        sa.select(_CALCULATIONS.c.inputs).where(_CALCULATIONS.c.id == head.calculation_id)
    ).scalar()
    assignments = (
        tuple(AssignmentKey.from_list(key) for key in inputs["assignments"]) if inputs else None
    )
    shifts: tuple[ShiftKey, ...] = ()
    if not head.same_version:
        instances = connection.execute(
            sa.select(_INSTANCES).where(_INSTANCES.c.version_id == head.version_id)
        )
        shifts = tuple(shift_keys(instances))
    return BaselineInputs(gap_rows, assignments, shifts)


@dataclass(frozen=True, slots=True)
class StoredChanges:
    """A version's current calculation and what it found changed (None: compared with nothing)."""

    hospital_code: str
    version_id: int
    calculation_id: int
    calculated_at: dt.datetime
    changes: Changes | None


def stored_changes(
    engine: Engine, *, hospital_code: str, version_id: int | None = None
) -> StoredChanges | None:
    """The latest calculation of the hospital (of `version_id` when given) with its changes;
    None when nothing was calculated. A version of another hospital is refused."""
    with Session(engine) as session:
        hospital_id = session.execute(
            sa.select(Hospital.id).where(Hospital.code == hospital_code)
        ).scalar()
        if hospital_id is None:
            raise ConfigurationError(
                f"No hospital has the code {hospital_code!r}; see `schedcu hospital list`.",
                code="UNKNOWN_HOSPITAL",
            )
        v, c = _VERSIONS.c, _CALCULATIONS.c
        if version_id is not None:
            found = session.execute(sa.select(v.hospital_id).where(v.id == version_id)).scalar()
            if found != hospital_id:
                raise ConfigurationError(
                    f"Hospital {hospital_code} has no schedule version {version_id}; "
                    "`schedcu status` and the import's summary name its versions.",
                    code="UNKNOWN_VERSION",
                )
        query = (
            sa.select(c.id, c.version_id, c.calculated_at, c.changes)
            .join(_VERSIONS, v.id == c.version_id)
            .where(v.hospital_id == hospital_id)
            .order_by(c.calculated_at.desc(), c.id.desc())
            .limit(1)
        )
        if version_id is not None:
            query = query.where(c.version_id == version_id)
        row = session.execute(query).first()
    if row is None:
        return None
    return StoredChanges(
        hospital_code=hospital_code,
        version_id=row.version_id,
        calculation_id=row.id,
        calculated_at=row.calculated_at,
        changes=Changes.from_dict(row.changes) if row.changes else None,
    )
