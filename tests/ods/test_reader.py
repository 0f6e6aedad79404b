"""Cell semantics of the streaming reader: repeats, covered cells, text, value types, caps."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from schedcu.config import Settings
from schedcu.errors import MalformedOds, TemplateTooLarge
from schedcu.ods.archive import open_content
from schedcu.ods.cells import Cell, cell_ref, column_letters, range_ref, sheet_of
from schedcu.ods.reader import iter_sheets
from schedcu.validation import ValidationResult
from tests.ods.builders import content_xml, row_xml, sheet_xml
from tests.utils.work import python_lines

MakeOds = Callable[..., Path]


def read_rows(path: Path, settings: Settings | None = None) -> dict[str, list]:
    settings = settings or Settings()
    with open_content(path, settings, ValidationResult()) as stream:
        return {sheet.name: list(sheet.rows) for sheet in iter_sheets(stream, settings)}


def texts(rows: list) -> dict[tuple[int, int], str]:
    return {(cell.row, cell.col): cell.text for _, cells in rows for cell in cells}


def test_column_and_row_repeats_of_filled_cells_are_materialised(make_ods: MakeOds) -> None:
    xml = sheet_xml(
        "S",
        [],
    ).replace(
        "</table:table>",
        '<table:table-row table:number-rows-repeated="2">'
        '<table:table-cell table:number-columns-repeated="3" office:value-type="string">'
        "<text:p>x</text:p></table:table-cell></table:table-row></table:table>",
    )
    rows = read_rows(make_ods(content_xml([xml])))["S"]
    assert texts(rows) == {(r, c): "x" for r in range(2) for c in range(3)}


def test_empty_repeats_only_move_the_position(make_ods: MakeOds) -> None:
    body = (
        '<table:table table:name="S">'
        '<table:table-row table:number-rows-repeated="4">'
        '<table:table-cell table:number-columns-repeated="9"/></table:table-row>'
        + row_xml([None, None, "b"], trailing=0).replace(
            "<table:table-row>",
            '<table:table-row><table:table-cell table:number-columns-repeated="5"/>',
        )
        + "</table:table>"
    )
    rows = read_rows(make_ods(content_xml([body])))["S"]
    assert texts(rows) == {(4, 7): "b"}
    assert cell_ref("S", 4, 7) == "'S'!H5"


def test_libreoffice_trailing_repeats_cost_nothing(make_ods: MakeOds) -> None:
    """LibreOffice's 16,000 x 1,048,000 trailing empty cells cost a few lines of Python more
    than the same sheet without them, not one per repeated row or column (counted, not timed)."""
    cells = [["a", "b"], ["c", None, "d"]]
    plain = make_ods(content_xml([sheet_xml("S", cells)]))
    tailed = make_ods(content_xml([sheet_xml("S", cells, libreoffice_tail=True)]))
    read_rows(plain)  # first use: lazy imports and caches are not the reader's work
    with python_lines() as plain_lines:
        expected = read_rows(plain)["S"]
    with python_lines() as tailed_lines:
        rows = read_rows(tailed)["S"]
    assert texts(rows) == texts(expected) == {(0, 0): "a", (0, 1): "b", (1, 0): "c", (1, 2): "d"}
    assert tailed_lines[0] - plain_lines[0] < 1_000, (tailed_lines[0], plain_lines[0])


def test_covered_cells_are_empty_and_take_their_column(make_ods: MakeOds) -> None:
    row = (
        "<table:table-row>"
        '<table:table-cell table:number-columns-spanned="2" office:value-type="string">'
        "<text:p>merged</text:p></table:table-cell>"
        "<table:covered-table-cell><text:p>hidden</text:p></table:covered-table-cell>"
        '<table:table-cell office:value-type="string"><text:p>next</text:p></table:table-cell>'
        "</table:table-row>"
    )
    body = f'<table:table table:name="S">{row}</table:table>'
    assert texts(read_rows(make_ods(content_xml([body])))["S"]) == {
        (0, 0): "merged",
        (0, 2): "next",
    }


def test_text_spaces_tabs_breaks_spans_and_paragraphs(make_ods: MakeOds) -> None:
    cell = (
        '<table:table-cell office:value-type="string">'
        '<text:p>a<text:s text:c="3"/>b<text:tab/>c<text:line-break/>d<text:s/>'
        '<text:span text:style-name="T1">e</text:span></text:p>'
        "<text:p>second\n    line</text:p>"
        "<office:annotation><text:p>a comment</text:p></office:annotation>"
        "</table:table-cell>"
    )
    body = f'<table:table table:name="S"><table:table-row>{cell}</table:table-row></table:table>'
    assert texts(read_rows(make_ods(content_xml([body])))["S"]) == {
        (0, 0): "a   b\tc\nd e\nsecond line"
    }


def test_one_paragraph_keeps_its_explicit_spaces(make_ods: MakeOds) -> None:
    cells = (
        '<table:table-cell office:value-type="string"><text:p>Mid<text:s text:c="2"/>3'
        "</text:p></table:table-cell>"
        '<table:table-cell office:value-type="string"><text:p>\n  CT   Neuro\t</text:p>'
        "</table:table-cell>"
    )
    body = f'<table:table table:name="S"><table:table-row>{cells}</table:table-row></table:table>'
    assert texts(read_rows(make_ods(content_xml([body])))["S"]) == {
        (0, 0): "Mid  3",
        (0, 1): " CT Neuro ",
    }


def test_value_types(make_ods: MakeOds) -> None:
    cells = (
        '<table:table-cell office:value-type="float" office:value="2"><text:p>2.00</text:p>'
        "</table:table-cell>"
        '<table:table-cell office:value-type="date" office:date-value="2026-03-14">'
        "<text:p>14/03/26</text:p></table:table-cell>"
        '<table:table-cell office:value-type="boolean" office:boolean-value="true">'
        "<text:p>TRUE</text:p></table:table-cell>"
        '<table:table-cell office:value-type="time" office:time-value="PT17H30M00S"/>'
        '<table:table-cell office:value-type="string"><text:p>s</text:p></table:table-cell>'
    )
    body = f'<table:table table:name="S"><table:table-row>{cells}</table:table-row></table:table>'
    [(_, row)] = read_rows(make_ods(content_xml([body])))["S"]
    assert row == [
        Cell(0, 0, "2.00", "float", "2"),
        Cell(0, 1, "14/03/26", "date", "2026-03-14"),
        Cell(0, 2, "TRUE", "boolean", "true"),
        Cell(0, 3, "", "time", "PT17H30M00S"),
        Cell(0, 4, "s", "string", None),
    ]


def test_sheets_in_file_order_including_empty_ones(make_ods: MakeOds) -> None:
    path = make_ods(content_xml([sheet_xml("B", [["1"]]), sheet_xml("A", []), sheet_xml("C", [])]))
    assert list(read_rows(path)) == ["B", "A", "C"]


@pytest.mark.parametrize(
    ("settings", "xml"),
    [
        (
            Settings(ods_max_columns=10),
            '<table:table-row><table:table-cell table:number-columns-repeated="11" '
            'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>',
        ),
        (
            Settings(ods_max_rows=100),
            '<table:table-row table:number-rows-repeated="101"><table:table-cell '
            'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>',
        ),
        (
            Settings(ods_max_cells=50),
            '<table:table-row table:number-rows-repeated="10"><table:table-cell '
            'table:number-columns-repeated="6" office:value-type="string"><text:p>x</text:p>'
            "</table:table-cell></table:table-row>",
        ),
    ],
    ids=["columns", "rows", "cells"],
)
def test_caps_on_rows_columns_and_cells(make_ods: MakeOds, settings: Settings, xml: str) -> None:
    body = f'<table:table table:name="S">{xml}</table:table>'
    with pytest.raises(TemplateTooLarge) as caught:
        read_rows(make_ods(content_xml([body])), settings)
    assert caught.value.location is not None
    assert caught.value.location.startswith("'S'!A")


def test_absurd_space_count_is_refused(make_ods: MakeOds) -> None:
    cell = '<table:table-cell><text:p><text:s text:c="2000000000"/></text:p></table:table-cell>'
    body = f'<table:table table:name="S"><table:table-row>{cell}</table:table-row></table:table>'
    with pytest.raises(TemplateTooLarge):
        read_rows(make_ods(content_xml([body])))


@pytest.mark.parametrize("repeat", ["-3", "0", "many", "99999999999999999999"])
def test_invalid_repeat_counts_are_malformed(make_ods: MakeOds, repeat: str) -> None:
    body = (
        f'<table:table table:name="S"><table:table-row table:number-rows-repeated="{repeat}">'
        "<table:table-cell/></table:table-row></table:table>"
    )
    with pytest.raises(MalformedOds):
        read_rows(make_ods(content_xml([body])))


def test_sheet_of_inverts_the_reference() -> None:
    assert sheet_of(cell_ref("It's Mid 5 - 6 pm", 3, 2)) == "It's Mid 5 - 6 pm"
    assert sheet_of(range_ref("S!1", 0, 20, 23, 23)) == "S!1"


def test_column_letters() -> None:
    assert [column_letters(c) for c in (0, 2, 20, 23, 25, 26, 701, 702)] == [
        "A",
        "C",
        "U",
        "X",
        "Z",
        "AA",
        "ZZ",
        "AAA",
    ]
