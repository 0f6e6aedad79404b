"""Cell values and spreadsheet cell references (`'Mid Weekday Body 5 - 6 pm'!C4`)."""

from __future__ import annotations

from typing import NamedTuple


class Cell(NamedTuple):
    """One non-empty cell. `col` and `row` are 0-based; `text` is what the cell shows;
    `value` is the typed value of a non-string cell (`office:value`, `office:date-value`, ...).
    A named tuple: the reader makes hundreds of thousands, and tuples are the cheapest."""

    row: int
    col: int
    text: str
    value_type: str | None = None
    value: str | None = None


def column_letters(col: int) -> str:
    """0 -> `A`, 25 -> `Z`, 26 -> `AA`."""
    letters = ""
    col += 1
    while col:
        col, remainder = divmod(col - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """0-based (row, col) -> `C4`."""
    return f"{column_letters(col)}{row + 1}"


def quote_sheet(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def sheet_of(reference: str) -> str:
    """The sheet name of a reference made by `cell_ref` or `range_ref`."""
    quoted = reference.rsplit("!", 1)[0]
    return quoted[1:-1].replace("''", "'")


def cell_ref(sheet: str, row: int, col: int) -> str:
    """`'Mid Weekday Body 5 - 6 pm'!C4`."""
    return f"{quote_sheet(sheet)}!{cell_name(row, col)}"


def range_ref(sheet: str, top: int, left: int, bottom: int, right: int) -> str:
    """`'Sheet'!U1:X24` (0-based, inclusive bounds)."""
    return f"{quote_sheet(sheet)}!{cell_name(top, left)}:{cell_name(bottom, right)}"
