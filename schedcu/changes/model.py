"""What changed between a coverage calculation and the one it replaces, as plain values.

Gaps are `schedcu.coverage.summary.Gap` (merged by `merged_gaps`), so whoever reads a `Changes`
gets the same gap a report shows: `opened` (gap time where there was none), `closed`, and the
`changed` ones, each a `GapChange` (the gaps before and after that overlap). A changed gap that
holds gap time it did not have is `grown` (even if it also lost some: a gap that moved later
counts as grown, since someone must now cover time nobody was missing before); one that only
lost time is `shrunk`. `opened` and `grown` are what a department must hear of.

Assignments are (service day, position, person) as Amion spelled the position: added, removed,
or moved (one person's removal and addition on the same day, or on the same position). Shifts
are (service day, position, local start and end) of the template: they differ only between two
versions (a template change).

`to_dict` is the stored form (on `coverage_calculation.changes`), `from_dict` reads it back;
`summary` is what the CLI's JSON shows under `changes`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo

from schedcu.coverage.summary import Gap
from schedcu.enums import CoverageStatus

GapChangeKind = Literal["grown", "shrunk"]


@dataclass(frozen=True, slots=True, order=True)
class AssignmentKey:
    """One person on one position on one service day."""

    service_date: dt.date
    position: str
    person: str

    def to_list(self) -> list[str]:
        return [self.service_date.isoformat(), self.position, self.person]

    @classmethod
    def from_list(cls, data: list[str]) -> AssignmentKey:
        return cls(dt.date.fromisoformat(data[0]), data[1], data[2])


@dataclass(frozen=True, slots=True)
class AssignmentMove:
    before: AssignmentKey
    after: AssignmentKey


@dataclass(frozen=True, slots=True, order=True)
class ShiftKey:
    """One shift of the template on one service day (aware UTC times)."""

    service_date: dt.date
    position: str
    start: dt.datetime
    end: dt.datetime

    def to_dict(self, tz: ZoneInfo) -> dict[str, str]:
        return {
            "service_date": self.service_date.isoformat(),
            "position": self.position,
            "start": self.start.astimezone(tz).isoformat(),
            "end": self.end.astimezone(tz).isoformat(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> ShiftKey:
        return cls(
            dt.date.fromisoformat(data["service_date"]),
            data["position"],
            _utc(data["start"]),
            _utc(data["end"]),
        )


@dataclass(frozen=True, slots=True)
class GapChange:
    """Gaps of one study type that overlap before and after (usually one each)."""

    kind: GapChangeKind
    before: tuple[Gap, ...]
    after: tuple[Gap, ...]

    @property
    def before_hours(self) -> float:
        return sum(gap.hours for gap in self.before)


@dataclass(frozen=True, slots=True)
class Baseline:
    """The calculation a new one was compared with; `same_version` for a refresh."""

    calculation_id: int
    version_id: int
    same_version: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "calculation_id": self.calculation_id,
            "version_id": self.version_id,
            "same_version": self.same_version,
        }


@dataclass(frozen=True, slots=True)
class Changes:
    """A calculation compared with its baseline over the service days both cover (`first` to
    `last`). `inputs_unchanged`: the inputs' fingerprint was the baseline's, so nothing was
    recalculated or stored."""

    timezone: str
    baseline: Baseline
    first: dt.date
    last: dt.date
    opened: tuple[Gap, ...] = ()
    closed: tuple[Gap, ...] = ()
    changed: tuple[GapChange, ...] = ()
    assignments_added: tuple[AssignmentKey, ...] = ()
    assignments_removed: tuple[AssignmentKey, ...] = ()
    assignments_moved: tuple[AssignmentMove, ...] = ()
    shifts_added: tuple[ShiftKey, ...] = ()
    shifts_removed: tuple[ShiftKey, ...] = ()
    inputs_unchanged: bool = False
    tz: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tz", ZoneInfo(self.timezone))

    @property
    def grown(self) -> list[Gap]:
        """The after-extent of every gap that gained gap time (see the module docstring)."""
        return [gap for change in self.changed if change.kind == "grown" for gap in change.after]

    @property
    def opened_or_grown(self) -> list[Gap]:
        """What a department must hear of: the opened gaps and the after-extent of the grown
        ones, in time order."""
        return sorted([*self.opened, *self.grown], key=lambda gap: (gap.start, gap.study_type))

    @property
    def shrunk(self) -> list[Gap]:
        return [gap for change in self.changed if change.kind == "shrunk" for gap in change.after]

    @property
    def nothing_changed(self) -> bool:
        return not any(
            (
                self.opened,
                self.closed,
                self.changed,
                self.assignments_added,
                self.assignments_removed,
                self.assignments_moved,
                self.shifts_added,
                self.shifts_removed,
            )
        )

    def summary(self) -> dict[str, Any]:
        """The CLI's `changes`: the gaps as {study_type, start, end, hours, ...} (local times
        with their offset), the rest as counts."""
        return {
            "baseline": self.baseline.to_dict(),
            "compared_days": {"start": self.first.isoformat(), "end": self.last.isoformat()},
            "nothing_changed": self.nothing_changed,
            "inputs_unchanged": self.inputs_unchanged,
            "gaps_opened": [gap.to_dict(self.tz) for gap in self.opened],
            "gaps_closed": [gap.to_dict(self.tz) for gap in self.closed],
            "gaps_changed": [
                gap.to_dict(self.tz)
                | {"change": change.kind, "before_hours": round(change.before_hours, 2)}
                for change in self.changed
                for gap in change.after
            ],
            "assignments_added": len(self.assignments_added),
            "assignments_removed": len(self.assignments_removed),
            "assignments_moved": len(self.assignments_moved),
            "shifts_added": len(self.shifts_added),
            "shifts_removed": len(self.shifts_removed),
        }

    def to_dict(self) -> dict[str, Any]:
        """The stored form: everything, JSON-ready."""
        return {
            "timezone": self.timezone,
            "baseline": self.baseline.to_dict(),
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "inputs_unchanged": self.inputs_unchanged,
            "opened": [gap.to_dict(self.tz) for gap in self.opened],
            "closed": [gap.to_dict(self.tz) for gap in self.closed],
            "changed": [
                {
                    "kind": change.kind,
                    "before": [gap.to_dict(self.tz) for gap in change.before],
                    "after": [gap.to_dict(self.tz) for gap in change.after],
                }
                for change in self.changed
            ],
            "assignments_added": [key.to_list() for key in self.assignments_added],
            "assignments_removed": [key.to_list() for key in self.assignments_removed],
            "assignments_moved": [
                [move.before.to_list(), move.after.to_list()] for move in self.assignments_moved
            ],
            "shifts_added": [key.to_dict(self.tz) for key in self.shifts_added],
            "shifts_removed": [key.to_dict(self.tz) for key in self.shifts_removed],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Changes:
        base = data["baseline"]
        return cls(
            timezone=data["timezone"],
            baseline=Baseline(base["calculation_id"], base["version_id"], base["same_version"]),
            first=dt.date.fromisoformat(data["first"]),
            last=dt.date.fromisoformat(data["last"]),
            inputs_unchanged=bool(data.get("inputs_unchanged")),
            opened=tuple(gap_from_dict(g) for g in data["opened"]),
            closed=tuple(gap_from_dict(g) for g in data["closed"]),
            changed=tuple(
                GapChange(
                    c["kind"],
                    tuple(gap_from_dict(g) for g in c["before"]),
                    tuple(gap_from_dict(g) for g in c["after"]),
                )
                for c in data["changed"]
            ),
            assignments_added=tuple(AssignmentKey.from_list(k) for k in data["assignments_added"]),
            assignments_removed=tuple(
                AssignmentKey.from_list(k) for k in data["assignments_removed"]
            ),
            assignments_moved=tuple(
                AssignmentMove(AssignmentKey.from_list(a), AssignmentKey.from_list(b))
                for a, b in data["assignments_moved"]
            ),
            shifts_added=tuple(ShiftKey.from_dict(k) for k in data["shifts_added"]),
            shifts_removed=tuple(ShiftKey.from_dict(k) for k in data["shifts_removed"]),
        )


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


def gap_from_dict(data: dict[str, Any]) -> Gap:
    """A `Gap` back from `Gap.to_dict` (local times with their offset -> aware UTC)."""
    return Gap(
        study_type=data["study_type"],
        start=_utc(data["start"]),
        end=_utc(data["end"]),
        status=CoverageStatus(data["status"]),
        positions=tuple(data.get("positions", ())),
    )
