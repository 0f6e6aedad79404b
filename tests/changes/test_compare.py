"""Comparing two calculations' gaps, assignments and shifts, without a database."""

from __future__ import annotations

import datetime as dt

from schedcu.changes.compare import compare_assignments, compare_gaps, compare_shifts
from schedcu.changes.model import (
    AssignmentKey,
    AssignmentMove,
    Baseline,
    Changes,
    GapChange,
    ShiftKey,
)
from schedcu.coverage.summary import Gap
from schedcu.enums import CoverageStatus

ALLEN, CPMC = "Allen MR Neuro", "CPMC CT Body"
DAY = dt.date(2026, 3, 14)
UNSTAFFED = CoverageStatus.UNSTAFFED


def at(hour: int) -> dt.datetime:
    """Hours from 14 Mar 2026 00:00 UTC (past 24: the next days)."""
    return dt.datetime(2026, 3, 14, tzinfo=dt.UTC) + dt.timedelta(hours=hour)


def gap(start: int, end: int, study_type: str = ALLEN, positions: tuple[str, ...] = ()) -> Gap:
    return Gap(study_type, at(start), at(end), UNSTAFFED, positions)


def test_a_gap_where_there_was_none_is_opened_and_one_gone_is_closed() -> None:
    opened, closed, changed = compare_gaps([gap(0, 2)], [gap(0, 2), gap(10, 12)])
    assert (opened, closed, changed) == ([gap(10, 12)], [], [])
    opened, closed, changed = compare_gaps([gap(0, 2), gap(10, 12)], [gap(10, 12)])
    assert (opened, closed, changed) == ([], [gap(0, 2)], [])


def test_the_same_gaps_are_no_change() -> None:
    assert compare_gaps([gap(0, 2), gap(5, 6, CPMC)], [gap(5, 6, CPMC), gap(0, 2)]) == ([], [], [])


def test_a_longer_gap_has_grown_and_a_shorter_one_shrunk() -> None:
    grown = GapChange("grown", (gap(0, 2),), (gap(0, 4),))
    shrunk = GapChange("shrunk", (gap(0, 4),), (gap(1, 4),))
    assert compare_gaps([gap(0, 2)], [gap(0, 4)])[2] == [grown]
    assert compare_gaps([gap(0, 4)], [gap(1, 4)])[2] == [shrunk]


def test_a_gap_that_moved_later_counts_as_grown_since_it_holds_new_gap_time() -> None:
    (change,) = compare_gaps([gap(0, 2)], [gap(1, 3)])[2]
    assert change.kind == "grown"


def test_two_gaps_joined_by_new_gap_time_are_one_grown_change() -> None:
    opened, closed, changed = compare_gaps([gap(0, 2), gap(4, 6)], [gap(0, 6)])
    assert (opened, closed) == ([], [])
    assert changed == [GapChange("grown", (gap(0, 2), gap(4, 6)), (gap(0, 6),))]
    assert changed[0].before_hours == 4


def test_a_gap_split_in_two_has_shrunk() -> None:
    (change,) = compare_gaps([gap(0, 6)], [gap(0, 2), gap(4, 6)])[2]
    assert change.kind == "shrunk" and change.after == (gap(0, 2), gap(4, 6))


def test_gaps_that_only_touch_are_not_the_same_gap() -> None:
    assert compare_gaps([gap(0, 2)], [gap(2, 4)])[:2] == ([gap(2, 4)], [gap(0, 2)])


def test_study_types_are_compared_apart() -> None:
    opened, closed, changed = compare_gaps([gap(0, 2, CPMC)], [gap(0, 2, ALLEN)])
    assert (opened, closed, changed) == ([gap(0, 2, ALLEN)], [gap(0, 2, CPMC)], [])


def key(day: int, position: str, person: str) -> AssignmentKey:
    return AssignmentKey(dt.date(2026, 3, day), position, person)


def test_assignments_added_removed_and_moved() -> None:
    before = [key(14, "MidC", "Ann Lee"), key(15, "ON1", "Bo Chen"), key(16, "MidL", "Cy Dee")]
    after = [
        key(14, "MidL", "Ann Lee"),  # same day, another position: moved
        key(18, "ON1", "Bo Chen"),  # same position, another day: moved
        key(17, "MidC", "Di Eve"),  # added
    ]
    added, removed, moved = compare_assignments(before, after)
    assert added == [key(17, "MidC", "Di Eve")]
    assert removed == [key(16, "MidL", "Cy Dee")]
    assert moved == [
        AssignmentMove(key(14, "MidC", "Ann Lee"), key(14, "MidL", "Ann Lee")),
        AssignmentMove(key(15, "ON1", "Bo Chen"), key(18, "ON1", "Bo Chen")),
    ]


def test_a_second_identical_assignment_counts() -> None:
    twice = [key(14, "MidC", "Ann Lee")] * 2
    assert compare_assignments(twice[:1], twice) == (twice[:1], [], [])


def test_shifts_added_and_removed() -> None:
    mid = ShiftKey(DAY, "MidC", at(21), at(28))
    mid3 = ShiftKey(DAY, "Mid 3", at(21), at(28))
    assert compare_shifts([mid], [mid, mid3]) == ([mid3], [])
    assert compare_shifts([mid, mid3], [mid3]) == ([], [mid])


def test_changes_survive_their_stored_form_and_name_opened_and_grown_gaps() -> None:
    changes = Changes(
        timezone="America/New_York",
        baseline=Baseline(7, 3, same_version=True),
        first=DAY,
        last=DAY + dt.timedelta(days=2),
        opened=(gap(10, 12, positions=("MidC", "MidL")),),
        closed=(gap(30, 31, CPMC),),
        changed=(
            GapChange("grown", (gap(0, 2),), (gap(0, 4),)),
            GapChange("shrunk", (gap(40, 44),), (gap(40, 41),)),
        ),
        assignments_added=(key(14, "MidC", "Ann Lee"),),
        assignments_moved=(AssignmentMove(key(15, "ON1", "Bo"), key(16, "ON1", "Bo")),),
        shifts_removed=(ShiftKey(DAY, "MidC", at(21), at(28)),),
    )
    assert Changes.from_dict(changes.to_dict()) == changes
    assert changes.opened == (gap(10, 12, positions=("MidC", "MidL")),)
    assert changes.grown == [gap(0, 4)]
    assert changes.opened_or_grown == [gap(0, 4), gap(10, 12, positions=("MidC", "MidL"))]
    assert changes.shrunk == [gap(40, 41)]
    summary = changes.summary()
    assert summary["gaps_opened"][0] | {"label": None} == {
        "study_type": ALLEN,
        "start": "2026-03-14T06:00:00-04:00",  # DST began 8 Mar: EDT
        "end": "2026-03-14T08:00:00-04:00",
        "hours": 2.0,
        "status": "UNSTAFFED",
        "positions": ["MidC", "MidL"],
        "label": None,
    }
    assert [(g["change"], g["hours"], g["before_hours"]) for g in summary["gaps_changed"]] == [
        ("grown", 4.0, 2.0),
        ("shrunk", 1.0, 4.0),
    ]
    assert summary["gaps_closed"][0]["study_type"] == CPMC
    counts = {k: summary[k] for k in summary if k.startswith(("assignments_", "shifts_"))}
    assert counts == {
        "assignments_added": 1,
        "assignments_removed": 0,
        "assignments_moved": 1,
        "shifts_added": 0,
        "shifts_removed": 1,
    }
    assert summary["nothing_changed"] is False
