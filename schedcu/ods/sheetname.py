"""The one grammar for matrix sheet names: `<category> [<day type>] [<scenario>] <time range>`.

    Mid Weekday Body 5 - 6 pm        Mid, Weekday, Body, 17:00-18:00
    Mid  12am-1am                    Mid, every day, any scenario, 00:00-01:00
    Mid Weekend 10pm-Midnight        Mid, Weekend, any scenario, 22:00-00:00
    ON Weekend Neuro 1 am - 8 am     ON, Weekend, Neuro, 01:00-08:00

Words are separated by any white space. The category is the first word (`Mid` and `ON` in
canonical case, any other word as written); day type and scenario are optional, in either order.
A time point is `5`, `5 pm`, `5:30pm`, `17:00`, `Noon` or `Midnight`; the two points are joined
by `-`, `–`, `—` or `to`. A start without am/pm takes the reading that makes the window shortest
(`5 - 6 pm` is 17:00-18:00, `11 - 1 am` is 23:00-01:00). An end at or before its start crosses
midnight.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from schedcu.calendar import WEEKDAY, WEEKEND

CATEGORIES = {"mid": "Mid", "on": "ON"}
DAY_TYPES = {"weekday": WEEKDAY, "weekend": WEEKEND}
SCENARIOS = {"body": "Body", "neuro": "Neuro"}

_POINT = r"(?:\d{1,2}(?::\d{2})?(?:\s*[ap]\.?\s*m\.?)?|noon|midnight)"
_RANGE = re.compile(
    rf"^(?P<head>.*?)\s*(?<![\w:])(?P<start>{_POINT})\s*(?:-|–|—|\bto\b)\s*(?P<end>{_POINT})$",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"^(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?:(?P<meridiem>[ap])\.?\s*m\.?)?$",
    re.IGNORECASE,
)
_WHITESPACE = re.compile(r"\s+")
FIXED = "fixed"
MAX_NAME = 200  # ShiftInstance.sheet_name
MAX_CATEGORY = 64  # ShiftInstance.category


@dataclass(frozen=True, slots=True)
class SheetName:
    category: str
    day_type: str | None
    scenario: str | None
    start: dt.time
    end: dt.time


@dataclass(frozen=True, slots=True)
class _Point:
    """A parsed time point; `hour` is 0-23 unless `meridiem` is still to be decided."""

    hour: int
    minute: int
    meridiem: str | None  # "a", "p", FIXED (Noon, Midnight) or None (24-hour or to infer)


def parse_sheet_name(name: str) -> SheetName | None:
    """The parts of a matrix sheet name, or None when it does not follow the grammar."""
    text = _WHITESPACE.sub(" ", name).strip()
    if len(name) > MAX_NAME:
        return None
    match = _RANGE.match(text)
    if match is None:
        return None
    head = _head(match["head"].split())
    window = parse_window(match["start"], match["end"])
    if head is None or window is None:
        return None
    category, day_type, scenario = head
    return SheetName(category, day_type, scenario, *window)


def _head(words: list[str]) -> tuple[str, str | None, str | None] | None:
    if not words or len(words) > 3:
        return None
    category = CATEGORIES.get(words[0].casefold(), words[0])
    if not category.isalpha() or len(category) > MAX_CATEGORY:
        return None
    day_type = scenario = None
    for word in words[1:]:
        key = word.casefold()
        if key in DAY_TYPES and day_type is None:
            day_type = DAY_TYPES[key]
        elif key in SCENARIOS and scenario is None:
            scenario = SCENARIOS[key]
        else:
            return None
    return category, day_type, scenario


def parse_window(start: str, end: str) -> tuple[dt.time, dt.time] | None:
    """Two time points as written -> clock times; None when either is not a time."""
    first, last = _point(start), _point(end)
    if first is None or last is None:
        return None
    if last.meridiem is None and first.meridiem in ("a", "p"):
        last = _Point(last.hour, last.minute, first.meridiem)
    if first.meridiem is None and last.meridiem is not None:
        first = _shortest_start(first, _clock(last))
    start_time, end_time = _clock(first), _clock(last)
    if start_time is None or end_time is None:
        return None
    return start_time, end_time


def parse_time(text: str) -> dt.time | None:
    """One time point (`17:00`, `5 pm`, `Noon`) -> a clock time; None when it is not one."""
    point = _point(text.strip())
    return None if point is None else _clock(point)


def _point(text: str) -> _Point | None:
    key = _WHITESPACE.sub(" ", text).strip().casefold()
    if key == "noon":
        return _Point(12, 0, FIXED)
    if key == "midnight":
        return _Point(0, 0, FIXED)
    match = _TIME.match(key)
    if match is None:
        return None
    meridiem = match["meridiem"]
    return _Point(int(match["hour"]), int(match["minute"] or 0), meridiem)


def _clock(point: _Point) -> dt.time | None:
    hour, minute = point.hour, point.minute
    if minute > 59:
        return None
    if point.meridiem in (None, FIXED):
        if hour == 24 and minute == 0:
            return dt.time(0, 0)
        return dt.time(hour, minute) if hour <= 23 else None
    if not 1 <= hour <= 12:
        return None
    hour = hour % 12 + (12 if point.meridiem == "p" else 0)
    return dt.time(hour, minute)


def _shortest_start(start: _Point, end: dt.time | None) -> _Point:
    """`5 - 6 pm`: give the start the am/pm that makes the window shortest."""
    if end is None or not 1 <= start.hour <= 12 or start.minute > 59:
        return start
    end_minutes = end.hour * 60 + end.minute

    def length(meridiem: str) -> int:
        clock = _clock(_Point(start.hour, start.minute, meridiem))
        assert clock is not None
        return (end_minutes - clock.hour * 60 - clock.minute) % (24 * 60) or 24 * 60

    return _Point(start.hour, start.minute, min("ap", key=length))
