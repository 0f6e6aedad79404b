import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from schedcu.calendar import (
    WEEKDAY,
    WEEKEND,
    add_months,
    day_type,
    months_in,
    period_end,
    place_window,
    service_day_at,
)

NY = ZoneInfo("America/New_York")
EIGHT = dt.time(8)


def _window(day: dt.date, start: str, end: str) -> tuple[dt.datetime, dt.datetime]:
    return place_window(
        day, dt.time.fromisoformat(start), dt.time.fromisoformat(end), day_start=EIGHT, tz=NY
    )


@pytest.mark.parametrize(
    ("start", "end", "expected_start", "expected_end"),
    [
        ("17:00", "18:00", (14, 17), (14, 18)),
        ("18:00", "00:00", (14, 18), (15, 0)),
        ("00:00", "01:00", (15, 0), (15, 1)),
        ("01:00", "08:00", (15, 1), (15, 8)),
        ("20:00", "08:00", (14, 20), (15, 8)),
        ("08:00", "08:00", (14, 8), (15, 8)),
        ("17:00", "17:00", (14, 17), (15, 17)),
    ],
)
def test_place_window_on_the_service_day(
    start: str, end: str, expected_start: tuple[int, int], expected_end: tuple[int, int]
) -> None:
    start_at, end_at = _window(dt.date(2026, 3, 14), start, end)
    assert (start_at.day, start_at.hour) == expected_start
    assert (end_at.day, end_at.hour) == expected_end


def test_spring_forward_night_is_an_hour_shorter() -> None:
    start_at, end_at = _window(dt.date(2026, 3, 7), "01:00", "08:00")
    assert end_at.astimezone(dt.UTC) - start_at.astimezone(dt.UTC) == dt.timedelta(hours=6)


def test_day_type_by_service_day_and_holidays() -> None:
    assert day_type(dt.date(2026, 3, 13)) == WEEKDAY  # a Friday night is a Weekday
    assert day_type(dt.date(2026, 3, 14)) == WEEKEND
    assert day_type(dt.date(2026, 12, 25), [dt.date(2026, 12, 25)]) == WEEKEND


def test_periods() -> None:
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert period_end(dt.date(2026, 3, 1), 1) == dt.date(2026, 3, 31)
    assert period_end(dt.date(2026, 12, 1), 12) == dt.date(2027, 11, 30)
    assert months_in(dt.date(2026, 11, 15), dt.date(2027, 1, 14)) == [
        (2026, 11),
        (2026, 12),
        (2027, 1),
    ]


def test_the_service_day_of_a_moment_starts_at_day_start_in_the_hospitals_zone() -> None:
    def day(*utc: int) -> dt.date:
        return service_day_at(dt.datetime(*utc, tzinfo=dt.UTC), day_start=EIGHT, tz=NY)

    # 11:59 UTC on 14 March 2026 is 07:59 in New York (EDT): still the 13th's service day.
    assert day(2026, 3, 14, 11, 59) == dt.date(2026, 3, 13)
    assert day(2026, 3, 14, 12, 0) == dt.date(2026, 3, 14)
    assert day(2026, 3, 15, 3, 0) == dt.date(2026, 3, 14)  # 23:00 on the 14th in New York
