"""The example department's Amion side: its roster YAML and deterministic months of assignments.

`write_roster(path)` writes `data.PEOPLE` and `data.SPLITTABLE` in the roster format of AMION.md.
`month_schedule(year, month)` staffs every service day of a month with the positions of the
example template as Amion names them (the Body sheets' `Mid Body` / `ON Body` are effective
positions that coverage derives; Amion rows use the real ones):

    weekdays  MidC, MidL, Mid 3  17:00-24:00     ON1, ON2  00:00-08:00 (of the next date)
    weekends  MidC, MidL         17:00-24:00     ON1, ON2  00:00-08:00

People rotate through the roster, so some days have a BODY_ONLY person on a splittable position
(the Body scenario). Amion's quirks show up on purpose: names as `Last, First` or an alias,
`0` for midnight, a `Mid 3` row without times now and then. Deliberate holes, so a demo shows
gaps: MidL is unstaffed on Sundays, and ON2 on the 13th of each month.

`write_schedule_file(path, months)` writes those months in the simulator's schedule format
(`schedcu.amion.schedule_file`: CSV `date,position,name,start,end`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from schedcu.amion.roster import Roster, RosterPerson
from schedcu.amion.schedule_file import ScheduleEntry, write_schedule
from schedcu.calendar import WEEKDAY, day_type, months_in, period_end, service_dates
from schedcu.examples.data import HOSPITAL_CODE, PEOPLE, SPLITTABLE
from schedcu.models import Specialty

MID = ("1700", "0")
ON = ("0", "800")
WEEKDAY_POSITIONS = (("MidC", MID), ("MidL", MID), ("Mid 3", MID), ("ON1", ON), ("ON2", ON))
WEEKEND_POSITIONS = (("MidC", MID), ("MidL", MID), ("ON1", ON), ("ON2", ON))


def example_roster() -> Roster:
    return Roster(
        hospital=HOSPITAL_CODE,
        people=tuple(
            RosterPerson(name, amion_id, Specialty(specialty), tuple(aliases))
            for name, amion_id, specialty, aliases in PEOPLE
        ),
        splittable={category: tuple(positions) for category, positions in SPLITTABLE.items()},
    )


def write_roster(path: Path) -> Path:
    return example_roster().dump(path)


def month_schedule(year: int, month: int) -> list[ScheduleEntry]:
    first = dt.date(year, month, 1)
    entries: list[ScheduleEntry] = []
    for date in service_dates(first, period_end(first, 1)):
        positions = WEEKDAY_POSITIONS if day_type(date) == WEEKDAY else WEEKEND_POSITIONS
        for slot, (position, (start, end)) in enumerate(positions):
            if _is_hole(date, position):
                continue
            name, _amion_id, _specialty, aliases = PEOPLE[(date.toordinal() + slot) % len(PEOPLE)]
            if position == "Mid 3" and date.day % 10 == 5:
                start, end = "", ""
            entries.append(
                ScheduleEntry(date, position, _spelling(name, aliases, date), start, end)
            )
    return entries


def schedule_for(months: Iterable[tuple[int, int]]) -> list[ScheduleEntry]:
    return [entry for year, month in months for entry in month_schedule(year, month)]


def write_schedule_file(path: Path, months: Iterable[tuple[int, int]]) -> Path:
    return write_schedule(path, schedule_for(months))


def months_from(start: dt.date, count: int) -> list[tuple[int, int]]:
    return months_in(start, period_end(start, count))


def _is_hole(date: dt.date, position: str) -> bool:
    return (position == "MidL" and date.weekday() == 6) or (position == "ON2" and date.day == 13)


def _spelling(name: str, aliases: tuple[str, ...], date: dt.date) -> str:
    """Amion writes `Last, First`; now and then it uses one of the person's aliases."""
    if aliases and date.day % 4 == 0:
        return aliases[0]
    first, _, last = name.rpartition(" ")
    return f"{last}, {first}"
