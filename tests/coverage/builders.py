"""Hand-made templates, rosters and assignments for the coverage tests, without a database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from schedcu.calendar import place_window
from schedcu.config import Settings
from schedcu.coverage import CoverageResult, calculate_coverage
from schedcu.db import transaction
from schedcu.models import (
    Assignment,
    Hospital,
    Person,
    ScheduleVersion,
    ShiftInstance,
    Specialty,
    TemplateLayout,
)
from schedcu.names import position_key
from schedcu.ods.expand import expand_template
from schedcu.template import FlatShift, SheetRule, Template
from tests.utils.builders import make_hospital, make_person, make_version

TZ = ZoneInfo("America/New_York")
DAY_START = dt.time(8)
_ids = itertools.count(1)


def clock(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def sheet(
    name: str,
    start: str,
    end: str,
    marks: Mapping[str, Sequence[str]],
    *,
    category: str = "Mid",
    day_type: str | None = None,
    scenario: str | None = None,
    study_types: Sequence[str] | None = None,
    order: int = 0,
) -> SheetRule:
    """A sheet; `study_types` defaults to every marked type (pass more for unmarked rows)."""
    listed = study_types or list(dict.fromkeys(t for types in marks.values() for t in types))
    return SheetRule(
        name=name,
        category=category,
        day_type=day_type,
        scenario=scenario,
        start=clock(start),
        end=clock(end),
        positions=tuple(marks),
        study_types=tuple(listed),
        marks={position: tuple(types) for position, types in marks.items()},
        order=order,
    )


def matrix(*sheets: SheetRule) -> Template:
    ordered = tuple(dataclasses.replace(s, order=i) for i, s in enumerate(sheets))
    types = tuple(dict.fromkeys(t for s in ordered for t in s.study_types))
    return Template(layout=TemplateLayout.MATRIX, sheets=ordered, study_types=types)


def instances(
    template: Template, start: dt.date, end: dt.date, *, holidays: Iterable[dt.date] = ()
) -> list[ShiftInstance]:
    """The shift instances phase 1 would create (its own expansion), with ids."""
    return [
        ShiftInstance(id=next(_ids), version_id=1, **row)
        for row in expand_template(
            template, start=start, end=end, tz=TZ, day_start=DAY_START, holidays=holidays
        )
    ]


def person(name: str, specialty: Specialty | None = Specialty.BOTH) -> Person:
    return Person(
        id=next(_ids), hospital_id=1, name=name, name_key=name.casefold(), specialty=specialty
    )


def assign(
    who: Person,
    day: dt.date,
    position: str,
    start: str | None = None,
    end: str | None = None,
    *,
    shift_instance_id: int | None = None,
) -> Assignment:
    """An Amion row: times are clock times of the service day, as Amion writes them."""
    start_at = end_at = None
    if start is not None and end is not None:
        start_at, end_at = place_window(day, clock(start), clock(end), day_start=DAY_START, tz=TZ)
    return Assignment(
        id=next(_ids),
        version_id=1,
        person_id=who.id,
        service_date=day,
        shift_name=position,
        position_key=position_key(position),
        start_at=start_at.astimezone(dt.UTC) if start_at else None,
        end_at=end_at.astimezone(dt.UTC) if end_at else None,
        shift_instance_id=shift_instance_id,
    )


def settings(**overrides: object) -> Settings:
    return Settings(**overrides)


def calculate(
    template: Template,
    days: tuple[dt.date, dt.date],
    assignments: Sequence[Assignment] = (),
    persons: Sequence[Person] = (),
    **setting_overrides: object,
) -> CoverageResult:
    config = settings(**setting_overrides)
    return calculate_coverage(
        template=template,
        shift_instances=instances(template, *days, holidays=config.holidays),
        assignments=assignments,
        persons=persons,
        settings=config,
        tz=TZ,
    )


def local(moment: dt.datetime) -> str:
    """`'Sat 22:00'`: a row boundary as a coordinator reads it."""
    return f"{moment.astimezone(TZ):%a %H:%M}"


def segments(
    result: CoverageResult, study_type: str, day: dt.date | None = None
) -> list[tuple[str, str, str, tuple[str, ...], tuple[str, ...]]]:
    """(start, end, status, positions, persons) of one study type, in time order."""
    return [
        (local(r.start), local(r.end), r.status.value, r.positions, r.persons)
        for r in result.rows
        if r.study_type == study_type and (day is None or r.service_date == day)
    ]


def flat(*shifts: tuple[dt.date, str, int, str]) -> Template:
    """A flat template from (date, shift type, required staffing, study type)."""
    return Template(
        layout=TemplateLayout.FLAT,
        shifts=tuple(
            FlatShift(
                date=day,
                shift_type=shift_type,
                required_staffing=required,
                specialty_constraint=None,
                study_type=study_type,
                start=clock("17:00"),
                end=clock("08:00"),
                location=f"'Shifts'!A{row}",
            )
            for row, (day, shift_type, required, study_type) in enumerate(shifts, start=2)
        ),
        study_types=tuple(dict.fromkeys(s[3] for s in shifts)),
    )


def add_template_version(
    session: Session, hospital: Hospital, template: Template, days: tuple[dt.date, dt.date]
) -> ScheduleVersion:
    """A version of `template` over `days` for `hospital`, with its shift instances."""
    version = make_version(
        session,
        hospital,
        effective_start=days[0],
        effective_end=days[1],
        layout=template.layout,
        template=template.to_dict(),
    )
    rows = [
        {**row, "version_id": version.id}
        for row in expand_template(template, start=days[0], end=days[1], tz=TZ, day_start=DAY_START)
    ]
    session.execute(sa.insert(ShiftInstance.__table__), rows)
    return version


def store_version(
    engine: Engine,
    template: Template,
    days: tuple[dt.date, dt.date],
    roster: Sequence[tuple[str, Specialty]] = (),
    shifts: Sequence[tuple[str, dt.date, str, str | None, str | None]] = (),
) -> int:
    """A hospital, its roster, a version of `template` over `days` with its shift instances, and
    assignments given as (person name, service day, position, start, end); the version's id."""
    with transaction(engine) as session:
        hospital = make_hospital(session)
        version = add_template_version(session, hospital, template, days)
        people = {
            name: make_person(session, hospital, name=name, specialty=specialty)
            for name, specialty in roster
        }
        for name, day, position, start, end in shifts:
            row = assign(people[name], day, position, start, end)
            row.id, row.version_id = None, version.id
            session.add(row)
        return version.id
