"""The summary: overall and grouped percentages, hours per status, gaps merged across days."""

from __future__ import annotations

import datetime as dt
import json

from schedcu.coverage.summary import site_of
from tests.coverage.builders import assign, calculate, matrix, person, sheet

SAT, SUN = dt.date(2026, 3, 14), dt.date(2026, 3, 15)
ALLEN, CPMC = "Allen MR Neuro", "CPMC CT Body"


def night_template():
    return matrix(
        sheet("Mid Weekend 5 pm - 12 am", "17:00", "00:00", {"MidC": [ALLEN, CPMC]}),
        sheet("Mid Weekend 10pm-Midnight", "22:00", "00:00", {"MidC": [CPMC], "MidL": [ALLEN]}),
        sheet("Mid 12am-1am", "00:00", "01:00", {"MidL": [ALLEN], "ON1": [CPMC]}),
        sheet("ON 1 am - 8 am", "01:00", "08:00", {"ON1": [ALLEN, CPMC]}, category="ON"),
    )


def test_gaps_merge_adjacent_segments_across_categories() -> None:
    ann, on = person("Ann Lee"), person("Omar Haddad")
    rows = [assign(ann, SAT, "MidC", "17:00", "00:00"), assign(on, SUN, "ON1", "00:00", "08:00")]
    result = calculate(night_template(), (SAT, SUN), rows, [ann, on])

    labels = [gap["label"] for gap in result.summary["gaps"]]
    assert labels[0] == "Allen MR Neuro, Sat 14 Mar 22:00 – Sun 15 Mar 08:00, UNSTAFFED"
    assert result.summary["gaps"][0]["hours"] == 10.0
    assert result.summary["gaps"][0]["start"] == "2026-03-14T22:00:00-04:00"
    # The positions that should have read Allen: MidL to 01:00, then ON1.
    assert result.summary["gaps"][0]["positions"] == ["MidL", "ON1"]


def test_gaps_merge_across_service_days() -> None:
    template = matrix(sheet("ON 8 am - 8 am", "08:00", "08:00", {"ON1": [CPMC]}, category="ON"))
    result = calculate(template, (SAT, dt.date(2026, 3, 16)))

    assert [(g["label"], g["hours"]) for g in result.summary["gaps"]] == [
        ("CPMC CT Body, Sat 14 Mar 08:00 – Tue 17 Mar 08:00, UNSTAFFED", 72.0)
    ]


def test_only_the_ten_longest_gaps_are_listed_longest_first() -> None:
    template = matrix(sheet("ON 1 am - 8 am", "01:00", "08:00", {"ON1": [CPMC]}, category="ON"))
    result = calculate(template, (dt.date(2026, 3, 1), dt.date(2026, 3, 31)))

    gaps = result.summary["gaps"]
    assert len(gaps) == 10 and result.summary["gap_count"] == 31
    assert gaps[0]["hours"] == 7.0
    assert all(g["hours"] == 7.0 for g in gaps)


def test_percentages_per_study_type_site_and_category() -> None:
    ann = person("Ann Lee")
    result = calculate(night_template(), (SAT, SAT), [assign(ann, SAT, "MidC")], [ann])
    summary = result.summary

    # Allen: 5 h covered (17-22) of 15 h ruled; CPMC: 7 h covered (17-24) of 15 h.
    assert summary["by_study_type"][ALLEN]["percentage"] == round(5 / 15 * 100, 2)
    assert summary["by_study_type"][CPMC]["covered_hours"] == 7.0
    assert summary["by_site"]["Allen"] == summary["by_study_type"][ALLEN]
    assert summary["by_category"]["Mid"]["percentage"] == round(12 / 16 * 100, 2)
    assert summary["by_category"]["ON"]["percentage"] == 0.0
    assert summary["overall_percentage"] == round(12 / 30 * 100, 2)
    assert summary["hours"] == {"COVERED": 12.0, "UNSTAFFED": 18.0, "NO_RULE": 0.0, "ruled": 30.0}
    assert json.loads(json.dumps(summary)) == summary


def test_no_rule_hours_are_counted_but_not_ruled() -> None:
    template = matrix(
        sheet("Mid 5 pm - 6 pm", "17:00", "18:00", {"MidC": [CPMC]}, study_types=[CPMC, ALLEN])
    )
    result = calculate(template, (SAT, SAT))

    assert result.summary["hours"]["NO_RULE"] == 1.0
    assert result.summary["by_study_type"][ALLEN]["percentage"] is None
    assert result.summary["overall_percentage"] == 0.0


def test_site_is_the_first_word_of_the_study_type() -> None:
    assert site_of("NYPLH Neuro CT") == "NYPLH"
    assert site_of("CHONY Neuro") == "CHONY"
    assert site_of(None) == "(none)"
