"""Repeating a template over a period into ShiftInstance rows, by service day (COVERAGE.md).

Rows are plain dicts for the `shift_instance` table (bulk insert); datetimes are aware, in the
hospital's zone, and `place_window` puts a clock time before `day_start` on the next calendar
date and lets a window that ends at or before its start run past midnight.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

from schedcu.calendar import day_type, place_window, service_dates, service_day_bounds
from schedcu.names import position_key
from schedcu.ods.cells import sheet_of
from schedcu.template import FlatShift, SheetRule, Template

CATEGORY_LENGTH = 64  # ShiftInstance.category


def expand_template(
    template: Template,
    *,
    start: dt.date,
    end: dt.date,
    tz: ZoneInfo,
    day_start: dt.time,
    holidays: Iterable[dt.date] = (),
) -> Iterator[dict[str, Any]]:
    """ShiftInstance rows (without `version_id`) for every service date from start to end."""
    if template.sheets:
        yield from _matrix_rows(template.sheets, start, end, tz, day_start, frozenset(holidays))
    if template.shifts:
        yield from _flat_rows(template.shifts, start, end, tz, day_start)


def _matrix_rows(
    sheets: Iterable[SheetRule],
    start: dt.date,
    end: dt.date,
    tz: ZoneInfo,
    day_start: dt.time,
    holidays: frozenset[dt.date],
) -> Iterator[dict[str, Any]]:
    sheets = tuple(sheets)
    keys = {position: position_key(position) for sheet in sheets for position in sheet.positions}
    for service_date in service_dates(start, end):
        kind = day_type(service_date, holidays)
        for sheet in sheets:
            if sheet.day_type is not None and sheet.day_type != kind:
                continue
            start_at, end_at = place_window(
                service_date, sheet.start, sheet.end, day_start=day_start, tz=tz
            )
            for position in sheet.positions:
                yield {
                    "service_date": service_date,
                    "position": position,
                    "position_key": keys[position],
                    "category": sheet.category,
                    "day_type": sheet.day_type,
                    "scenario": sheet.scenario,
                    "sheet_name": sheet.name,
                    "start_at": start_at,
                    "end_at": end_at,
                    "study_types": list(sheet.marks.get(position, ())),
                    "study_type": None,
                    "specialty_constraint": None,
                    "required_staffing": None,
                }


def _flat_rows(
    shifts: Iterable[FlatShift], start: dt.date, end: dt.date, tz: ZoneInfo, day_start: dt.time
) -> Iterator[dict[str, Any]]:
    """Flat rows dated inside the period; without times a shift covers its whole service day.

    The shift type is both the position and the category: a flat list names no other grouping.
    """
    for shift in shifts:
        if not start <= shift.date <= end:
            continue
        if shift.start is not None and shift.end is not None:
            start_at, end_at = place_window(
                shift.date, shift.start, shift.end, day_start=day_start, tz=tz
            )
        else:
            start_at, end_at = service_day_bounds(shift.date, day_start=day_start, tz=tz)
        yield {
            "service_date": shift.date,
            "position": shift.shift_type,
            "position_key": position_key(shift.shift_type),
            "category": shift.shift_type[:CATEGORY_LENGTH],
            "day_type": None,
            "scenario": None,
            "sheet_name": sheet_of(shift.location),
            "start_at": start_at,
            "end_at": end_at,
            "study_types": [shift.study_type],
            "study_type": shift.study_type,
            "specialty_constraint": shift.specialty_constraint,
            "required_staffing": shift.required_staffing,
        }
