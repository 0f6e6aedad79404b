"""Schedule versions people promote: DRAFT when imported, ACTIVE when a person promotes one,
ARCHIVED when a newer ACTIVE version replaces it for an overlapping period of its hospital.

At most one ACTIVE version per hospital and service day is the database's rule, not this
module's: an ACTIVE version holds each day of its period as a row of `active_day`, whose primary
key is (hospital, day) and whose foreign key admits only a version that is ACTIVE
(`schedcu.models.ActiveDay`). `promote` does everything in one transaction:

1. lock the hospital's row (PostgreSQL `FOR NO KEY UPDATE`; on SQLite `BEGIN IMMEDIATE` already
   serialises writers), so that two promotions of one hospital run one after the other;
2. archive every ACTIVE version holding one of the version's days (its days released first);
3. make the version ACTIVE and hold its days;
4. write a history row (`version_status_change`) for each change: who, when, from, to, why.

So two promotions of overlapping versions sent at the same moment end as if sent one after the
other: the later one is ACTIVE, the earlier one ARCHIVED, each change in the history. Were the
lock ever bypassed, the primary key would refuse the second promotion's days (an error, nothing
written), never two ACTIVE versions for a day.

The rules a coordinator meets:
- promoting the ACTIVE version again is refused (VERSION_ALREADY_ACTIVE), nothing written;
- an ARCHIVED version can be promoted again, to go back to it: it archives what holds its days;
- a version is archived whole: replaced for part of its period, it is ARCHIVED for all of it, and
  its days outside the new version's period have no ACTIVE version until one is promoted
  (`Promotion.uncovered` names them; the nightly refresh then warns).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from schedcu.calendar import service_dates
from schedcu.db import transaction
from schedcu.errors import ConfigurationError, VersionStatusRefused
from schedcu.models import ActiveDay, Hospital, ScheduleVersion, VersionStatusChange, utcnow
from schedcu.models import VersionStatus as Status
from schedcu.validation import ValidationResult
from schedcu.wording import days_text

# "Today and the coming weeks": the days in which the nightly refresh looks for an ACTIVE version.
FOLLOW_DAYS = 28


@dataclass(frozen=True, slots=True)
class VersionRecord:
    """A version, its hospital's code and its status history (oldest change first)."""

    version: ScheduleVersion
    hospital: str
    history: list[VersionStatusChange] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of `schedcu version list|show --json`."""
        version = self.version
        last = self.history[-1] if self.history else None
        return {
            "id": version.id,
            "hospital": self.hospital,
            "status": version.status.value,
            "effective_start": version.effective_start.isoformat(),
            "effective_end": version.effective_end.isoformat(),
            "source_filename": version.source_filename,
            "source_sha256": version.source_sha256,
            "layout": version.layout.value,
            "created_at": version.created_at.isoformat(),
            "created_by": version.created_by,
            "flow_run_id": version.flow_run_id,
            "status_changed_at": last.changed_at.isoformat() if last else None,
            "status_changed_by": last.changed_by if last else None,
            "history": [_change_dict(change) for change in self.history],
        }


def _change_dict(change: VersionStatusChange) -> dict[str, Any]:
    return {
        "from": change.from_status.value,
        "to": change.to_status.value,
        "by": change.changed_by,
        "at": change.changed_at.isoformat(),
        "reason": change.reason,
        "flow_run_id": change.flow_run_id,
    }


@dataclass(frozen=True, slots=True)
class Promotion:
    """What a promotion did: the version now ACTIVE, its status before, the versions it archived
    and the periods of theirs that no ACTIVE version holds any more."""

    version: ScheduleVersion
    hospital: str
    previous: Status
    archived: list[ScheduleVersion]
    uncovered: list[tuple[dt.date, dt.date]]

    @property
    def sentence(self) -> str:
        version = self.version
        text = (
            f"Version {version.id} of {self.hospital} "
            f"({days_text(version.effective_start, version.effective_end)}) is ACTIVE"
        )
        if self.archived:
            names = ", ".join(str(old.id) for old in self.archived)
            text += f"; archived {'version' if len(self.archived) == 1 else 'versions'} {names}"
        if self.uncovered:
            periods = ", ".join(days_text(start, end) for start, end in self.uncovered)
            text += f"; no ACTIVE version now for {periods}"
        return text + "."

    def to_dict(self) -> dict[str, Any]:
        return {
            "version_id": self.version.id,
            "hospital": self.hospital,
            "status": self.version.status.value,
            "previous_status": self.previous.value,
            "archived": [old.id for old in self.archived],
            "uncovered": [
                {"start": start.isoformat(), "end": end.isoformat()}
                for start, end in self.uncovered
            ],
            "message": self.sentence,
        }


def no_version(version_id: int) -> ConfigurationError:
    return ConfigurationError(
        f"There is no schedule version {version_id}; `schedcu version list --hospital CODE` "
        "shows a hospital's versions.",
        code="NO_VERSION",
    )


def promote(
    engine: Engine,
    *,
    version_id: int,
    by: str,
    reason: str | None = None,
    flow_run_id: str | None = None,
) -> Promotion:
    """Make version `version_id` its hospital's ACTIVE version for its period, archiving the
    ACTIVE versions it overlaps, in one transaction (see the module's docstring). `by`, `reason`
    and `flow_run_id` go into the history as they are: the edges check them."""
    with transaction(engine) as session:
        hospital = session.exec(
            select(Hospital)
            .join(ScheduleVersion)
            .where(ScheduleVersion.id == version_id)
            .with_for_update(of=Hospital, key_share=True)  # type: ignore[arg-type]
        ).first()
        # Read after the lock: the status another promotion may just have changed.
        version = session.get(ScheduleVersion, version_id) if hospital else None
        if hospital is None or version is None:
            raise no_version(version_id)
        if version.status is Status.ACTIVE:
            raise VersionStatusRefused(
                f"Version {version_id} of {hospital.code} is already ACTIVE; nothing changed.",
                code="VERSION_ALREADY_ACTIVE",
            )
        previous = version.status
        start, end = version.effective_start, version.effective_end
        replaced = sorted(
            set(
                session.exec(
                    select(ActiveDay.version_id).where(
                        ActiveDay.hospital_id == hospital.id,
                        ActiveDay.service_date >= start,
                        ActiveDay.service_date <= end,
                    )
                )
            )
        )
        released = _release_days(session, replaced, start, end)
        _set_status(session, replaced, Status.ARCHIVED)
        _set_status(session, [version_id], Status.ACTIVE)
        session.execute(
            sa.insert(ActiveDay),
            [
                {"hospital_id": hospital.id, "service_date": day, "version_id": version_id}
                for day in service_dates(start, end)
            ],
        )
        now = utcnow()
        session.add_all(
            [
                VersionStatusChange(
                    version_id=version_id,
                    from_status=previous,
                    to_status=Status.ACTIVE,
                    changed_by=by,
                    changed_at=now,
                    reason=reason,
                    flow_run_id=flow_run_id,
                ),
                *(
                    VersionStatusChange(
                        version_id=old,
                        from_status=Status.ACTIVE,
                        to_status=Status.ARCHIVED,
                        changed_by=by,
                        changed_at=now,
                        reason=f"Replaced by version {version_id}.",
                        flow_run_id=flow_run_id,
                    )
                    for old in replaced
                ),
            ]
        )
        archived = list(
            session.exec(
                select(ScheduleVersion)
                .where(ScheduleVersion.id.in_(replaced))  # type: ignore[union-attr]
                .order_by(ScheduleVersion.effective_start, ScheduleVersion.id)
                .execution_options(populate_existing=True)
            )
        )
        session.refresh(version)
    return Promotion(version, hospital.code, previous, archived, _periods(released))


def _release_days(
    session: Session, version_ids: list[int], start: dt.date, end: dt.date
) -> list[dt.date]:
    """Delete the days the versions hold; those outside `start`..`end`, which nobody will hold."""
    if not version_ids:
        return []
    held = ActiveDay.version_id.in_(version_ids)  # type: ignore[attr-defined]
    outside = session.exec(
        select(ActiveDay.service_date)
        .where(held, sa.or_(ActiveDay.service_date < start, ActiveDay.service_date > end))
        .order_by(ActiveDay.service_date)
    ).all()
    session.execute(sa.delete(ActiveDay).where(held))
    return list(outside)


def _set_status(session: Session, version_ids: list[int], status: Status) -> None:
    if version_ids:
        session.execute(
            sa.update(ScheduleVersion)
            .where(ScheduleVersion.id.in_(version_ids))  # type: ignore[union-attr]
            .values(status=status)
        )


def _periods(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted days as runs of consecutive days: [(first, last), ...]."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(days):
        if runs and runs[-1][1] + dt.timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def list_versions(engine: Engine, hospital_code: str) -> list[VersionRecord]:
    """The hospital's versions, newest first, each with its history."""
    with Session(engine, expire_on_commit=False) as session:
        versions = list(
            session.exec(
                select(ScheduleVersion)
                .join(Hospital)
                .where(Hospital.code == hospital_code)
                .order_by(ScheduleVersion.created_at.desc(), ScheduleVersion.id.desc())  # type: ignore[attr-defined]
            )
        )
        histories = _histories(session, [version.id for version in versions if version.id])
    return [VersionRecord(v, hospital_code, histories.get(v.id, [])) for v in versions]


def version_record(engine: Engine, version_id: int) -> VersionRecord | None:
    """One version with its hospital's code and history."""
    with Session(engine, expire_on_commit=False) as session:
        row = session.exec(
            select(ScheduleVersion, Hospital.code)
            .join(Hospital)
            .where(ScheduleVersion.id == version_id)
        ).first()
        if row is None:
            return None
        return VersionRecord(row[0], row[1], _histories(session, [version_id]).get(version_id, []))


def _histories(session: Session, version_ids: list[int]) -> dict[int, list[VersionStatusChange]]:
    changes = session.exec(
        select(VersionStatusChange)
        .where(VersionStatusChange.version_id.in_(version_ids))  # type: ignore[attr-defined]
        .order_by(VersionStatusChange.id)
    )
    histories: dict[int, list[VersionStatusChange]] = {}
    for change in changes:
        histories.setdefault(change.version_id, []).append(change)
    return histories


def active_versions_overlapping(
    engine: Engine, hospital_code: str, start: dt.date, end: dt.date
) -> list[ScheduleVersion]:
    """The hospital's ACTIVE versions holding a day from `start` to `end`, in the order of the
    first day each holds there (the one holding `start` first, if any)."""
    with Session(engine, expire_on_commit=False) as session:
        first_day = (
            select(ActiveDay.version_id, sa.func.min(ActiveDay.service_date).label("first_day"))
            .join(Hospital, Hospital.id == ActiveDay.hospital_id)  # type: ignore[arg-type]
            .where(
                Hospital.code == hospital_code,
                ActiveDay.service_date >= start,
                ActiveDay.service_date <= end,
            )
            .group_by(ActiveDay.version_id)
            .subquery()
        )
        return list(
            session.exec(
                select(ScheduleVersion)
                .join(first_day, first_day.c.version_id == ScheduleVersion.id)  # type: ignore[arg-type]
                .order_by(first_day.c.first_day)
            )
        )


def active_version_covering(
    engine: Engine, hospital_code: str, start: dt.date, end: dt.date
) -> ScheduleVersion | None:
    """The hospital's ACTIVE version holding the earliest day from `start` to `end`: the one
    for `start` when there is one, else the first to begin in the period."""
    overlapping = active_versions_overlapping(engine, hospital_code, start, end)
    return overlapping[0] if overlapping else None


def newest_draft(engine: Engine, hospital_code: str) -> ScheduleVersion | None:
    """The hospital's most recently imported DRAFT version."""
    with Session(engine, expire_on_commit=False) as session:
        return session.exec(
            select(ScheduleVersion)
            .join(Hospital)
            .where(Hospital.code == hospital_code, ScheduleVersion.status == Status.DRAFT)
            .order_by(ScheduleVersion.created_at.desc(), ScheduleVersion.id.desc())  # type: ignore[attr-defined]
        ).first()


@dataclass(frozen=True, slots=True)
class FollowedVersion:
    """The version a refresh works on, and the warning when it is not an ACTIVE one."""

    version: ScheduleVersion
    validation: ValidationResult


def followed_version(
    engine: Engine, hospital_code: str, *, today: dt.date, days: int = FOLLOW_DAYS
) -> FollowedVersion | None:
    """The version the nightly refresh follows: the hospital's ACTIVE version covering `today`
    and the coming `days` days (`active_version_covering`); with none, the newest DRAFT, with a
    NO_ACTIVE_VERSION warning; None when there is neither."""
    end = today + dt.timedelta(days=days - 1)
    active = active_version_covering(engine, hospital_code, today, end)
    if active is not None:
        return FollowedVersion(active, ValidationResult())
    draft = newest_draft(engine, hospital_code)
    if draft is None:
        return None
    validation = ValidationResult()
    validation.warning(
        "NO_ACTIVE_VERSION",
        f"No schedule version of {hospital_code} is ACTIVE for {days_text(today, end)}, so the "
        f"newest draft was refreshed: version {draft.id} "
        f"({days_text(draft.effective_start, draft.effective_end)}). Promote the version the "
        "department works from (`schedcu version promote`, or the promote-version flow).",
    )
    return FollowedVersion(draft, validation)
