"""The summary of COVERAGE.md, computed from the rows: JSON-serialisable, stored with the
calculation and shown in the reports.

Matrix: overall coverage = covered hours / hours that have a rule (COVERED + UNSTAFFED), then the
same per study type, per site (the study type's first word) and per category, hours per status,
and the longest gaps. Flat: staffed / required places, shifts per status, the overstaffed shifts.
A gap is a run of UNSTAFFED (matrix) or UNCOVERED (flat) time of one study type, merged across
adjacent segments, categories and days; NO_RULE time is the template's choice, not a gap.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from schedcu.coverage.result import CoverageRecord
from schedcu.models import CoverageStatus, TemplateLayout

MAX_GAPS = 10
GAP_STATUSES = frozenset({CoverageStatus.UNSTAFFED, CoverageStatus.UNCOVERED})
# The summary's groupings: its key, and what the reports call one group.
GROUPS = (("by_study_type", "Study type"), ("by_site", "Site"), ("by_category", "Category"))
MATRIX_STATUSES = (CoverageStatus.COVERED, CoverageStatus.UNSTAFFED, CoverageStatus.NO_RULE)
FLAT_STATUSES = (CoverageStatus.FULL, CoverageStatus.PARTIAL, CoverageStatus.UNCOVERED)


def site_of(study_type: str | None) -> str:
    """The hospital site a study type belongs to: its first word (`Allen MR Neuro` -> `Allen`)."""
    return (study_type or "").split(" ", 1)[0] or "(none)"


def study_type_of(row: CoverageRecord) -> str:
    return row.study_type or "(none)"


def _percentage(part: float, whole: float) -> float | None:
    return round(part / whole * 100, 2) if whole else None


def _hours(value: float) -> float:
    return round(value, 2)


@dataclass(frozen=True, slots=True)
class Gap:
    study_type: str
    start: dt.datetime
    end: dt.datetime
    status: CoverageStatus
    positions: tuple[str, ...] = ()

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    def label(self, tz: ZoneInfo) -> str:
        """`Allen MR Neuro, Sat 14 Mar 22:00 – Sun 15 Mar 08:00, UNSTAFFED`."""
        start, end = self.start.astimezone(tz), self.end.astimezone(tz)
        return f"{self.study_type}, {start:%a %d %b %H:%M} – {end:%a %d %b %H:%M}, {self.status}"

    def to_dict(self, tz: ZoneInfo) -> dict[str, Any]:
        return {
            "study_type": self.study_type,
            "start": self.start.astimezone(tz).isoformat(),
            "end": self.end.astimezone(tz).isoformat(),
            "hours": _hours(self.hours),
            "status": self.status.value,
            "positions": list(self.positions),
            "label": self.label(tz),
        }


def merged_gaps(rows: Sequence[CoverageRecord]) -> list[Gap]:
    """Every gap, longest first: runs of one study type's gap status that touch or overlap, with
    the positions that should have covered them (in the order they first appear)."""
    runs: dict[tuple[str, CoverageStatus], list[CoverageRecord]] = defaultdict(list)
    for row in rows:
        if row.status in GAP_STATUSES:
            runs[(row.study_type or "", row.status)].append(row)
    gaps = []
    for (study_type, status), run in runs.items():
        run.sort(key=lambda row: (row.start, row.end))
        start, end, positions = run[0].start, run[0].end, dict.fromkeys(run[0].positions)
        for row in run[1:]:
            if row.start <= end:
                end = max(end, row.end)
                positions.update(dict.fromkeys(row.positions))
                continue
            gaps.append(Gap(study_type, start, end, status, tuple(positions)))
            start, end, positions = row.start, row.end, dict.fromkeys(row.positions)
        gaps.append(Gap(study_type, start, end, status, tuple(positions)))
    gaps.sort(key=lambda g: (-(g.end - g.start), g.start, g.study_type))
    return gaps


def _segment_hours(rows: Sequence[CoverageRecord]) -> Iterator[tuple[CoverageRecord, float]]:
    """Each row with its hours; the rows of one segment share the computation."""
    start = end = None
    hours = 0.0
    for row in rows:
        if row.start is not start or row.end is not end:
            start, end, hours = row.start, row.end, row.hours
        yield row, hours


def _matrix_group(by_status: dict[CoverageStatus, float]) -> dict[str, Any]:
    covered = by_status[CoverageStatus.COVERED]
    ruled = covered + by_status[CoverageStatus.UNSTAFFED]
    return {
        "percentage": _percentage(covered, ruled),
        "covered_hours": _hours(covered),
        "unstaffed_hours": _hours(by_status[CoverageStatus.UNSTAFFED]),
        "no_rule_hours": _hours(by_status[CoverageStatus.NO_RULE]),
        "ruled_hours": _hours(ruled),
    }


def _matrix_groups(rows: Sequence[CoverageRecord]) -> dict[str, dict[str, dict[str, Any]]]:
    """Hours per status by study type, site and category, in one pass over the rows."""
    groups: dict[str, dict[str, dict[CoverageStatus, float]]] = {
        "by_study_type": {},
        "by_site": {},
        "by_category": {},
    }
    by_type, by_site, by_category = groups.values()
    sites: dict[str, str] = {}

    def tally(table: dict[str, dict[CoverageStatus, float]], name: str) -> None:
        if name not in table:
            table[name] = dict.fromkeys(MATRIX_STATUSES, 0.0)

    for row, hours in _segment_hours(rows):
        name = study_type_of(row)
        site = sites.get(name)
        if site is None:
            site = sites[name] = site_of(row.study_type)
        category = row.category or "(none)"
        for table, key in ((by_type, name), (by_site, site), (by_category, category)):
            tally(table, key)
            table[key][row.status] += hours
    return {
        group: {name: _matrix_group(by_status) for name, by_status in table.items()}
        for group, table in groups.items()
    }


def _flat_groups(
    rows: Sequence[CoverageRecord], key: Callable[[CoverageRecord], str]
) -> dict[str, dict[str, Any]]:
    totals: dict[str, dict[str, int]] = defaultdict(
        lambda: {"required": 0, "staffed": 0, "FULL": 0, "PARTIAL": 0, "UNCOVERED": 0}
    )
    for row in rows:
        group = totals[key(row)]
        required, assigned = row.required or 0, row.assigned or 0
        group["required"] += required
        group["staffed"] += min(assigned, required)
        group[row.status.value] += 1
    return {
        name: {"percentage": _percentage(t["staffed"], t["required"])} | t
        for name, t in totals.items()
    }


def summarise(
    rows: Sequence[CoverageRecord],
    *,
    layout: TemplateLayout,
    tz: ZoneInfo,
    period_start: dt.date | None,
    period_end: dt.date | None,
) -> dict[str, Any]:
    """The summary dict stored on the CoverageCalculation (see the module docstring)."""
    statuses = MATRIX_STATUSES if layout is TemplateLayout.MATRIX else FLAT_STATUSES
    hours = dict.fromkeys((s.value for s in statuses), 0.0)
    counts = dict.fromkeys((s.value for s in statuses), 0)
    for row, row_hours in _segment_hours(rows):
        hours[row.status] += row_hours  # a StrEnum member finds its value's key
        counts[row.status] += 1
    gaps = merged_gaps(rows)
    summary: dict[str, Any] = {
        "layout": layout.value,
        "timezone": tz.key,
        "period": {
            "start": period_start.isoformat() if period_start else None,
            "end": period_end.isoformat() if period_end else None,
        },
        "row_count": len(rows),
        "hours": {status: _hours(value) for status, value in hours.items()},
        "counts": counts,
        "gap_count": len(gaps),
        "gaps": [gap.to_dict(tz) for gap in gaps[:MAX_GAPS]],
    }
    if layout is TemplateLayout.MATRIX:
        covered, unstaffed = hours["COVERED"], hours["UNSTAFFED"]
        summary["overall_percentage"] = _percentage(covered, covered + unstaffed)
        summary["hours"]["ruled"] = _hours(covered + unstaffed)
        summary |= _matrix_groups(rows)
    else:
        required = sum(row.required or 0 for row in rows)
        staffed = sum(min(row.assigned or 0, row.required or 0) for row in rows)
        summary["overall_percentage"] = _percentage(staffed, required)
        summary["overstaffed"] = [
            {
                "service_date": row.service_date.isoformat(),
                "position": row.positions[0] if row.positions else None,
                "study_type": row.study_type,
                "required": row.required,
                "assigned": row.assigned,
                "persons": list(row.persons),
            }
            for row in rows
            if (row.assigned or 0) > (row.required or 0)
        ]
        summary["by_study_type"] = _flat_groups(rows, study_type_of)
        summary["by_site"] = _flat_groups(rows, lambda row: site_of(row.study_type))
        summary["by_category"] = _flat_groups(rows, lambda row: row.category or "(none)")
    return summary
