"""Layout B, the flat shift list: one row per required shift on a date (ODS_LAYOUTS.md).

Rows are read as they stream past, so a long list never sits in memory as cells. Invalid rows
become WARNINGs with their cell reference and are skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

from schedcu.ods.cells import Cell, cell_ref
from schedcu.ods.reader import Row
from schedcu.ods.sheetname import MAX_NAME, parse_time
from schedcu.template import FlatShift
from schedcu.validation import ValidationResult

REQUIRED_COLUMNS = ("Date", "ShiftType", "RequiredStaffing", "SpecialtyConstraint", "StudyType")
OPTIONAL_COLUMNS = ("StartTime", "EndTime")
_KEYS = {
    re.sub(r"[\s_]", "", name).casefold(): name for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS
}
# The ShiftInstance columns these values go to.
_NEEDED = ("Date", "ShiftType", "RequiredStaffing", "StudyType")
_LENGTHS = {"ShiftType": MAX_NAME, "StudyType": MAX_NAME, "SpecialtyConstraint": 64}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_ISO_DURATION = re.compile(r"^PT(\d+)H(\d+)M(\d+(?:\.\d+)?)S$")


def header_columns(cells: Iterable[Cell]) -> dict[str, int]:
    """The flat-layout columns a header row names: column name -> column index."""
    found: dict[str, int] = {}
    for cell in cells:
        name = _KEYS.get(re.sub(r"[\s_]", "", cell.text).casefold())
        if name is not None and name not in found:
            found[name] = cell.col
    return found


def is_flat_header(columns: dict[str, int]) -> bool:
    return all(name in columns for name in REQUIRED_COLUMNS)


class FlatReader:
    """Turns the rows after a flat header into FlatShifts, reporting invalid rows."""

    def __init__(self, sheet: str, columns: dict[str, int], result: ValidationResult) -> None:
        self.sheet = sheet
        self.result = result
        self._fields = {col: name for name, col in columns.items()}
        self._columns = columns
        self._dates: dict[str, dt.date | None] = {}
        self._times: dict[str, dt.time | None] = {}
        self._staffings: dict[str, int | None] = {}
        self._stripped: dict[str, str] = {}  # a cell's text -> that text stripped
        self._prefix = cell_ref(sheet, 0, 0)[:-1]  # `'Sheet'!A`, completed by the row number
        if ("StartTime" in columns) != ("EndTime" in columns):
            present = "StartTime" if "StartTime" in columns else "EndTime"
            result.warning(
                "MISSING_COLUMN",
                f"Sheet {sheet!r} has a {present} column without its pair; times are ignored and "
                "each shift covers the whole service day.",
                cell_ref(sheet, 0, columns[present]),
            )
            self._fields = {
                col: name for col, name in self._fields.items() if name not in OPTIONAL_COLUMNS
            }

    def read(self, rows: Iterable[Row]) -> list[FlatShift]:
        shifts: list[FlatShift] = []
        for row_index, cells in rows:
            shift = self._shift(row_index, cells)
            if shift is not None:
                shifts.append(shift)
        return shifts

    def _shift(self, row: int, cells: Sequence[Cell]) -> FlatShift | None:
        fields = self._fields
        values = {fields[cell.col]: cell for cell in cells if cell.col in fields}
        # Each spelling stripped once, and one copy kept: a long list repeats a handful.
        stripped = self._stripped
        texts: dict[str, str] = {}
        for name, cell in values.items():
            text = stripped.get(cell.text)
            if text is None:
                text = cell.text.strip()
                text = stripped[cell.text] = stripped.setdefault(text, text)
            texts[name] = text
        for name in _NEEDED:
            if not (texts.get(name) or (name in values and values[name].value)):
                return self._skip(row, self._columns[name], "MISSING_VALUE", f"{name} is empty")
        for name, limit in _LENGTHS.items():
            if len(texts.get(name, "")) > limit:
                return self._skip(
                    row,
                    values[name].col,
                    "NAME_TOO_LONG",
                    f"{name} is longer than {limit} characters",
                )
        date = self._date(values["Date"])
        if date is None:
            return self._skip(
                row,
                values["Date"].col,
                "INVALID_DATE",
                f"{texts['Date']!r} is not a date (YYYY-MM-DD)",
            )
        staffing = self._staffing(values["RequiredStaffing"])
        if staffing is None:
            return self._skip(
                row,
                values["RequiredStaffing"].col,
                "INVALID_STAFFING",
                f"required staffing {texts['RequiredStaffing']!r} is not a whole number of 0 or "
                "more",
            )
        start = end = None
        if "StartTime" in values or "EndTime" in values:
            window = self._window(row, values)
            if window is None:
                return None
            start, end = window
        return FlatShift(
            date=date,
            shift_type=texts["ShiftType"],
            required_staffing=staffing,
            specialty_constraint=texts.get("SpecialtyConstraint") or None,
            study_type=texts["StudyType"],
            start=start,
            end=end,
            location=f"{self._prefix}{row + 1}",
        )

    def _window(self, row: int, values: dict[str, Cell]) -> tuple[dt.time, dt.time] | None:
        times = []
        for name in OPTIONAL_COLUMNS:
            cell = values.get(name)
            if cell is None:
                return self._skip(row, self._columns[name], "MISSING_VALUE", f"{name} is empty")
            parsed = self._time(cell)
            if parsed is None:
                return self._skip(
                    row, cell.col, "INVALID_TIME", f"{cell.text.strip()!r} is not a clock time"
                )
            times.append(parsed)
        return times[0], times[1]

    def _skip(self, row: int, col: int, code: str, why: str) -> None:
        self.result.warning(
            code,
            f"Row {row + 1} of sheet {self.sheet!r} is skipped: {why}.",
            cell_ref(self.sheet, row, col),
        )

    def _date(self, cell: Cell) -> dt.date | None:
        raw = (cell.value if cell.value_type == "date" else cell.text).strip()
        if raw not in self._dates:
            self._dates[raw] = _parse_date(raw)
        return self._dates[raw]

    def _staffing(self, cell: Cell) -> int | None:
        raw = (cell.value if cell.value_type == "float" and cell.value else cell.text).strip()
        if raw not in self._staffings:
            self._staffings[raw] = _parse_staffing(raw)
        return self._staffings[raw]

    def _time(self, cell: Cell) -> dt.time | None:
        raw = (cell.value if cell.value_type == "time" and cell.value else cell.text).strip()
        if raw not in self._times:
            self._times[raw] = _parse_duration(raw) if raw.startswith("PT") else parse_time(raw)
        return self._times[raw]


def _parse_date(raw: str) -> dt.date | None:
    if not _ISO_DATE.match(raw):
        return None
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        return None


def _parse_duration(raw: str) -> dt.time | None:
    """An ODS time value `PT17H30M00S` -> 17:30."""
    match = _ISO_DURATION.match(raw)
    if match is None:
        return None
    hours, minutes = int(match[1]), int(match[2])
    if hours == 24 and minutes == 0:
        return dt.time(0, 0)
    if hours > 23 or minutes > 59:
        return None
    return dt.time(hours, minutes)


def _parse_staffing(raw: str) -> int | None:
    try:
        number = float(raw)
    except ValueError:
        return None
    if number < 0 or not number.is_integer() or number > 1_000_000:
        return None
    return int(number)
