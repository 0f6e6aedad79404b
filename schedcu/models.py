"""The entities of DOMAIN.md as SQLModel tables (their enumerations: `schedcu.enums`).

Timestamps are stored in UTC (`UtcDateTime` refuses naive datetimes), so a shift that crosses a
daylight-saving change keeps its true length. Enumerations are stored as short strings (no native
PostgreSQL enum types), which keeps migrations identical on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from schedcu.enums import (
    AssignmentSource,
    CoverageStatus,
    ScrapeState,
    Specialty,
    TemplateLayout,
    VersionStatus,
)

# Named constraints, so that migrations can alter them on SQLite (batch mode) and PostgreSQL alike.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware datetime, stored in UTC and returned aware on every backend."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: schedcu stores aware datetimes only")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _enum(enum_type: type[StrEnum]) -> sa.Enum:
    return sa.Enum(
        enum_type,
        native_enum=False,
        length=max(len(member.value) for member in enum_type),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def _created_at() -> Any:
    return Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)


class Hospital(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    amion_base_url: str | None = Field(default=None, max_length=500)
    timezone: str = Field(default="America/New_York", max_length=64)
    created_at: dt.datetime = _created_at()


class Person(SQLModel, table=True):
    """A radiologist of one hospital's roster. Never deleted: one who left becomes inactive."""

    __table_args__ = (
        sa.UniqueConstraint("hospital_id", "name_key", name="uq_person_hospital_name"),
        sa.UniqueConstraint("hospital_id", "amion_id", name="uq_person_hospital_amion_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    hospital_id: int = Field(foreign_key="hospital.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=200, description="normalised name used for matching")
    amion_id: str | None = Field(default=None, max_length=64)
    aliases: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    specialty: Specialty = Field(default=Specialty.BOTH, sa_type=_enum(Specialty), nullable=False)
    active: bool = True
    created_at: dt.datetime = _created_at()
    updated_at: dt.datetime = _created_at()


URL_LENGTH = 2000


class ScheduleVersion(SQLModel, table=True):
    """One import of a template for a period; identified by hospital, file SHA-256 and period."""

    __tablename__ = "schedule_version"
    __table_args__ = (
        sa.UniqueConstraint(
            "hospital_id",
            "source_sha256",
            "effective_start",
            "effective_end",
            name="uq_schedule_version_identity",
        ),
        # The key an ActiveDay refers to: a day can only be held by a version that is ACTIVE
        # (and of the day's hospital), which the database checks, not the code.
        sa.Index(
            "uq_schedule_version_id_hospital_status", "id", "hospital_id", "status", unique=True
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    hospital_id: int = Field(foreign_key="hospital.id", index=True, ondelete="CASCADE")
    status: VersionStatus = Field(
        default=VersionStatus.DRAFT, sa_type=_enum(VersionStatus), nullable=False
    )
    effective_start: dt.date
    effective_end: dt.date = Field(description="last service day of the period, inclusive")
    source_filename: str = Field(max_length=500)
    source_sha256: str = Field(max_length=64)
    # Where the template was read from, without credentials (`s3://...`, `file:///...`); the
    # first import's, when the same file came again through another address.
    source_url: str | None = Field(default=None, max_length=URL_LENGTH)
    layout: TemplateLayout = Field(sa_type=_enum(TemplateLayout), nullable=False)
    template: dict[str, Any] = Field(
        default_factory=dict,
        sa_type=sa.JSON,
        nullable=False,
        description="the parsed template, so coverage can be recalculated without the file",
    )
    created_by: str | None = Field(default=None, max_length=200)
    flow_run_id: str | None = Field(default=None, max_length=64)
    created_at: dt.datetime = _created_at()


class ShiftInstance(SQLModel, table=True):
    __tablename__ = "shift_instance"
    __table_args__ = (sa.Index("ix_shift_instance_version_date", "version_id", "service_date"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="schedule_version.id", ondelete="CASCADE")
    service_date: dt.date
    position: str = Field(max_length=200, description="as spelled in the template")
    position_key: str = Field(max_length=200, description="normalised, for matching")
    category: str = Field(max_length=64)
    day_type: str | None = Field(default=None, max_length=16)
    scenario: str | None = Field(default=None, max_length=16)
    sheet_name: str | None = Field(default=None, max_length=200)
    start_at: dt.datetime = Field(sa_type=UtcDateTime, nullable=False)
    end_at: dt.datetime = Field(sa_type=UtcDateTime, nullable=False)
    study_types: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    study_type: str | None = Field(default=None, max_length=200)
    specialty_constraint: str | None = Field(default=None, max_length=64)
    required_staffing: int | None = None
    created_at: dt.datetime = _created_at()


class ScrapeBatch(SQLModel, table=True):
    __tablename__ = "scrape_batch"

    id: int | None = Field(default=None, primary_key=True)
    hospital_id: int = Field(foreign_key="hospital.id", index=True, ondelete="CASCADE")
    version_id: int = Field(foreign_key="schedule_version.id", index=True, ondelete="CASCADE")
    window_start: dt.date
    window_end: dt.date
    state: ScrapeState = Field(
        default=ScrapeState.PENDING, sa_type=_enum(ScrapeState), nullable=False
    )
    row_count: int = 0
    exports_sha256: str | None = Field(default=None, max_length=64)
    error_text: str | None = None
    started_at: dt.datetime = _created_at()
    finished_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: dt.datetime = _created_at()


class Assignment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="schedule_version.id", index=True, ondelete="CASCADE")
    shift_instance_id: int | None = Field(
        default=None, foreign_key="shift_instance.id", index=True, ondelete="SET NULL"
    )
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="RESTRICT")
    service_date: dt.date
    shift_name: str = Field(max_length=200, description="the position as Amion spelled it")
    position_key: str = Field(max_length=200)
    start_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    end_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    source: AssignmentSource = Field(
        default=AssignmentSource.AMION, sa_type=_enum(AssignmentSource), nullable=False
    )
    scrape_batch_id: int | None = Field(
        default=None, foreign_key="scrape_batch.id", index=True, ondelete="SET NULL"
    )
    created_by: str | None = Field(default=None, max_length=200)
    created_at: dt.datetime = _created_at()


class CoverageCalculation(SQLModel, table=True):
    __tablename__ = "coverage_calculation"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="schedule_version.id", index=True, ondelete="CASCADE")
    calculated_at: dt.datetime = _created_at()
    period_start: dt.date
    period_end: dt.date
    layout: TemplateLayout = Field(sa_type=_enum(TemplateLayout), nullable=False)
    summary: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    inputs_sha256: str | None = Field(
        default=None,
        max_length=64,
        description="SHA-256 of what the calculation read (schedcu.changes.inputs): equal "
        "inputs, equal coverage, so a refresh that changed nothing stores nothing",
    )
    inputs: dict[str, Any] | None = Field(
        default=None,
        sa_type=sa.JSON,
        description="the assignments it read, as (service day, position, person): the next "
        "calculation compares its own with these once phase 2 has replaced them",
    )
    changes: dict[str, Any] | None = Field(
        default=None,
        sa_type=sa.JSON,
        description="what changed against the calculation it replaced (schedcu.changes.model)",
    )
    created_at: dt.datetime = _created_at()


class CoverageRow(SQLModel, table=True):
    """A status per (service day, segment, study type); per shift instance in the flat layout."""

    __tablename__ = "coverage_row"

    id: int | None = Field(default=None, primary_key=True)
    calculation_id: int = Field(
        foreign_key="coverage_calculation.id", index=True, ondelete="CASCADE"
    )
    service_date: dt.date
    category: str | None = Field(default=None, max_length=64)
    segment_start: dt.datetime = Field(sa_type=UtcDateTime, nullable=False)
    segment_end: dt.datetime = Field(sa_type=UtcDateTime, nullable=False)
    study_type: str | None = Field(default=None, max_length=200)
    status: CoverageStatus = Field(sa_type=_enum(CoverageStatus), nullable=False)
    positions: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    persons: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    shift_instance_id: int | None = Field(
        default=None, foreign_key="shift_instance.id", ondelete="SET NULL"
    )
    required: int | None = None
    assigned: int | None = None
    percentage: float | None = None


class ActiveDay(SQLModel, table=True):
    """A service day of a hospital held by its ACTIVE version: the database's guarantee of at most
    one ACTIVE version per hospital and day (the primary key), whoever writes.

    Promotion (`schedcu.versions.promote`) writes a version's days in the transaction that makes
    it ACTIVE and deletes them in the one that archives it. The foreign key on (version, hospital,
    status) with `status` fixed to ACTIVE refuses a day held by a version that is not ACTIVE or
    belongs to another hospital, and a status change of a version that still holds days.
    """

    __tablename__ = "active_day"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["version_id", "hospital_id", "status"],
            ["schedule_version.id", "schedule_version.hospital_id", "schedule_version.status"],
            name="fk_active_day_version_hospital_status",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("status = 'ACTIVE'", name="active_only"),
    )

    hospital_id: int = Field(primary_key=True)
    service_date: dt.date = Field(primary_key=True)
    version_id: int = Field(index=True)
    status: VersionStatus = Field(
        default=VersionStatus.ACTIVE, sa_type=_enum(VersionStatus), nullable=False
    )


class VersionStatusChange(SQLModel, table=True):
    """The audit trail of a version's status: who changed it, when, from what, to what and why."""

    __tablename__ = "version_status_change"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="schedule_version.id", index=True, ondelete="CASCADE")
    from_status: VersionStatus = Field(sa_type=_enum(VersionStatus), nullable=False)
    to_status: VersionStatus = Field(sa_type=_enum(VersionStatus), nullable=False)
    changed_by: str = Field(max_length=200)
    changed_at: dt.datetime = _created_at()
    reason: str | None = Field(default=None, max_length=1000)
    flow_run_id: str | None = Field(default=None, max_length=64)
