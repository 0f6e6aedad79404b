"""The real department's template (../shared/fixtures) with a small roster over a weekend."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from schedcu.coverage import CoverageResult
from schedcu.models import Specialty
from schedcu.ods import parse_template
from tests.coverage.builders import assign, calculate, person, segments

FRI, SAT = dt.date(2026, 3, 13), dt.date(2026, 3, 14)


@pytest.fixture(scope="module")
def result(real_template_path: Path) -> CoverageResult:
    template, _ = parse_template(real_template_path)
    ann, bo = person("Ann Lee", Specialty.BOTH), person("Bo Chen", Specialty.BODY_ONLY)
    cy, di = person("Cy Diaz", Specialty.NEURO_ONLY), person("Di Fox", Specialty.BOTH)
    ed = person("Ed Gray", Specialty.BOTH)
    rows = [
        assign(bo, FRI, "MidC"),  # BODY_ONLY on a splittable position: Friday is Body
        assign(cy, FRI, "MidL"),
        assign(di, FRI, "Mid3"),
        assign(ed, FRI, "ON1"),
        assign(ann, FRI, "ON2"),
        assign(ann, SAT, "MidC"),
        assign(cy, SAT, "MidL"),
        assign(di, SAT, "Mid 3"),
        assign(ed, SAT, "ON1"),  # nobody on ON2 on Saturday night
    ]
    return calculate(template, (FRI, SAT), rows, [ann, bo, cy, di, ed])


def test_every_study_type_and_segment_gets_a_row(result: CoverageResult) -> None:
    assert len({r.study_type for r in result.rows}) == 23
    assert len(result.rows) == 2 * 4 * 23  # Mid 17-18/18-24 or 17-22/22-24, Mid 0-1, ON 1-8
    assert not result.validation.messages


def test_body_scenario_on_friday_and_narrow_window_on_saturday(result: CoverageResult) -> None:
    assert segments(result, "Allen MR Neuro") == [
        ("Fri 17:00", "Fri 18:00", "COVERED", ("Mid Neuro",), ("Cy Diaz",)),
        ("Fri 18:00", "Sat 00:00", "COVERED", ("Mid 3",), ("Di Fox",)),
        ("Sat 00:00", "Sat 01:00", "COVERED", ("Mid3",), ("Di Fox",)),
        ("Sat 01:00", "Sat 08:00", "COVERED", ("ON2",), ("Ann Lee",)),
        ("Sat 17:00", "Sat 22:00", "COVERED", ("Mid 3",), ("Di Fox",)),
        ("Sat 22:00", "Sun 00:00", "COVERED", ("MidL",), ("Cy Diaz",)),  # 10pm-Midnight wins
        ("Sun 00:00", "Sun 01:00", "COVERED", ("Mid3",), ("Di Fox",)),
        ("Sun 01:00", "Sun 08:00", "UNSTAFFED", ("ON2",), ()),
    ]
    assert segments(result, "CPMC CT Body", FRI)[0][2:] == ("COVERED", ("Mid Body",), ("Bo Chen",))


def test_types_missing_from_a_sheet_have_no_rule(result: CoverageResult) -> None:
    chest = segments(result, "CPMC CT Chest", FRI)
    assert [s[2] for s in chest] == ["NO_RULE", "COVERED", "COVERED", "NO_RULE"]
    assert result.summary["hours"]["NO_RULE"] > 0
    # ON2 reads NYPLH Body CT from midnight (Mid 12am-1am) and on (ON 1 am - 8 am): one gap.
    assert result.summary["gaps"][0]["label"] == (
        "NYPLH Body CT, Sun 15 Mar 00:00 – Sun 15 Mar 08:00, UNSTAFFED"
    )
    assert set(result.summary["by_site"]) == {"CPMC", "CHONY", "Allen", "NYPLH"}
