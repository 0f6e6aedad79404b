"""The month export parser on hand-written exports holding every quirk of AMION.md."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from schedcu.amion.export import ExportRow, parse_export
from schedcu.errors import AmionBadCode, AmionUnexpectedResponse
from schedcu.validation import ValidationResult

TZ = ZoneInfo("America/New_York")
DAY_START = dt.time(8)

CSV_EXPORT = """\
Demo Radiology
Schedule for March 2026, Report 619, printed 3-1-26
Field 1,Field 2,Field 3,Field 4,Field 5,Field 6,Field 7,Field 8,Field 9
"Smith, Jane",4711,0,"ON1",31,0,3-14-26,100,800
"Jane Smith",EPICID:12345,0,"Mid Body",32,0,3-14-26,1700,0
"Haddad, Omar",,0,"MidC",33,0,3-14-26,1700,2400,extra,fields,ignored
"Wei, Li",0,0,"ON2",34,0,3-14-26,800,800
"Garcia, Maria",4714,0,"Mid 3",35,0,3-15-26,,
"Okafor, Ken",4715,0,"ON1",31,0,3-7-26,2000,700
"Cohen, Sara",4716,0,"ON1",31,0,3-32-26,2000,700
"Martin, Paul",4717,0,"ON1",31,0,3-16-26,7pm,700
"Costa, Ana",4718,0,"ON1",31,0,3-16-26,2000,
too,few,fields
"""

TAB_EXPORT = (
    "Demo Radiology\n"
    "Field 1\tField 2\tField 3\tField 4\tField 5\tField 6\tField 7\tField 8\tField 9\n"
    "Smith, Jane\t4711\t0\tON1\t31\t0\t3-14-26\t0\t800\n"
    '"Wei, Li"\t4713\t0\tMid 3\t35\t0\t3-14-26\t1700\t0\n'
)


def parse(text: str, year: int = 2026, month: int = 3) -> tuple[list[ExportRow], ValidationResult]:
    return parse_export(text, year=year, month=month, day_start=DAY_START, tz=TZ)


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


def test_title_and_header_lines_are_skipped_and_rows_keep_their_line_numbers() -> None:
    rows, _ = parse(CSV_EXPORT)
    assert [row.line for row in rows] == [4, 5, 6, 7, 8, 9]
    assert rows[0].location == "Amion 2026-03 line 4"


def test_quoted_names_with_a_comma_and_every_staff_id_form() -> None:
    rows, _ = parse(CSV_EXPORT)
    assert [(row.staff_name, row.staff_id) for row in rows[:4]] == [
        ("Smith, Jane", "4711"),
        ("Jane Smith", "EPICID:12345"),
        ("Haddad, Omar", None),
        ("Wei, Li", None),
    ]
    assert rows[1].position == "Mid Body" and rows[1].position_key == "midbody"


def test_a_time_before_day_start_lies_on_the_next_calendar_date() -> None:
    rows, _ = parse(CSV_EXPORT)
    on1 = rows[0]
    assert on1.service_date == dt.date(2026, 3, 14)
    assert (on1.start_at, on1.end_at) == (at(3, 15, 1), at(3, 15, 8))


def test_zero_and_2400_are_midnight_and_overnight_rows_cross_into_the_next_day() -> None:
    rows, _ = parse(CSV_EXPORT)
    assert (rows[1].start_at, rows[1].end_at) == (at(3, 14, 17), at(3, 15, 0))
    assert (rows[2].start_at, rows[2].end_at) == (at(3, 14, 17), at(3, 15, 0))
    assert (rows[5].start_at, rows[5].end_at) == (at(3, 7, 20), at(3, 8, 7))


def test_an_end_equal_to_its_start_is_a_24_hour_shift() -> None:
    rows, _ = parse(CSV_EXPORT)
    assert (rows[3].start_at, rows[3].end_at) == (at(3, 14, 8), at(3, 15, 8))


def test_a_row_without_times_covers_the_whole_window() -> None:
    rows, _ = parse(CSV_EXPORT)
    assert rows[4].start is None and rows[4].start_at is None and rows[4].end_at is None


def test_the_night_clocks_spring_forward_is_an_hour_shorter() -> None:
    rows, _ = parse(CSV_EXPORT)
    okafor = rows[5]  # 7 March 20:00 -> 8 March 07:00, DST starts 8 March 2026 at 02:00
    elapsed = okafor.end_at.astimezone(dt.UTC) - okafor.start_at.astimezone(dt.UTC)
    assert elapsed == dt.timedelta(hours=10)


def test_unreadable_rows_are_skipped_with_a_warning_naming_month_and_line() -> None:
    _, validation = parse(CSV_EXPORT)
    warnings = [(m.code, m.location) for m in validation]
    assert warnings == [
        ("INVALID_AMION_ROW", "Amion 2026-03 line 10"),
        ("INVALID_AMION_ROW", "Amion 2026-03 line 11"),
        ("INVALID_AMION_ROW", "Amion 2026-03 line 12"),
    ]
    texts = [m.message for m in validation]
    assert "3-32-26" in texts[0] and "7pm" in texts[1] and "not both" in texts[2]


def test_the_tab_separated_variant() -> None:
    rows, validation = parse(TAB_EXPORT)
    assert not validation.messages
    assert [(r.staff_name, r.position, r.start_at, r.end_at) for r in rows] == [
        ("Smith, Jane", "ON1", at(3, 15, 0), at(3, 15, 8)),
        ("Wei, Li", "Mid 3", at(3, 14, 17), at(3, 15, 0)),
    ]


def test_no_file_means_a_wrong_access_code() -> None:
    with pytest.raises(AmionBadCode) as caught:
        parse("NOFI=No file\n")
    assert caught.value.code == "AMION_BAD_CODE" and not caught.value.transient
    assert caught.value.location == "Amion 2026-03"


def test_html_instead_of_an_export_names_the_page_title() -> None:
    page = "<!DOCTYPE html><html><head><title>Amion &ndash; Log in</title></head></html>"
    with pytest.raises(AmionUnexpectedResponse, match="Amion – Log in") as caught:
        parse(page)
    assert not caught.value.transient


def test_an_empty_export_has_no_rows_and_no_findings() -> None:
    rows, validation = parse("Demo Radiology\r\nNo assignments this month\r\n")
    assert rows == [] and not validation.messages
