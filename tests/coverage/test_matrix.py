"""The matrix rules of COVERAGE.md on small hand-made templates: expected status per segment."""

from __future__ import annotations

import datetime as dt

from schedcu.models import CoverageStatus, Specialty
from tests.coverage.builders import assign, calculate, matrix, person, segments, sheet

SAT = dt.date(2026, 3, 14)
MON, TUE, WED = dt.date(2026, 3, 9), dt.date(2026, 3, 10), dt.date(2026, 3, 11)
ALLEN, CPMC, CHONY = "Allen MR Neuro", "CPMC CT Body", "CHONY Neuro"


def weekend_template():
    return matrix(
        sheet(
            "Mid Weekend Neuro 5 pm - 12 am",
            "17:00",
            "00:00",
            {"MidC": [CPMC, ALLEN], "MidL": [CHONY]},
            day_type="Weekend",
            scenario="Neuro",
        ),
        sheet(
            "Mid Weekend 10pm-Midnight",
            "22:00",
            "00:00",
            {"MidC": [CPMC], "MidL": []},
            day_type="Weekend",
            study_types=[CPMC, ALLEN],
        ),
    )


def test_narrowest_window_overrides_the_wider_one_and_statuses_follow_its_marks() -> None:
    ann = person("Ann Lee")
    result = calculate(
        weekend_template(), (SAT, SAT), [assign(ann, SAT, "MidC", "17:00", "00:00")], [ann]
    )

    assert segments(result, ALLEN) == [
        ("Sat 17:00", "Sat 22:00", "COVERED", ("MidC",), ("Ann Lee",)),
        ("Sat 22:00", "Sun 00:00", "NO_RULE", (), ()),  # listed in the narrow sheet, no mark
    ]
    assert segments(result, CPMC) == [
        ("Sat 17:00", "Sat 22:00", "COVERED", ("MidC",), ("Ann Lee",)),
        ("Sat 22:00", "Sun 00:00", "COVERED", ("MidC",), ("Ann Lee",)),
    ]
    assert segments(result, CHONY) == [
        ("Sat 17:00", "Sat 22:00", "UNSTAFFED", ("MidL",), ()),
        ("Sat 22:00", "Sun 00:00", "NO_RULE", (), ()),  # missing from the narrow sheet
    ]
    assert not result.validation.messages


def test_a_shift_counts_only_for_the_segments_its_times_overlap() -> None:
    ann, bo = person("Ann Lee"), person("Bo Chen")
    rows = [assign(ann, SAT, "MidC", "17:00", "20:00"), assign(bo, SAT, "MidL")]  # Bo: no times
    result = calculate(weekend_template(), (SAT, SAT), rows, [ann, bo])

    assert [s[2] for s in segments(result, CPMC)] == ["COVERED", "UNSTAFFED"]
    assert segments(result, CHONY)[0] == (
        "Sat 17:00",
        "Sat 22:00",
        "COVERED",
        ("MidL",),
        ("Bo Chen",),
    )


def test_no_assignments_at_all_leaves_every_ruled_segment_unstaffed() -> None:
    result = calculate(weekend_template(), (SAT, SAT))

    statuses = {r.status for r in result.rows}
    assert statuses == {CoverageStatus.UNSTAFFED, CoverageStatus.NO_RULE}
    assert result.summary["overall_percentage"] == 0.0
    assert result.summary["hours"]["COVERED"] == 0.0
    assert result.summary["hours"]["UNSTAFFED"] == 5 + 5 + 5 + 2  # Allen, CPMC, CHONY; CPMC late


def scenario_template():
    return matrix(
        sheet(
            "Mid Weekday Neuro 5 pm - 12 am",
            "17:00",
            "00:00",
            {"MidC": [CPMC, ALLEN], "MidL": [CHONY], "Mid 3": []},
            day_type="Weekday",
            scenario="Neuro",
        ),
        sheet(
            "Mid Weekday Body 5 pm - 12 am",
            "17:00",
            "00:00",
            {"Mid Body": [CPMC], "Mid Neuro": [ALLEN, CHONY], "Mid3": []},
            day_type="Weekday",
            scenario="Body",
        ),
    )


