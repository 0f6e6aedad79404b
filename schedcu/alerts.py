"""Which opened gaps a department hears of, and how a coordinator would say each one.

A run that opened or grew gap time (schedcu.coverage.summary.Gap, the gap as it is now) alerts
only for the gaps that reach into the alert horizon, `now` to `now + SCHEDCU_ALERT_HORIZON_DAYS`
(a hole a month out is not news tonight; one already under way still is). Each gap becomes one
line such as "Allen MR Neuro, Sat 14 Mar 22:00–24:00, 2 h, nobody on MidC/MidL", in the
hospital's local time: an end at midnight is "24:00" of the day before, and a gap that runs past
it names both days. No Prefect here: flows/alerts.py sends the event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from schedcu.coverage.summary import Gap

# At most this many gaps go into one alert (the rest are counted): a message stays readable and
# an event stays far below Prefect's size limit.
MAX_ALERT_GAPS = 50


def gaps_in_horizon(gaps: Iterable[Gap], *, now: dt.datetime, horizon: dt.timedelta) -> list[Gap]:
    """The gaps that overlap [now, now + horizon), in time order (then by study type)."""
    until = now + horizon
    return sorted(
        (gap for gap in gaps if gap.end > now and gap.start < until),
        key=lambda gap: (gap.start, gap.study_type, gap.end),
    )


def duration_words(hours: float) -> str:
    """`2 h`, `2 h 30 min`, `45 min` (elapsed time, rounded to the minute)."""
    minutes = round(hours * 60)
    whole, rest = divmod(minutes, 60)
    if not whole:
        return f"{rest} min"
    return f"{whole} h {rest} min" if rest else f"{whole} h"


def _day(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def period_words(start: dt.datetime, end: dt.datetime, tz: ZoneInfo) -> str:
    """`Sat 14 Mar 22:00–24:00`, or `Sat 14 Mar 22:00 – Sun 15 Mar 08:00` across midnight."""
    start, end = start.astimezone(tz), end.astimezone(tz)
    end_day, end_clock = end.date(), f"{end:%H:%M}"
    if end_clock == "00:00" and end_day > start.date():
        end_day, end_clock = end_day - dt.timedelta(days=1), "24:00"
    if end_day == start.date():
        return f"{_day(start.date())} {start:%H:%M}–{end_clock}"
    return f"{_day(start.date())} {start:%H:%M} – {_day(end_day)} {end_clock}"


def positions_words(positions: tuple[str, ...]) -> str:
    return f"nobody on {'/'.join(positions)}" if positions else "nobody assigned"


def gap_sentence(gap: Gap, tz: ZoneInfo) -> str:
    """The gap as a coordinator says it: study type, local period, length, the empty positions."""
    return (
        f"{gap.study_type}, {period_words(gap.start, gap.end, tz)}, "
        f"{duration_words(gap.hours)}, {positions_words(gap.positions)}"
    )


def gap_alert(gap: Gap, tz: ZoneInfo) -> dict[str, Any]:
    """One gap of an alert's payload: what the issue's `changes` say of a gap, the positions
    that should cover it, and its sentence."""
    return {
        "study_type": gap.study_type,
        "start": gap.start.astimezone(tz).isoformat(),
        "end": gap.end.astimezone(tz).isoformat(),
        "hours": round(gap.hours, 2),
        "positions": list(gap.positions),
        "sentence": gap_sentence(gap, tz),
    }


def gap_alerts(
    gaps: Iterable[Gap], *, tz: ZoneInfo, now: dt.datetime, horizon: dt.timedelta
) -> tuple[list[dict[str, Any]], int]:
    """The payload entries of the gaps within the horizon (at most MAX_ALERT_GAPS, the earliest
    first) and how many gaps are within it in all."""
    chosen = gaps_in_horizon(gaps, now=now, horizon=horizon)
    return [gap_alert(gap, tz) for gap in chosen[:MAX_ALERT_GAPS]], len(chosen)
