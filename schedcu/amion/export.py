"""The Amion month export (`Rpt=619`, AMION.md) as rows: a pure function of the text.

Title and header lines come first and are skipped: a data row has at least nine fields and a first
field that does not start with `Field`. Rows are CSV with quoted names (`"Smith, Jane"`) or the
tab-separated variant; fields after the ninth are ignored. Times are `HMM`/`HHMM` clock times in
the row's service day (`0` is midnight, `2400` too); a time before `day_start` lies on the next
calendar date, an end at or before its start runs into the next day, and a row without times
covers the whole window of its position (`start_at`/`end_at` are None).

A body holding `NOFI=No file` means the access code is wrong (`AmionBadCode`); HTML where text was
expected is `AmionUnexpectedResponse` with the page's title. Rows that cannot be read are skipped
with a WARNING naming the month and line.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import re
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from schedcu.calendar import place_window
from schedcu.errors import AmionBadCode, AmionUnexpectedResponse
from schedcu.names import position_key
from schedcu.validation import ValidationResult

DATA_FIELDS = 9
NO_FILE_MARKER = "NOFI=No file"
_HTML_START = re.compile(r"^\s*(<!doctype html|<html|<head|<body|<\?xml)", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{2}|\d{4})$")
_TIME = re.compile(r"^\d{1,4}$")
_NO_STAFF_ID = {"", "0"}


class ExportRow(NamedTuple):
    """One data row. `staff_id` is None when Amion gave none (empty or `0`).

    A NamedTuple rather than a frozen dataclass: as immutable, and built several times faster,
    which counts at tens of thousands of rows a year.
    """

    year: int
    month: int
    line: int
    staff_name: str
    staff_id: str | None
    position: str
    assignment_id: str
    service_date: dt.date
    start: dt.time | None
    end: dt.time | None
    start_at: dt.datetime | None
    end_at: dt.datetime | None

    @property
    def position_key(self) -> str:
        return _position_key(self.position)

    @property
    def location(self) -> str:
        return export_location(self.year, self.month, self.line)


def export_location(year: int, month: int, line: int | None = None) -> str:
    """`Amion 2026-03 line 14`: where a message about an export came from."""
    where = f"Amion {year:04d}-{month:02d}"
    return f"{where} line {line}" if line is not None else where


def check_export_body(text: str, *, year: int, month: int) -> None:
    """Raise when the body is no export at all: a wrong code (`NOFI`) or an HTML page."""
    where = export_location(year, month)
    if NO_FILE_MARKER in text:
        raise AmionBadCode(
            "Amion answered 'No file' for the month export: the access code is not valid for "
            "this schedule. Check the hospital's Amion access code.",
            location=where,
        )
    if _HTML_START.match(text):
        found = _TITLE.search(text)
        title = html.unescape(found.group(1)).strip() if found else ""
        shown = f"a web page titled '{title}'" if title else "a web page"
        raise AmionUnexpectedResponse(
            f"Amion sent {shown} instead of the month export; the schedule could not be read.",
            location=where,
        )


def parse_export(
    text: str, *, year: int, month: int, day_start: dt.time, tz: ZoneInfo
) -> tuple[list[ExportRow], ValidationResult]:
    """The data rows of one month export and the findings about unreadable rows."""
    check_export_body(text, year=year, month=month)
    validation = ValidationResult()
    rows: list[ExportRow] = []
    delimiter = "\t" if "\t" in text else ","
    lines = csv.reader(text.splitlines(), delimiter=delimiter, skipinitialspace=True)
    for number, fields in enumerate(lines, start=1):
        if len(fields) < DATA_FIELDS or fields[0].strip().startswith("Field"):
            continue
        try:
            rows.append(_row(fields, year, month, number, day_start, tz))
        except ValueError as exc:
            location = export_location(year, month, number)
            validation.warning("INVALID_AMION_ROW", f"Skipped an Amion row: {exc}.", location)
    return rows, validation


def _row(
    fields: list[str], year: int, month: int, line: int, day_start: dt.time, tz: ZoneInfo
) -> ExportRow:
    name, staff_id, _backup, position, assignment_id, _abackup, date_text, start_text, end_text = (
        map(str.strip, fields[:DATA_FIELDS])
    )
    if not name:
        raise ValueError("the staff name is empty")
    if not position:
        raise ValueError(f"no position is given for {name}")
    service_date = _date(date_text)
    if bool(start_text) != bool(end_text):
        raise ValueError(f"{name} on {position} has a start or an end time but not both")
    start, end, start_at, end_at = _window(service_date, start_text, end_text, day_start, tz)
    return ExportRow(  # positional: measurably faster than keywords at this count
        year,
        month,
        line,
        _collapse(name),
        None if staff_id in _NO_STAFF_ID else staff_id,
        _collapse(position),
        assignment_id,
        service_date,
        start,
        end,
        start_at,
        end_at,
    )


@lru_cache(maxsize=4096)
def _position_key(position: str) -> str:
    """`position_key`, once per spelling: matching asks for it several times per row."""
    return position_key(position)


@lru_cache(maxsize=4096)
def _collapse(text: str) -> str:
    """Inner white space collapsed; a month repeats the same names and positions a lot."""
    return " ".join(text.split())


@lru_cache(maxsize=8192)
def _window(
    service_date: dt.date, start_text: str, end_text: str, day_start: dt.time, tz: ZoneInfo
) -> tuple[dt.time | None, dt.time | None, dt.datetime | None, dt.datetime | None]:
    """Clock times and their place in time; cached, as a month repeats a few windows a lot."""
    start, end = _time(start_text), _time(end_text)
    if start is None or end is None:
        return None, None, None, None
    return (start, end, *place_window(service_date, start, end, day_start=day_start, tz=tz))


@lru_cache(maxsize=1024)
def _date(text: str) -> dt.date:
    found = _DATE.match(text)
    if not found:
        raise ValueError(f"the date '{text}' is not of the form M-D-YY")
    month, day, year = (int(part) for part in found.groups())
    try:
        return dt.date(year + 2000 if year < 100 else year, month, day)
    except ValueError:
        raise ValueError(f"the date '{text}' does not exist") from None


def _time(text: str) -> dt.time | None:
    if not text:
        return None
    if not _TIME.match(text):
        raise ValueError(f"the time '{text}' is not of the form HMM (e.g. 700, 1700, 0)")
    hours, minutes = divmod(int(text), 100)
    if hours == 24 and minutes == 0:
        return dt.time(0, 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"the time '{text}' is not a clock time")
    return dt.time(hours, minutes)
