"""Which opened gaps are alerted, and how each is said (schedcu/alerts.py), and the horizon
setting."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from schedcu.alerts import MAX_ALERT_GAPS, gap_alerts, gap_sentence, gaps_in_horizon
from schedcu.config import Settings
from schedcu.coverage.summary import Gap
from schedcu.errors import ConfigurationError
from schedcu.models import CoverageStatus

NY = ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=NY)


def gap(start: str, end: str, positions: tuple[str, ...] = ("MidC", "MidL")) -> Gap:
    """A gap between two local New York times, stored in UTC as the calculation stores it."""
    return Gap(
        "Allen MR Neuro",
        dt.datetime.fromisoformat(start).replace(tzinfo=NY).astimezone(dt.UTC),
        dt.datetime.fromisoformat(end).replace(tzinfo=NY).astimezone(dt.UTC),
        CoverageStatus.UNSTAFFED,
        positions,
    )


@pytest.mark.parametrize(
    ("start", "end", "positions", "said"),
    [
        (
            "2026-03-14T22:00",
            "2026-03-15T00:00",
            ("MidC", "MidL"),
            "Allen MR Neuro, Sat 14 Mar 22:00–24:00, 2 h, nobody on MidC/MidL",
        ),
        (
            "2026-03-14T17:00",
            "2026-03-14T18:30",
            ("MidC",),
            "Allen MR Neuro, Sat 14 Mar 17:00–18:30, 1 h 30 min, nobody on MidC",
        ),
        (
            "2026-03-14T22:00",
            "2026-03-15T08:00",
            ("ON1",),
            "Allen MR Neuro, Sat 14 Mar 22:00 – Sun 15 Mar 08:00, 10 h, nobody on ON1",
        ),
        (
            "2026-10-31T22:00",
            "2026-11-01T08:00",
            ("ON1", "ON2"),
            # the night the clocks go back has 11 hours
            "Allen MR Neuro, Sat 31 Oct 22:00 – Sun 1 Nov 08:00, 11 h, nobody on ON1/ON2",
        ),
        (
            "2026-03-16T08:00",
            "2026-03-18T00:00",
            (),
            "Allen MR Neuro, Mon 16 Mar 08:00 – Tue 17 Mar 24:00, 40 h, nobody assigned",
        ),
        (
            "2026-03-16T23:15",
            "2026-03-17T00:00",
            ("MidL",),
            "Allen MR Neuro, Mon 16 Mar 23:15–24:00, 45 min, nobody on MidL",
        ),
    ],
)
def test_a_gap_is_said_as_a_coordinator_says_it(
    start: str, end: str, positions: tuple[str, ...], said: str
) -> None:
    assert gap_sentence(gap(start, end, positions), NY) == said


def test_the_sentence_is_in_the_hospitals_time_zone() -> None:
    evening = gap("2026-03-14T22:00", "2026-03-15T00:00")  # New York, daylight time (-4)
    assert "Sun 15 Mar 02:00–04:00" in gap_sentence(evening, ZoneInfo("Europe/London"))


def test_only_gaps_reaching_into_the_horizon_are_alerted_in_time_order() -> None:
    horizon = dt.timedelta(days=14)
    past = gap("2026-03-09T08:00", "2026-03-10T08:00")
    ongoing = gap("2026-03-10T08:00", "2026-03-10T17:00")
    next_week = gap("2026-03-17T22:00", "2026-03-18T00:00")
    tomorrow = gap("2026-03-11T22:00", "2026-03-12T00:00")
    straddling = gap("2026-03-24T08:00", "2026-03-25T08:00")  # starts 20 h before the end
    beyond = gap("2026-03-24T12:00", "2026-03-24T14:00")  # starts as the horizon ends
    chosen = gaps_in_horizon(
        [past, ongoing, next_week, tomorrow, straddling, beyond], now=NOW, horizon=horizon
    )
    assert chosen == [ongoing, tomorrow, next_week, straddling]


def test_the_payload_names_each_gap_and_counts_what_it_leaves_out() -> None:
    gaps = [
        gap(f"2026-03-11T{hour:02}:00", f"2026-03-11T{hour:02}:10") for hour in range(8, 24)
    ] * 4
    gaps += [gap("2026-03-30T08:00", "2026-03-30T09:00")]  # beyond the horizon
    alerts, count = gap_alerts(gaps, tz=NY, now=NOW, horizon=dt.timedelta(days=14))
    assert count == 64 and len(alerts) == MAX_ALERT_GAPS
    first = alerts[0]
    assert first == {
        "study_type": "Allen MR Neuro",
        "start": "2026-03-11T08:00:00-04:00",
        "end": "2026-03-11T08:10:00-04:00",
        "hours": 0.17,
        "positions": ["MidC", "MidL"],
        "sentence": "Allen MR Neuro, Wed 11 Mar 08:00–08:10, 10 min, nobody on MidC/MidL",
    }


def test_the_horizon_defaults_to_fourteen_days(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().alert_horizon == dt.timedelta(days=14)
    monkeypatch.setenv("SCHEDCU_ALERT_HORIZON_DAYS", " 7 ")
    assert Settings().alert_horizon == dt.timedelta(days=7)


@pytest.mark.parametrize("value", ["0", "-3", "91", "2.5", "two weeks", ""])
def test_a_bad_horizon_is_refused_with_its_code(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SCHEDCU_ALERT_HORIZON_DAYS", value)
    with pytest.raises(ConfigurationError) as refused:
        Settings()
    assert refused.value.code == "INVALID_ALERT_HORIZON"
    assert "SCHEDCU_ALERT_HORIZON_DAYS" in refused.value.message
