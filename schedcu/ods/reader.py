"""Streaming `content.xml` into sheets of non-empty rows, with lxml `iterparse`.

One pass, one row element in memory at a time: each `table:table-row` is read when it ends and
then dropped. Repeats follow the ODF rules: `number-columns-repeated` and
`number-rows-repeated` multiply non-empty cells and rows (counted against the caps before they
are materialised) and merely advance the position for empty ones, so LibreOffice's trailing
`number-rows-repeated="1048000"` costs nothing. Covered cells (hidden under a merged cell) are
empty. Cell text follows ODF white-space rules: runs of white space in the XML are one space,
`text:s`, `text:tab` and `text:line-break` are literal, paragraphs are joined by newlines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from lxml import etree

from schedcu.config import Settings
from schedcu.errors import MalformedOds, TemplateTooLarge
from schedcu.ods.cells import Cell, cell_ref

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
T_TABLE = f"{{{_TABLE}}}table"
T_ROW = f"{{{_TABLE}}}table-row"
T_CELL = f"{{{_TABLE}}}table-cell"
T_COVERED = f"{{{_TABLE}}}covered-table-cell"
A_NAME = f"{{{_TABLE}}}name"
A_ROWS_REPEATED = f"{{{_TABLE}}}number-rows-repeated"
A_COLS_REPEATED = f"{{{_TABLE}}}number-columns-repeated"
TX_P = f"{{{_TEXT}}}p"
TX_H = f"{{{_TEXT}}}h"
TX_S = f"{{{_TEXT}}}s"
TX_TAB = f"{{{_TEXT}}}tab"
TX_BREAK = f"{{{_TEXT}}}line-break"
A_C = f"{{{_TEXT}}}c"
O_ANNOTATION = f"{{{_OFFICE}}}annotation"
O_SPREADSHEET = f"{{{_OFFICE}}}spreadsheet"
A_VALUE_TYPE = f"{{{_OFFICE}}}value-type"
VALUE_ATTRIBUTES = {
    "float": f"{{{_OFFICE}}}value",
    "percentage": f"{{{_OFFICE}}}value",
    "currency": f"{{{_OFFICE}}}value",
    "date": f"{{{_OFFICE}}}date-value",
    "time": f"{{{_OFFICE}}}time-value",
    "boolean": f"{{{_OFFICE}}}boolean-value",
}
MAX_SPACES = 10_000
_WHITESPACE = re.compile(r"[ \t\r\n]+")

Row = tuple[int, list[Cell]]
# Cell's own constructor is a Python function; in the hot loop the tuple is built directly.
_new_cell = tuple.__new__


@dataclass(slots=True)
class SheetStream:
    """One sheet in file order; `rows` yields its non-empty rows and must be read before the
    next sheet (the workbook iterator drains what is left)."""

    name: str
    order: int
    rows: Iterator[Row]


class _Budget:
    """The caps of Settings, shared by all sheets of one workbook."""

    def __init__(self, settings: Settings) -> None:
        self.max_rows = settings.ods_max_rows
        self.max_columns = settings.ods_max_columns
        self.cells_left = settings.ods_max_cells

    def take_cells(self, count: int, sheet: str, row: int) -> None:
        self.cells_left -= count
        if self.cells_left < 0:
            where = cell_ref(sheet, row, 0)
            raise TemplateTooLarge(
                f"The spreadsheet has more than the limit of filled cells (stopped at {where}); "
                "remove unused rows and columns.",
                location=where,
            )


def iter_sheets(stream: BinaryIO, settings: Settings) -> Iterator[SheetStream]:
    """The sheets of a `content.xml` stream, in file order."""
    events = _events(stream, _Budget(settings))
    order = 0
    for event in events:
        if event[0] != "sheet":
            continue
        sheet = SheetStream(event[1], order, _rows_until_end(events))
        order += 1
        yield sheet
        for _ in sheet.rows:
            pass


def _rows_until_end(events: Iterator[tuple]) -> Iterator[Row]:
    for event in events:
        if event[0] == "end":
            return
        yield event[1]


def _events(stream: BinaryIO, budget: _Budget) -> Iterator[tuple]:
    """("sheet", name), ("row", (index, cells))..., ("end",) per top-level table.

    Only end events are asked for (half the round trips into Python): a sheet starts at the end
    of its first row, or at its own end when it has no row. Tables nested in cells are skipped.
    """
    parser = etree.iterparse(
        stream,
        events=("end",),
        tag=(T_TABLE, T_ROW),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    table: etree._Element | None = None
    sheet = ""
    row_index = 0
    checked = False
    try:
        for _, element in parser:
            if not checked:
                _refuse_doctype(element)
                checked = True
            if element.tag == T_TABLE:
                if _is_sheet(element):
                    if table is not element:
                        yield ("sheet", element.get(A_NAME) or "")
                    table = None
                    yield ("end",)
                    element.clear()
                continue
            parent = element.getparent()
            if parent is not table:
                owner = _owning_table(parent)
                if owner is None or not _is_sheet(owner):
                    continue
                if owner is not table:
                    table, sheet, row_index = owner, owner.get(A_NAME) or "", 0
                    yield ("sheet", sheet)
            raw_repeat = element.get(A_ROWS_REPEATED)
            repeat = 1 if raw_repeat is None else _repeat(raw_repeat)
            cells = _row_cells(element, sheet, row_index, budget)
            if cells:
                if row_index + repeat > budget.max_rows:
                    raise _too_many_rows(sheet, row_index, budget.max_rows)
                budget.take_cells(len(cells) * repeat, sheet, row_index)
                yield ("row", (row_index, cells))
                for offset in range(1, repeat):
                    index = row_index + offset
                    yield ("row", (index, [cell._replace(row=index) for cell in cells]))
            row_index += repeat
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del parent[0]
        if not checked and parser.root is not None:
            _refuse_doctype(parser.root)
    except etree.XMLSyntaxError as exc:
        raise MalformedOds(
            f"The spreadsheet's content is damaged (invalid XML: {exc.msg}); save it again "
            "from LibreOffice or Excel and retry."
        ) from exc


def _owning_table(element: etree._Element | None) -> etree._Element | None:
    """The nearest table around a row (rows may sit in header-rows or row-groups)."""
    while element is not None and element.tag != T_TABLE:
        element = element.getparent()
    return element


def _is_sheet(table: etree._Element) -> bool:
    parent = table.getparent()
    return parent is not None and parent.tag == O_SPREADSHEET


def _refuse_doctype(element: etree._Element) -> None:
    docinfo = element.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise MalformedOds(
            "The spreadsheet's content declares a DOCTYPE or XML entities, which a real "
            "spreadsheet never does; it is refused for safety."
        )


def _too_many_rows(sheet: str, row: int, limit: int) -> TemplateTooLarge:
    where = cell_ref(sheet, row, 0)
    return TemplateTooLarge(
        f"Sheet {sheet!r} has filled rows beyond the limit of {limit:,} rows; remove unused rows.",
        location=where,
    )


def _repeat(raw: str | None) -> int:
    if raw is None:
        return 1
    count = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else 0
    if count < 1:
        raise MalformedOds(f"The spreadsheet's content has an invalid repeat count {raw[:20]!r}.")
    return count


def _row_cells(row: etree._Element, sheet: str, row_index: int, budget: _Budget) -> list[Cell]:
    """The non-empty cells of a row. The hot loop of the reader: the common cell (one
    paragraph of plain text) is read inline, without a function call. A row holds only cells
    and covered cells (ODF schema); covered cells take their column but are empty."""
    cells: list[Cell] = []
    append = cells.append
    max_columns = budget.max_columns
    col = 0
    for element in row:
        raw_repeat = element.get(A_COLS_REPEATED)
        repeat = 1 if raw_repeat is None else _repeat(raw_repeat)
        count = len(element)
        value_type = element.get(A_VALUE_TYPE)
        if (count or value_type is not None) and element.tag == T_CELL:
            value = None
            if value_type is not None and value_type != "string":
                attribute = VALUE_ATTRIBUTES.get(value_type)
                value = element.get(attribute) if attribute is not None else None
            text = ""
            if count == 1:
                child = element[0]
                if child.tag in (TX_P, TX_H):
                    if len(child):
                        text = _inline(child, sheet, row_index, col)
                    else:
                        text = child.text or ""
                        if "  " in text or not text.isprintable():  # \t, \n, \r are not
                            text = _WHITESPACE.sub(" ", text)
            elif count:
                text = _paragraphs(element, sheet, row_index, col)
            if text or value is not None:
                if col + repeat > max_columns:
                    raise _too_many_columns(sheet, row_index, col, max_columns)
                append(_new_cell(Cell, (row_index, col, text, value_type, value)))
                if repeat > 1:
                    cells.extend(
                        Cell(row_index, col + offset, text, value_type, value)
                        for offset in range(1, repeat)
                    )
        col += repeat
    return cells


def _too_many_columns(sheet: str, row: int, col: int, limit: int) -> TemplateTooLarge:
    return TemplateTooLarge(
        f"Sheet {sheet!r} has filled columns beyond the limit of {limit:,} columns; remove "
        "unused columns.",
        location=cell_ref(sheet, row, col),
    )


def _paragraphs(element: etree._Element, sheet: str, row: int, col: int) -> str:
    return "\n".join(
        _inline(child, sheet, row, col)
        for child in element
        if child.tag == TX_P or child.tag == TX_H
    )


def _plain(text: str | None) -> str:
    if not text:
        return ""
    if "  " in text or not text.isprintable():
        return _WHITESPACE.sub(" ", text)
    return text


def _inline(element: etree._Element, sheet: str, row: int, col: int) -> str:
    if len(element) == 0:
        return _plain(element.text)
    parts = [_plain(element.text)]
    for child in element:
        tag = child.tag
        if tag == TX_S:
            count = _repeat(child.get(A_C))
            if count > MAX_SPACES:
                raise TemplateTooLarge(
                    f"A cell holds {count:,} spaces; that is not a template.",
                    location=cell_ref(sheet, row, col),
                )
            parts.append(" " * count)
        elif tag == TX_TAB:
            parts.append("\t")
        elif tag == TX_BREAK:
            parts.append("\n")
        elif tag != O_ANNOTATION and isinstance(tag, str):
            parts.append(_inline(child, sheet, row, col))
        parts.append(_plain(child.tail))
    return "".join(parts)
