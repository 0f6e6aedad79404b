"""Compare two calculations' gaps, assignments and shifts (pure: no database, no Prefect).

Gaps come from `merged_gaps` on each side's rows. Per study type, a before gap and an after gap
that overlap (share time, not merely touch) belong to one change; chains of overlaps make one
change of several gaps (two gaps that became one, one that split).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from schedcu.changes.model import (
    AssignmentKey,
    AssignmentMove,
    Baseline,
    Changes,
    GapChange,
    ShiftKey,
)
from schedcu.coverage.result import CoverageRecord
from schedcu.coverage.summary import Gap, merged_gaps

ZERO = dt.timedelta(0)


def _overlap(a: Gap, b: Gap) -> dt.timedelta:
    return max(ZERO, min(a.end, b.end) - max(a.start, b.start))


def _outside(gaps: Sequence[Gap], others: Sequence[Gap]) -> dt.timedelta:
    """Time of `gaps` that none of `others` holds (gaps of one side never overlap each other)."""
    total = sum((gap.end - gap.start for gap in gaps), ZERO)
    return total - sum((_overlap(a, b) for a in gaps for b in others), ZERO)


def _groups(before: Sequence[Gap], after: Sequence[Gap]) -> list[tuple[list[Gap], list[Gap]]]:
    """Chains of overlapping gaps of one study type, as (before, after) lists."""
    tagged = sorted(
        [(gap, True) for gap in before] + [(gap, False) for gap in after],
        key=lambda item: (item[0].start, item[0].end),
    )
    groups: list[tuple[list[Gap], list[Gap]]] = []
    end: dt.datetime | None = None
    for gap, is_before in tagged:
        if end is None or gap.start >= end:
            groups.append(([], []))
            end = gap.end
        else:
            end = max(end, gap.end)
        groups[-1][0 if is_before else 1].append(gap)
    return groups


def compare_gaps(
    before: Sequence[Gap], after: Sequence[Gap]
) -> tuple[list[Gap], list[Gap], list[GapChange]]:
    """(opened, closed, changed), each in time order."""
    by_type: dict[str, tuple[list[Gap], list[Gap]]] = defaultdict(lambda: ([], []))
    for gap in before:
        by_type[gap.study_type][0].append(gap)
    for gap in after:
        by_type[gap.study_type][1].append(gap)
    opened: list[Gap] = []
    closed: list[Gap] = []
    changed: list[GapChange] = []
    for old, new in by_type.values():
        for was, now in _groups(old, new):
            if not was:
                opened.extend(now)
            elif not now:
                closed.extend(was)
            elif _outside(now, was) > ZERO:
                changed.append(GapChange("grown", tuple(was), tuple(now)))
            elif _outside(was, now) > ZERO:
                changed.append(GapChange("shrunk", tuple(was), tuple(now)))
    opened.sort(key=_in_time_order)
    closed.sort(key=_in_time_order)
    changed.sort(key=lambda change: _in_time_order(change.after[0]))
    return opened, closed, changed


def _in_time_order(gap: Gap) -> tuple[dt.datetime, str]:
    return gap.start, gap.study_type


def compare_assignments(
    before: Iterable[AssignmentKey], after: Iterable[AssignmentKey]
) -> tuple[list[AssignmentKey], list[AssignmentKey], list[AssignmentMove]]:
    """(added, removed, moved). A move pairs one person's removal with an addition on the same
    day (another position), else on the same position (another day, the nearest first)."""
    old, new = Counter(before), Counter(after)
    added = sorted((new - old).elements())
    removed = sorted((old - new).elements())
    moved: list[AssignmentMove] = []
    for same in (
        lambda key: (key.person, key.service_date),
        lambda key: (key.person, key.position),
    ):
        waiting: dict[tuple[str, object], list[int]] = defaultdict(list)
        for index, key in enumerate(added):
            waiting[same(key)].append(index)
        paired: set[int] = set()
        unmatched = []
        for gone in removed:
            candidates = waiting.get(same(gone))
            if not candidates:
                unmatched.append(gone)
                continue
            nearest = min(candidates, key=lambda i: abs(added[i].service_date - gone.service_date))
            candidates.remove(nearest)
            paired.add(nearest)
            moved.append(AssignmentMove(gone, added[nearest]))
        removed = unmatched
        added = [key for index, key in enumerate(added) if index not in paired]
    moved.sort(key=lambda move: move.before)
    return added, removed, moved


def compare_shifts(
    before: Iterable[ShiftKey], after: Iterable[ShiftKey]
) -> tuple[list[ShiftKey], list[ShiftKey]]:
    """(added, removed)."""
    old, new = Counter(before), Counter(after)
    return sorted((new - old).elements()), sorted((old - new).elements())


class _Dated(Protocol):
    @property
    def service_date(self) -> dt.date: ...


D = TypeVar("D", bound=_Dated)


def within(first: dt.date, last: dt.date, items: Iterable[D]) -> list[D]:
    """The items (rows, assignment or shift keys) whose service day lies in first..last."""
    return [item for item in items if first <= item.service_date <= last]


def compare(
    *,
    baseline: Baseline,
    timezone: str,
    days: tuple[dt.date, dt.date],
    rows_before: Sequence[CoverageRecord],
    rows_after: Sequence[CoverageRecord],
    assignments_before: Iterable[AssignmentKey],
    assignments_after: Iterable[AssignmentKey],
    shifts_before: Iterable[ShiftKey] = (),
    shifts_after: Iterable[ShiftKey] = (),
) -> Changes:
    """Both calculations over the service days `days` (first, last) that both cover. Only the
    gap rows of `rows_before` matter (a caller may pass only those)."""
    first, last = days
    opened, closed, changed = compare_gaps(
        merged_gaps(within(first, last, rows_before)),
        merged_gaps(within(first, last, rows_after)),
    )
    added, removed, moved = compare_assignments(
        within(first, last, assignments_before),
        within(first, last, assignments_after),
    )
    shifts_added, shifts_removed = compare_shifts(
        within(first, last, shifts_before),
        within(first, last, shifts_after),
    )
    return Changes(
        timezone=timezone,
        baseline=baseline,
        first=first,
        last=last,
        opened=tuple(opened),
        closed=tuple(closed),
        changed=tuple(changed),
        assignments_added=tuple(added),
        assignments_removed=tuple(removed),
        assignments_moved=tuple(moved),
        shifts_added=tuple(shifts_added),
        shifts_removed=tuple(shifts_removed),
    )