def test_a_body_only_person_switches_the_scenario_on_that_day_only() -> None:
    bo = person("Bo Chen", Specialty.BODY_ONLY)
    ned = person("Ned Park", Specialty.BOTH)
    nia = person("Nia Odum", Specialty.NEURO_ONLY)
    rows = [
        assign(ned, MON, "MidC"),
        assign(nia, MON, "MidL"),
        assign(bo, TUE, "MidC"),  # Body scenario on Tuesday: Bo is `Mid Body`
        assign(nia, TUE, "MidL"),  # ... and Nia `Mid Neuro`
        assign(ned, WED, "MidC"),
    ]
    result = calculate(scenario_template(), (MON, WED), rows, [bo, ned, nia])

    assert segments(result, CPMC) == [
        ("Mon 17:00", "Tue 00:00", "COVERED", ("MidC",), ("Ned Park",)),
        ("Tue 17:00", "Wed 00:00", "COVERED", ("Mid Body",), ("Bo Chen",)),
        ("Wed 17:00", "Thu 00:00", "COVERED", ("MidC",), ("Ned Park",)),
    ]
    assert segments(result, CHONY) == [
        ("Mon 17:00", "Tue 00:00", "COVERED", ("MidL",), ("Nia Odum",)),
        ("Tue 17:00", "Wed 00:00", "COVERED", ("Mid Neuro",), ("Nia Odum",)),
        ("Wed 17:00", "Thu 00:00", "UNSTAFFED", ("MidL",), ()),
    ]


def test_in_the_body_scenario_a_non_splittable_position_matches_as_written() -> None:
    bo, mo = person("Bo Chen", Specialty.BODY_ONLY), person("Mo Ali", Specialty.BODY_ONLY)
    template = matrix(
        *scenario_template().sheets[:1],
        sheet(
            "Mid Weekday Body 5 pm - 12 am",
            "17:00",
            "00:00",
            {"Mid Body": [CPMC], "Mid Neuro": [ALLEN], "Mid3": [CHONY]},
            day_type="Weekday",
            scenario="Body",
        ),
    )
    result = calculate(
        template, (MON, MON), [assign(bo, MON, "MidC"), assign(mo, MON, "Mid 3")], [bo, mo]
    )

    assert segments(result, CHONY)[0][2:] == ("COVERED", ("Mid3",), ("Mo Ali",))
    assert segments(result, ALLEN)[0][2:] == ("UNSTAFFED", ("Mid Neuro",), ())


def test_a_person_without_specialty_counts_as_both_and_is_reported_once() -> None:
    pat = person("Pat Doe", specialty=None)
    bo = person("Bo Chen", Specialty.BODY_ONLY)
    rows = [assign(pat, MON, "MidC"), assign(pat, TUE, "MidL"), assign(bo, TUE, "MidC")]
    result = calculate(scenario_template(), (MON, TUE), rows, [pat, bo])

    assert segments(result, CPMC, MON)[0][2:] == ("COVERED", ("MidC",), ("Pat Doe",))  # Neuro
    assert segments(result, ALLEN, TUE)[0][2:] == ("COVERED", ("Mid Neuro",), ("Pat Doe",))
    assert result.validation.codes() == ["UNKNOWN_SPECIALTY"]
    assert result.validation.messages[0].phase == "coverage"


def test_a_person_missing_from_the_roster_still_covers_with_one_warning() -> None:
    ghost = person("Ghost")
    rows = [assign(ghost, MON, "MidC"), assign(ghost, TUE, "MidC")]
    result = calculate(scenario_template(), (MON, TUE), rows, persons=[])

    assert segments(result, CPMC)[1][2:] == ("COVERED", ("MidC",), (f"person #{ghost.id}",))
    assert result.validation.codes() == ["UNKNOWN_PERSON"]


def test_equal_windows_prefer_the_sheet_with_a_specialty() -> None:
    template = matrix(
        sheet("Mid 5 pm - 12 am", "17:00", "00:00", {"MidC": [CPMC], "MidL": []}),
        sheet(
            "Mid Neuro 5 pm - 12 am",
            "17:00",
            "00:00",
            {"MidC": [], "MidL": [CPMC]},
            scenario="Neuro",
        ),
    )
    ann = person("Ann Lee")
    result = calculate(template, (MON, MON), [assign(ann, MON, "MidC")], [ann])

    assert segments(result, CPMC) == [("Mon 17:00", "Tue 00:00", "UNSTAFFED", ("MidL",), ())]
    assert not result.validation.messages


