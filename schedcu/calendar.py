"""Service days and clock times (COVERAGE.md), shared by the three phases.

A service day D runs from `day_start` on calendar date D to `day_start` on D+1, in the hospital's
time zone. A clock time before `day_start` lies on D+1; an end at or before its start runs into the
next calendar day (end equal to start: 24 hours). Datetimes are built in the hospital's zone, so a
night in which the clocks spring forward is an hour shorter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

WEEKDAY = "Weekday"
WEEKEND = "Weekend"


def place_window(
    service_date: dt.date,
    start: dt.time,
    end: dt.time,
    *,
    day_start: dt.time,
    tz: ZoneInfo,
) -> tuple[dt.datetime, dt.datetime]:
    """The aware start and end of a clock-time window on `service_date`."""
    start_date = service_date if start >= day_start else service_date + dt.timedelta(days=1)
    start_at = dt.datetime.combine(start_date, start, tzinfo=tz)
    end_date = start_date if end > start else start_date + dt.timedelta(days=1)
    end_at = dt.datetime.combine(end_date, end, tzinfo=tz)
    return start_at, end_at


def service_day_bounds(
    service_date: dt.date, *, day_start: dt.time, tz: ZoneInfo
) -> tuple[dt.datetime, dt.datetime]:
    """The aware start and end of service day `service_date`."""
    return (
        dt.datetime.combine(service_date, day_start, tzinfo=tz),
        dt.datetime.combine(service_date + dt.timedelta(days=1), day_start, tzinfo=tz),
    )


def service_day_at(moment: dt.datetime, *, day_start: dt.time, tz: ZoneInfo) -> dt.date:
    """The service day that `moment` (aware) falls in: before `day_start` it is still the
    previous calendar day's."""
    local = moment.astimezone(tz)
    before_start = local.time() < day_start
    return local.date() - dt.timedelta(days=1) if before_start else local.date()


def day_type(service_date: dt.date, holidays: Iterable[dt.date] = ()) -> str:
    """Weekend on Saturday, Sunday and holidays; Friday night is a Weekday."""
    if service_date.weekday() >= 5 or service_date in set(holidays):
        return WEEKEND
    return WEEKDAY


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (Jan 31 + 1 -> Feb 28)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return dt.date(year, month, min(start.day, last_day))


def first_of_next_month(timezone: str) -> dt.date:
    """The first day of next month in `timezone`: the default start of an import."""
    today = dt.datetime.now(ZoneInfo(timezone)).date()
    return add_months(today.replace(day=1), 1)


def period_end(start: dt.date, months: int) -> dt.date:
    """The last service day of a period of `months` months starting on `start`, inclusive."""
    return add_months(start, months) - dt.timedelta(days=1)


def service_dates(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """Every date from `start` to `end`, inclusive."""
    for offset in range((end - start).days + 1):
        yield start + dt.timedelta(days=offset)


def months_in(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    """The (year, month) pairs that a period touches, in order."""
    pairs: list[tuple[int, int]] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        pairs.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return pairs
