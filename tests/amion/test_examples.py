"""The example department's Amion months fit its template and keep their deliberate holes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from schedcu.amion.schedule_file import load_schedule
from schedcu.examples.amion_month import (
    example_roster,
    month_schedule,
    months_from,
    write_schedule_file,
)
from schedcu.examples.data import SHEETS, SPLITTABLE
from schedcu.names import person_key

EFFECTIVE = {f"{category} {kind}" for category in SPLITTABLE for kind in ("Body", "Neuro")}


def test_every_row_uses_a_real_position_of_the_template_and_a_roster_person() -> None:
    template_positions = {p for marks in SHEETS.values() for p in marks} - EFFECTIVE
    keys = {key for person in example_roster().people for key in person.keys}
    schedule = month_schedule(2026, 3)
    assert {entry.position for entry in schedule} == template_positions
    assert all(person_key(entry.name) in keys for entry in schedule)


def test_the_schedule_is_deterministic_and_has_its_holes() -> None:
    schedule = month_schedule(2026, 3)
    assert schedule == month_schedule(2026, 3)
    sundays = {e.date for e in schedule if e.date.weekday() == 6}
    assert sundays and not [e for e in schedule if e.position == "MidL" and e.date in sundays]
    assert not [e for e in schedule if e.position == "ON2" and e.date.day == 13]
    assert not [e for e in schedule if e.position == "Mid 3" and e.date.weekday() >= 5]


def test_some_days_have_a_body_only_person_on_a_splittable_position() -> None:
    body_only = {
        key for p in example_roster().people if p.specialty == "BODY_ONLY" for key in p.keys
    }
    splittable = {p for positions in SPLITTABLE.values() for p in positions}
    days = {
        e.date
        for e in month_schedule(2026, 3)
        if e.position in splittable and person_key(e.name) in body_only
    }
    assert 5 < len(days) < 31


def test_the_schedule_file_round_trips(tmp_path: Path) -> None:
    months = months_from(dt.date(2026, 12, 1), 2)
    assert months == [(2026, 12), (2027, 1)]
    path = write_schedule_file(tmp_path / "schedule.csv", months)
    assert load_schedule(path) == month_schedule(2026, 12) + month_schedule(2027, 1)
