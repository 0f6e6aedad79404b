"""One grammar for matrix sheet names: the 12 real names and the spellings of ODS_LAYOUTS.md."""

from __future__ import annotations

import datetime as dt

import pytest

from schedcu.ods.sheetname import SheetName, parse_sheet_name, parse_time


def t(hour: int, minute: int = 0) -> dt.time:
    return dt.time(hour, minute)


REAL_NAMES = {
    "Mid Weekday Body 5 - 6 pm": SheetName("Mid", "Weekday", "Body", t(17), t(18)),
    "Mid Weekday Neuro 5 pm - 6 pm": SheetName("Mid", "Weekday", "Neuro", t(17), t(18)),
    "Mid Weekday Neuro 6 pm - 12 am": SheetName("Mid", "Weekday", "Neuro", t(18), t(0)),
    "Mid Weekday Body 6 pm - 12 am": SheetName("Mid", "Weekday", "Body", t(18), t(0)),
    "Mid Weekend Body 5 pm - 12 am": SheetName("Mid", "Weekend", "Body", t(17), t(0)),
    "Mid Weekend Neuro 5 pm - 12 am": SheetName("Mid", "Weekend", "Neuro", t(17), t(0)),
    "Mid Weekend 10pm-Midnight": SheetName("Mid", "Weekend", None, t(22), t(0)),
    "Mid  12am-1am": SheetName("Mid", None, None, t(0), t(1)),
    "ON Weekday Neuro 1 am - 8 am": SheetName("ON", "Weekday", "Neuro", t(1), t(8)),
    "ON Weekday Body 1 am - 8 am": SheetName("ON", "Weekday", "Body", t(1), t(8)),
    "ON Weekend Neuro 1 am - 8 am": SheetName("ON", "Weekend", "Neuro", t(1), t(8)),
    "ON Weekend Body 1 am - 8 am": SheetName("ON", "Weekend", "Body", t(1), t(8)),
}


@pytest.mark.parametrize(("name", "expected"), REAL_NAMES.items())
def test_every_real_sheet_name_parses(name: str, expected: SheetName) -> None:
    assert parse_sheet_name(name) == expected


def test_the_real_file_uses_exactly_these_names(real_template_path) -> None:
    from schedcu.ods import parse_template

    template, _ = parse_template(real_template_path)
    assert [sheet.name for sheet in template.sheets] == list(REAL_NAMES)


@pytest.mark.parametrize(
    ("range_text", "start", "end"),
    [
        ("5 - 6 pm", t(17), t(18)),
        ("5 pm - 6 pm", t(17), t(18)),
        ("6 pm - 12 am", t(18), t(0)),
        ("10pm-Midnight", t(22), t(0)),
        ("12am-1am", t(0), t(1)),
        ("1 am - 8 am", t(1), t(8)),
        ("17:00-18:00", t(17), t(18)),
        ("Noon-5pm", t(12), t(17)),
        ("Midnight - 8 am", t(0), t(8)),
        ("5:30 pm - 11:45 pm", t(17, 30), t(23, 45)),
        ("11 - 1 am", t(23), t(1)),
        ("8am–noon", t(8), t(12)),
        ("10 PM to 7 AM", t(22), t(7)),
        ("22:00-24:00", t(22), t(0)),
        ("8 a.m. - 5 p.m.", t(8), t(17)),
    ],
)
def test_time_range_spellings(range_text: str, start: dt.time, end: dt.time) -> None:
    parsed = parse_sheet_name(f"Mid {range_text}")
    assert parsed is not None, range_text
    assert (parsed.start, parsed.end) == (start, end)


@pytest.mark.parametrize(
    ("name", "category", "day_type", "scenario"),
    [
        ("mid weekend body 5 pm - 12 am", "Mid", "Weekend", "Body"),
        ("on 1 am - 8 am", "ON", None, None),
        ("Late Weekday 5 pm - 12 am", "Late", "Weekday", None),
        ("Mid Neuro Weekday 5 pm - 6 pm", "Mid", "Weekday", "Neuro"),
        ("  ON\tWeekend   Body 1 am -  8 am ", "ON", "Weekend", "Body"),
    ],
)
def test_words_case_order_and_white_space(
    name: str, category: str, day_type: str | None, scenario: str | None
) -> None:
    parsed = parse_sheet_name(name)
    assert parsed is not None
    assert (parsed.category, parsed.day_type, parsed.scenario) == (category, day_type, scenario)


@pytest.mark.parametrize(
    "name",
    [
        "Sheet1",
        "Mid Weekday Body",
        "5 - 6 pm",
        "Mid Weekday Weekend 5 - 6 pm",
        "Mid Body Neuro 5 - 6 pm",
        "Mid Weekday Body Extra 5 - 6 pm",
        "Mid 13 pm - 2 am",
        "Mid 5:75 - 6 pm",
        "Mid 25:00-26:00",
        "Notes about Mid",
    ],
)
def test_names_outside_the_grammar_do_not_parse(name: str) -> None:
    assert parse_sheet_name(name) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("17:00", t(17)), ("5 pm", t(17)), ("Noon", t(12)), ("midnight", t(0)), ("7:05am", t(7, 5))],
)
def test_single_time_points(text: str, expected: dt.time) -> None:
    assert parse_time(text) == expected


def test_not_a_time() -> None:
    assert parse_time("soon") is None
