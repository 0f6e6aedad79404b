"""The rows as people read them, shared by the .csv and .ods reports: one header, one line per
row, times in ISO 8601 in the hospital's local time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from zoneinfo import ZoneInfo

from schedcu.coverage.result import CoverageRecord
from schedcu.models import TemplateLayout

COLUMNS = (
    "service_day",
    "category",
    "start",
    "end",
    "study_type",
    "status",
    "positions",
    "persons",
)
FLAT_COLUMNS = ("required", "assigned", "percentage")
SEPARATOR = "; "

Cell = str | float | int | dt.date | None


def header(layout: TemplateLayout) -> tuple[str, ...]:
    return COLUMNS + (FLAT_COLUMNS if layout is TemplateLayout.FLAT else ())


def lines(
    rows: Sequence[CoverageRecord], *, layout: TemplateLayout, tz: ZoneInfo
) -> Iterator[tuple[Cell, ...]]:
    """One tuple per row, in `header(layout)` order; the service day stays a date."""
    flat = layout is TemplateLayout.FLAT
    for row in rows:
        values: tuple[Cell, ...] = (
            row.service_date,
            row.category,
            row.start.astimezone(tz).isoformat(),
            row.end.astimezone(tz).isoformat(),
            row.study_type,
            row.status.value,
            SEPARATOR.join(row.positions),
            SEPARATOR.join(row.persons),
        )
        if flat:
            values += (row.required, row.assigned, row.percentage)
        yield values
