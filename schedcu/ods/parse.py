"""`parse_template`: a checked .ods -> the parsed Template and its ValidationResult.

One pass over the sheets. The first sheet whose first row holds the flat header makes the file
a flat shift list (its rows are read as they stream); otherwise the sheets whose names follow
the matrix grammar make a coverage matrix. Anything else is `UNKNOWN_LAYOUT`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from schedcu.config import Settings, get_settings
from schedcu.enums import TemplateLayout
from schedcu.errors import SpreadsheetError, UnusableTemplate
from schedcu.names import name_key
from schedcu.ods.archive import open_content
from schedcu.ods.cells import quote_sheet
from schedcu.ods.flat import REQUIRED_COLUMNS, FlatReader, header_columns, is_flat_header
from schedcu.ods.matrix import read_matrix_sheet
from schedcu.ods.reader import Row, iter_sheets
from schedcu.ods.sheetname import SheetName, parse_sheet_name
from schedcu.template import FlatShift, SheetRule, Template
from schedcu.validation import ValidationResult

NAME_GRAMMAR = "<Mid|ON|category> [Weekday|Weekend] [Body|Neuro] <time range, e.g. 5 pm - 12 am>"


def parse_template(
    source: Path | BinaryIO, *, settings: Settings | None = None
) -> tuple[Template, ValidationResult]:
    """Read a coverage template. Raises a SpreadsheetError subclass, carrying the
    ValidationResult so far, when the file cannot be used at all; returns warnings otherwise."""
    settings = settings or get_settings()
    result = ValidationResult()
    try:
        return _parse(source, settings, result), result
    except SpreadsheetError as err:
        if err.validation is not result:
            result.extend(err.validation)
            err.validation = result
        raise


def _parse(source: Path | BinaryIO, settings: Settings, result: ValidationResult) -> Template:
    matrix: list[tuple[str, int, SheetName, list[Row]]] = []
    unparseable: list[str] = []
    partial_headers: list[str] = []
    flat: list[FlatShift] | None = None
    with open_content(source, settings, result) as stream:
        for sheet in iter_sheets(stream, settings):
            first = next(sheet.rows, None)
            columns = header_columns(first[1]) if first else {}
            if flat is None and is_flat_header(columns):
                flat = FlatReader(sheet.name, columns, result).read(sheet.rows)
            if flat is not None:
                continue  # the file is a shift list: later sheets are not read
            if len(columns) >= 2:
                partial_headers.append(sheet.name)
            parsed = parse_sheet_name(sheet.name)
            if parsed is None:
                unparseable.append(sheet.name)
                continue
            matrix.append((sheet.name, sheet.order, parsed, [first, *sheet.rows] if first else []))
    if flat is not None:
        return _flat_template(flat, result)
    return _matrix_template(matrix, unparseable, partial_headers, result)


def _flat_template(shifts: list[FlatShift], result: ValidationResult) -> Template:
    if not shifts:
        raise UnusableTemplate(
            "The shift list has a header but no valid row; see the warnings for each row.",
            code="NO_VALID_ROWS",
            validation=result,
        )
    # Distinct spellings first: a long list repeats a handful of study types.
    study_types = _first_seen(dict.fromkeys(shift.study_type for shift in shifts))
    return Template(TemplateLayout.FLAT, shifts=tuple(shifts), study_types=study_types)


def _matrix_template(
    matrix: list[tuple[str, int, SheetName, list[Row]]],
    unparseable: list[str],
    partial_headers: list[str],
    result: ValidationResult,
) -> Template:
    if matrix:
        for name in unparseable:
            result.warning(
                "UNPARSEABLE_SHEET_NAME",
                f"Sheet {name!r} is skipped: its name does not read as {NAME_GRAMMAR}.",
                quote_sheet(name),
            )
    rules: list[SheetRule] = []
    for name, order, parsed, rows in matrix:
        rule = read_matrix_sheet(name, order, parsed, rows, result)
        if rule is not None:
            rules.append(rule)
    if not rules:
        raise UnusableTemplate(
            _unknown_layout(matrix, unparseable, partial_headers), validation=result
        )
    study_types = _first_seen(study for rule in rules for study in rule.study_types)
    return Template(TemplateLayout.MATRIX, sheets=tuple(rules), study_types=study_types)


def _first_seen(names: Iterable[str]) -> tuple[str, ...]:
    """Display spellings, one per normalised name, in first-seen order."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name_key(name), name)
    return tuple(seen.values())


def _unknown_layout(
    matrix: list[tuple[str, int, SheetName, list[Row]]],
    unparseable: list[str],
    partial_headers: list[str],
) -> str:
    looked_for = (
        f"neither a coverage matrix (sheets named {NAME_GRAMMAR}, each with a grid of call "
        f"positions and study types) nor a shift list (a header row with "
        f"{', '.join(REQUIRED_COLUMNS)}, optionally StartTime and EndTime)"
    )
    found = []
    if matrix:
        found.append(
            f"the matrix sheets {', '.join(repr(m[0]) for m in matrix)} have no usable grid"
        )
    if unparseable:
        shown = ", ".join(repr(name) for name in unparseable[:5])
        more = f" and {len(unparseable) - 5} more" if len(unparseable) > 5 else ""
        found.append(f"sheet names {shown}{more} do not follow the matrix grammar")
    if partial_headers:
        found.append(
            f"sheet {partial_headers[0]!r} looks like a shift list but lacks required columns"
        )
    if not found:
        found.append("the file has no sheet")
    return f"The spreadsheet is {looked_for}: {'; '.join(found)}."
