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

    def take_cells(self, count: int, where: str) -> None:
        self.cells_left -= count
        if self.cells_left < 0:
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
    parser = etree.iterparse(
        stream,
        events=("start", "end"),
        tag=(T_TABLE, T_ROW),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    sheet: str | None = None
    row_index = 0
    depth = 0
    checked = False
    try:
        for action, element in parser:
            if not checked:
                _refuse_doctype(element)
                checked = True
            if element.tag == T_TABLE:
                if action == "start":
                    depth += 1
                    if depth == 1:
                        sheet, row_index = element.get(A_NAME) or f"Sheet{depth}", 0
                        yield ("sheet", sheet)
                    continue
                depth -= 1
                if depth == 0:
                    sheet = None
                    yield ("end",)
                element.clear()
                continue
            if action == "start" or depth != 1 or sheet is None:
                continue
            repeat = _repeat(element.get(A_ROWS_REPEATED))
            cells = _row_cells(element, sheet, row_index, budget)
            if cells:
                if row_index + repeat > budget.max_rows:
                    raise _too_many_rows(sheet, row_index, budget.max_rows)
                budget.take_cells(len(cells) * repeat, cell_ref(sheet, row_index, 0))
                yield ("row", (row_index, cells))
                for offset in range(1, repeat):
                    index = row_index + offset
                    yield ("row", (index, [_moved(cell, index) for cell in cells]))
            row_index += repeat
            element.clear(keep_tail=False)
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        raise MalformedOds(
            f"The spreadsheet's content is damaged (invalid XML: {exc.msg}); save it again "
            "from LibreOffice or Excel and retry."
        ) from exc


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


def _moved(cell: Cell, row: int) -> Cell:
    return Cell(row, cell.col, cell.text, cell.value_type, cell.value)


def _repeat(raw: str | None) -> int:
    if raw is None:
        return 1
    count = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else 0
    if count < 1:
        raise MalformedOds(f"The spreadsheet's content has an invalid repeat count {raw[:20]!r}.")
    return count


def _row_cells(row: etree._Element, sheet: str, row_index: int, budget: _Budget) -> list[Cell]:
    cells: list[Cell] = []
    col = 0
    for element in row:
        tag = element.tag
        if tag != T_CELL and tag != T_COVERED:
            continue
        repeat = _repeat(element.get(A_COLS_REPEATED))
        if tag == T_CELL:
            cell = _cell(element, sheet, row_index, col)
            if cell is not None:
                if col + repeat > budget.max_columns:
                    raise TemplateTooLarge(
                        f"Sheet {sheet!r} has filled columns beyond the limit of "
                        f"{budget.max_columns:,} columns; remove unused columns.",
                        location=cell_ref(sheet, row_index, col),
                    )
                cells.append(cell)
                cells.extend(
                    Cell(row_index, col + offset, cell.text, cell.value_type, cell.value)
                    for offset in range(1, repeat)
                )
        col += repeat
    return cells


def _cell(element: etree._Element, sheet: str, row: int, col: int) -> Cell | None:
    value_type = element.get(A_VALUE_TYPE)
    value = element.get(VALUE_ATTRIBUTES[value_type]) if value_type in VALUE_ATTRIBUTES else None
    if len(element) == 0:
        text = ""
    else:
        paragraphs = [
            _inline(child, sheet, row, col) for child in element if child.tag in (TX_P, TX_H)
        ]
        text = "\n".join(paragraphs)
    if not text and value is None:
        return None
    return Cell(row, col, text, value_type, value)


def _plain(text: str | None) -> str:
    if not text:
        return ""
    if "  " in text or "\n" in text or "\t" in text or "\r" in text:
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
