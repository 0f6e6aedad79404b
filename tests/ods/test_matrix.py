"""Layout A rules and warnings, each with its cell reference (ODS_LAYOUTS.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from schedcu.errors import UnusableTemplate
from schedcu.models import TemplateLayout
from schedcu.ods import parse_template
from tests.ods.builders import matrix_content

MakeOds = Callable[..., Path]
SHEET = "Mid Weekday Body 5 - 6 pm"


def parse(make_ods: MakeOds, sheets: dict, **options: bool):
    return parse_template(make_ods(matrix_content(sheets, **options)))


def test_marks_in_any_case_and_white_space(make_ods: MakeOds) -> None:
    template, result = parse(
        make_ods,
        {
            SHEET: [
                [None, "Mid Body", "Mid Neuro", "Mid 3"],
                ["CT Neuro", None, " X ", None],
                ["CT Body", "x", None, "\n x\n"],
                ["US", None, None, None],
            ]
        },
    )
    assert result.codes() == []
    [sheet] = template.sheets
    assert sheet.marks == {
        "Mid Body": ("CT Body",),
        "Mid Neuro": ("CT Neuro",),
        "Mid 3": ("CT Body",),
    }
    assert sheet.study_types == ("CT Neuro", "CT Body", "US")
    assert template.layout is TemplateLayout.MATRIX


def test_unexpected_cell_value_is_a_warning_with_its_cell(make_ods: MakeOds) -> None:
    template, result = parse(
        make_ods,
        {SHEET: [[None, "Mid Body", "Mid Neuro"], ["CT Neuro", "yes", "x"], ["CT Body", "x"]]},
    )
    [message] = result.messages
    assert message.code == "UNEXPECTED_CELL_VALUE"
    assert message.location == f"'{SHEET}'!B2"
    assert template.sheets[0].marks["Mid Body"] == ("CT Body",)


def test_duplicate_study_type_and_position(make_ods: MakeOds) -> None:
    template, result = parse(
        make_ods,
        {
            SHEET: [
                [None, "MidC", "Mid C", "MidL"],
                ["CT Neuro", "x", None, None],
                ["ct  neuro ", None, None, "x"],
            ]
        },
    )
    by_code = {m.code: m.location for m in result}
    assert by_code == {
        "DUPLICATE_POSITION": f"'{SHEET}'!C1",
        "DUPLICATE_STUDY_TYPE": f"'{SHEET}'!A3",
    }
    assert template.sheets[0].positions == ("MidC", "MidL")


def test_sheet_without_any_mark_is_a_warning(make_ods: MakeOds) -> None:
    template, result = parse(make_ods, {SHEET: [[None, "MidC"], ["CT Neuro", None]]})
    assert result.codes() == ["NO_MARKS"]
    assert template.sheets[0].marks == {"MidC": ()}


def test_unparseable_sheet_name_is_skipped_with_a_warning(make_ods: MakeOds) -> None:
    template, result = parse(
        make_ods,
        {"Notes": [["anything"]], SHEET: [[None, "MidC"], ["CT", "x"]]},
    )
    assert [sheet.name for sheet in template.sheets] == [SHEET]
    [message] = result.messages
    assert message.code == "UNPARSEABLE_SHEET_NAME"
    assert "'Notes'" in message.message
    assert template.sheets[0].order == 1


def test_extra_grid_block_reports_range_and_disagreement(make_ods: MakeOds) -> None:
    rows = [
        [None, "MidC", "MidL", None, None, "MidC", "MidL"],
        ["CT", "x", None, None, "CT", None, "x"],
        ["US", None, "x", None, "US", None, "x"],
        ["MR", "x", None, None, "MR", "x", None],
    ]
    template, result = parse(make_ods, {SHEET: rows})
    [message] = result.messages
    assert message.code == "EXTRA_GRID_BLOCK"
    assert message.location == f"'{SHEET}'!E1:G4"
    assert "1 study types (2 cells): CT" in message.message
    assert template.sheets[0].marks == {"MidC": ("CT", "MR"), "MidL": ("US",)}


def test_grid_may_start_below_and_right(make_ods: MakeOds) -> None:
    template, result = parse(make_ods, {SHEET: [[], [None, None, "MidC"], [None, "CT", "x"]]})
    assert result.codes() == []
    assert template.sheets[0].marks == {"MidC": ("CT",)}


def test_libreoffice_trailing_repeats_import(make_ods: MakeOds) -> None:
    template, result = parse(
        make_ods, {SHEET: [[None, "MidC"], ["CT", "x"]]}, libreoffice_tail=True
    )
    assert result.codes() == []
    assert template.sheets[0].marks == {"MidC": ("CT",)}


def test_study_types_are_the_union_in_first_seen_order(make_ods: MakeOds) -> None:
    template, _ = parse(
        make_ods,
        {
            SHEET: [[None, "MidC"], ["CT", "x"], ["US", None]],
            "ON 1 am - 8 am": [[None, "ON1"], ["us ", "x"], ["MR", "x"]],
        },
    )
    assert template.study_types == ("CT", "US", "MR")
    assert template.sheets[1].start == dt.time(1)


def test_no_known_layout_names_what_it_looked_for(make_ods: MakeOds) -> None:
    with pytest.raises(UnusableTemplate) as caught:
        parse(make_ods, {"Sheet1": [["Name", "Phone"], ["Ann", "555"]]})
    err = caught.value
    assert err.code == "UNKNOWN_LAYOUT"
    assert "Sheet1" in err.message
    assert "ShiftType" in err.message and "Weekday|Weekend" in err.message
    assert err.validation.has_errors
    assert err.validation.codes() == ["UNKNOWN_LAYOUT"]


def test_matrix_sheet_without_positions_is_unusable(make_ods: MakeOds) -> None:
    with pytest.raises(UnusableTemplate) as caught:
        parse(make_ods, {SHEET: [["Study type"], ["CT"]]})
    assert caught.value.validation.codes() == ["NO_POSITIONS", "UNKNOWN_LAYOUT"]


def test_empty_matrix_sheet_is_skipped(make_ods: MakeOds) -> None:
    template, result = parse(make_ods, {SHEET: [], "ON 1 am - 8 am": [[None, "ON1"], ["CT", "x"]]})
    assert result.codes() == ["EMPTY_SHEET"]
    assert [sheet.name for sheet in template.sheets] == ["ON 1 am - 8 am"]
