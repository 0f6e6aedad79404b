"""The rows as people read them, shared by the .csv and .ods reports: one header of stable,
readable column names (the README lists them), one line per row, times as aware datetimes in
the hospital's local time (the .csv writes them ISO 8601 with their UTC offset, the .ods as
date-times)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from zoneinfo import ZoneInfo

from schedcu.coverage.result import CoverageRecord
from schedcu.models import TemplateLayout

COLUMNS = (
    "Service day",
    "Category",
    "Start",
    "End",
    "Hours",
    "Study type",
    "Status",
    "Positions",
    "Persons",
)
FLAT_COLUMNS = ("Required", "Assigned", "Staffed %")
SEPARATOR = "; "

Value = str | float | int | dt.date | None


def header(layout: TemplateLayout) -> tuple[str, ...]:
    return COLUMNS + (FLAT_COLUMNS if layout is TemplateLayout.FLAT else ())


def lines(
    rows: Sequence[CoverageRecord], *, layout: TemplateLayout, tz: ZoneInfo
) -> Iterator[tuple[Value, ...]]:
    """One tuple per row, in `header(layout)` order: the service day a date, start and end
    local datetimes, hours rounded to the minute's hundredth."""
    flat = layout is TemplateLayout.FLAT
    start = end = None
    for row in rows:
        if row.start is not start or row.end is not end:  # the rows of a segment share it
            start, end = row.start, row.end
            local_start, local_end = start.astimezone(tz), end.astimezone(tz)
            hours = round(row.hours, 2)
        values: tuple[Value, ...] = (
            row.service_date,
            row.category,
            local_start,
            local_end,
            hours,
            row.study_type,
            row.status,  # a StrEnum: its value, without the lookup
            SEPARATOR.join(row.positions),
            SEPARATOR.join(row.persons),
        )
        if flat:
            values += (row.required, row.assigned, row.percentage)
        yield values
