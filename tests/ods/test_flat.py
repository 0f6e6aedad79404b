"""Layout B, the flat shift list: header detection, typed cells, invalid rows (ODS_LAYOUTS.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from schedcu.errors import UnusableTemplate
from schedcu.models import TemplateLayout
from schedcu.ods import parse_template
from schedcu.template import FlatShift
from tests.ods.builders import NAMESPACES, content_xml, sheet_xml

MakeOds = Callable[..., Path]
HEADER = ["StudyType", "date", "SHIFTTYPE", "RequiredStaffing", "SpecialtyConstraint"]


def date_cell(value: str) -> str:
    return (
        f'<table:table-cell office:value-type="date" office:date-value="{value}">'
        "<text:p>whatever the locale shows</text:p></table:table-cell>"
    )


def float_cell(value: str) -> str:
    return (
        f'<table:table-cell office:value-type="float" office:value="{value}">'
        f"<text:p>{value}</text:p></table:table-cell>"
    )


def time_cell(value: str) -> str:
    return f'<table:table-cell office:value-type="time" office:time-value="{value}"/>'


def test_columns_in_any_order_and_case(make_ods: MakeOds) -> None:
    rows = [
        HEADER,
        ["CT Neuro", date_cell("2026-03-02T00:00:00"), "ON1", float_cell("2"), "NEURO_ONLY"],
        ["US", " 2026-03-03 ", " MidC\n", "1", None],
    ]
    template, result = parse_template(make_ods(content_xml([sheet_xml("Shifts", rows)])))
    assert result.codes() == []
    assert template.layout is TemplateLayout.FLAT
    assert template.shifts == (
        FlatShift(
            dt.date(2026, 3, 2), "ON1", 2, "NEURO_ONLY", "CT Neuro", None, None, "'Shifts'!A2"
        ),
        FlatShift(dt.date(2026, 3, 3), "MidC", 1, None, "US", None, None, "'Shifts'!A3"),
    )
    assert template.study_types == ("CT Neuro", "US")


def test_start_and_end_times_as_values_or_text(make_ods: MakeOds) -> None:
    rows = [
        [*HEADER, "StartTime", "EndTime"],
        ["CT", "2026-03-02", "ON1", "1", None, time_cell("PT20H00M00S"), "8 am"],
        ["CT", "2026-03-02", "Mid", "1", None, "17:00", time_cell("PT24H00M00S")],
    ]
    template, result = parse_template(make_ods(content_xml([sheet_xml("S", rows)])))
    assert result.codes() == []
    assert [(s.start, s.end) for s in template.shifts] == [
        (dt.time(20), dt.time(8)),
        (dt.time(17), dt.time(0)),
    ]


def test_invalid_rows_are_warnings_with_their_cell_and_skipped(make_ods: MakeOds) -> None:
    rows = [
        HEADER,
        ["CT", "14/03/2026", "ON1", "1", None],
        ["CT", "2026-02-30", "ON1", "1", None],
        ["CT", "2026-03-02", "ON1", "-1", None],
        ["CT", "2026-03-02", "ON1", "1.5", None],
        ["CT", "2026-03-02", None, "1", None],
        ["CT", "2026-03-02", "ON1", "2", None],
    ]
    template, result = parse_template(make_ods(content_xml([sheet_xml("S", rows)])))
    assert [(m.code, m.location) for m in result] == [
        ("INVALID_DATE", "'S'!B2"),
        ("INVALID_DATE", "'S'!B3"),
        ("INVALID_STAFFING", "'S'!D4"),
        ("INVALID_STAFFING", "'S'!D5"),
        ("MISSING_VALUE", "'S'!C6"),
    ]
    assert [shift.location for shift in template.shifts] == ["'S'!A7"]


def test_a_header_without_valid_rows_is_unusable(make_ods: MakeOds) -> None:
    rows = [HEADER, ["CT", "someday", "ON1", "1", None]]
    with pytest.raises(UnusableTemplate) as caught:
        parse_template(make_ods(content_xml([sheet_xml("S", rows)])))
    assert caught.value.code == "NO_VALID_ROWS"
    assert caught.value.validation.codes() == ["INVALID_DATE", "NO_VALID_ROWS"]


def test_the_first_sheet_with_the_header_is_used(make_ods: MakeOds) -> None:
    sheets = [
        sheet_xml("Notes", [["read me"]]),
        sheet_xml("A", [HEADER, ["CT", "2026-03-02", "ON1", "1", None]]),
        sheet_xml("B", [HEADER, ["US", "2026-03-02", "ON1", "1", None]]),
    ]
    template, _ = parse_template(make_ods(content_xml(sheets)))
    assert [shift.study_type for shift in template.shifts] == ["CT"]


def test_missing_required_column_is_unknown_layout(make_ods: MakeOds) -> None:
    rows = [HEADER[:4], ["CT", "2026-03-02", "ON1", "1"]]
    with pytest.raises(UnusableTemplate) as caught:
        parse_template(make_ods(content_xml([sheet_xml("S", rows)])))
    assert caught.value.code == "UNKNOWN_LAYOUT"
    assert "lacks required columns" in caught.value.message


PRETTY = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content {NAMESPACES}>
  <office:body>
    <office:spreadsheet>
      <table:table table:name="Shifts">
        <table:table-row>
          <table:table-cell office:value-type="string">
            <text:p>
              Date
            </text:p>
          </table:table-cell>
          <table:table-cell office:value-type="string">
            <text:p>ShiftType</text:p>
          </table:table-cell>
          <table:table-cell><text:p>RequiredStaffing</text:p></table:table-cell>
          <table:table-cell><text:p>SpecialtyConstraint</text:p></table:table-cell>
          <table:table-cell><text:p>StudyType</text:p></table:table-cell>
        </table:table-row>
        <table:table-row>
          <table:table-cell office:value-type="string">
            <text:p>
              2026-03-02
            </text:p>
          </table:table-cell>
          <table:table-cell>
            <text:p>
              ON1
            </text:p>
          </table:table-cell>
          <table:table-cell>
            <text:p>  2
            </text:p>
          </table:table-cell>
          <table:table-cell/>
          <table:table-cell>
            <text:p>
              CT  Neuro
            </text:p>
          </table:table-cell>
        </table:table-row>
      </table:table>
    </office:spreadsheet>
  </office:body>
</office:document-content>
"""


def test_compressed_mimetype_and_pretty_printed_content_import(make_ods: MakeOds) -> None:
    path = make_ods(PRETTY.encode(), compress_mimetype=True)
    template, result = parse_template(path)
    assert [m.code for m in result] == ["UNUSUAL_ZIP_LAYOUT"]
    assert result.messages[0].severity.value == "INFO"
    assert template.shifts == (
        FlatShift(dt.date(2026, 3, 2), "ON1", 2, None, "CT Neuro", None, None, "'Shifts'!A2"),
    )