def test_still_tied_windows_warn_once_per_template_and_use_the_first_sheet() -> None:
    template = matrix(
        sheet("Mid 5 pm - 12 am", "17:00", "00:00", {"MidC": [CPMC]}),
        sheet("Mid 17:00-24:00", "17:00", "00:00", {"MidL": [CPMC]}),
    )
    ann = person("Ann Lee")
    rows = [assign(ann, day, "MidC") for day in (MON, TUE, WED)]
    result = calculate(template, (MON, WED), rows, [ann])

    assert [s[2:4] for s in segments(result, CPMC)] == [("COVERED", ("MidC",))] * 3
    assert result.validation.codes() == ["AMBIGUOUS_WINDOW"]
    message = result.validation.messages[0]
    assert message.severity == "WARNING"
    assert "'Mid 5 pm - 12 am'" in message.message and "'Mid 17:00-24:00'" in message.message


def test_overlapping_windows_cut_segments_at_every_boundary() -> None:
    template = matrix(
        sheet("Mid 5 pm - 11 pm", "17:00", "23:00", {"MidC": [CPMC]}),
        sheet("Mid 8 pm - 1 am", "20:00", "01:00", {"MidL": [CPMC]}),
    )
    ann = person("Ann Lee")
    result = calculate(template, (MON, MON), [assign(ann, MON, "MidC")], [ann])

    assert segments(result, CPMC) == [
        ("Mon 17:00", "Mon 20:00", "COVERED", ("MidC",), ("Ann Lee",)),
        ("Mon 20:00", "Mon 23:00", "UNSTAFFED", ("MidL",), ()),  # 5 h beats 6 h
        ("Mon 23:00", "Tue 01:00", "UNSTAFFED", ("MidL",), ()),
    ]


def test_time_outside_every_window_is_not_counted() -> None:
    template = matrix(
        sheet("Mid 5 pm - 6 pm", "17:00", "18:00", {"MidC": [CPMC]}),
        sheet("Mid 8 pm - 9 pm", "20:00", "21:00", {"MidC": [CPMC]}),
    )
    result = calculate(template, (MON, MON))

    assert [s[:2] for s in segments(result, CPMC)] == [
        ("Mon 17:00", "Mon 18:00"),
        ("Mon 20:00", "Mon 21:00"),
    ]
    assert result.summary["hours"]["UNSTAFFED"] == 2.0


def test_a_24_hour_window_and_a_24_hour_shift() -> None:
    template = matrix(sheet("ON 8 am - 8 am", "08:00", "08:00", {"ON1": [CPMC]}, category="ON"))
    ann = person("Ann Lee")
    result = calculate(template, (SAT, SAT), [assign(ann, SAT, "ON1", "08:00", "08:00")], [ann])

    assert segments(result, CPMC) == [("Sat 08:00", "Sun 08:00", "COVERED", ("ON1",), ("Ann Lee",))]
    assert result.summary["hours"]["COVERED"] == 24.0


def test_hours_are_elapsed_time_across_clock_changes() -> None:
    template = matrix(sheet("ON 1 am - 8 am", "01:00", "08:00", {"ON1": [CPMC]}, category="ON"))
    spring = calculate(template, (dt.date(2026, 3, 7), dt.date(2026, 3, 7)))
    autumn = calculate(template, (dt.date(2026, 10, 31), dt.date(2026, 10, 31)))

    assert spring.summary["hours"]["UNSTAFFED"] == 6.0
    assert autumn.summary["hours"]["UNSTAFFED"] == 8.0
    assert spring.rows[0].hours == 6.0


def test_a_holiday_uses_the_weekend_sheets() -> None:
    template = matrix(
        sheet("Mid Weekday 5 pm - 12 am", "17:00", "00:00", {"MidC": [CPMC]}, day_type="Weekday"),
        sheet("Mid Weekend 5 pm - 12 am", "17:00", "00:00", {"MidL": [CPMC]}, day_type="Weekend"),
    )
    result = calculate(template, (MON, TUE), holidays=[MON])

    assert [s[3] for s in segments(result, CPMC)] == [("MidL",), ("MidC",)]


def test_study_types_are_one_whatever_their_spacing_and_case() -> None:
    template = matrix(
        sheet("Mid 5 pm - 6 pm", "17:00", "18:00", {"MidC": ["CHONY Neuro "]}),
        sheet("Mid 6 pm - 7 pm", "18:00", "19:00", {"MidC": ["chony  NEURO"]}),
    )
    result = calculate(template, (MON, MON))

    assert {r.study_type for r in result.rows} == {"CHONY Neuro"}
    assert [s[2] for s in segments(result, "CHONY Neuro")] == ["UNSTAFFED", "UNSTAFFED"]
