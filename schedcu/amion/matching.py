"""Matching Amion rows to people and to the version's shift instances (AMION.md, Matching).

People: by Amion staff id when both the row and the person have one, else by name or alias
normalised with `person_key` (`Smith, Jane` = `Jane Smith`). A name whose person has another
staff id is still that person (Amion ids change, e.g. to `EPICID:`); the store warns about it.
Someone unknown becomes a new Person with specialty BOTH. Shifts: by (service date,
`position_key`); when a position has several instances that day (a narrower window overriding a
wider one), the one overlapping the row's times most, else the earliest.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, select

from schedcu.models import Person, ShiftInstance, Specialty
from schedcu.names import person_key


def converted_column(values: Sequence[Any], process: Callable[[Any], Any] | None) -> list[Any]:
    """`values` with `process` applied once per distinct value (the values as they are without).

    A year of rows repeats a few hundred dates and windows: converting each distinct value once
    and looking the rest up costs a fraction of converting every row.
    """
    if process is None:
        return list(values)
    converted = {value: process(value) for value in set(values)}
    return [converted[value] for value in values]


def display_name(amion_name: str) -> str:
    """`Smith, Jane` -> `Jane Smith`; other spellings unchanged."""
    name = " ".join(amion_name.split())
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        return f"{first} {last}".strip()
    return name


class PersonMatcher:
    """The hospital's people, indexed by staff id and by every normalised spelling."""

    def __init__(self, session: Session, hospital_id: int) -> None:
        self._session = session
        self._hospital_id = hospital_id
        self._by_id: dict[str, Person] = {}
        self._by_key: dict[str, Person] = {}
        for person in session.exec(select(Person).where(Person.hospital_id == hospital_id)):
            self._remember(person)

    def _remember(self, person: Person) -> None:
        if person.amion_id:
            self._by_id[person.amion_id] = person
        for spelling in (person.name, *person.aliases):
            self._by_key.setdefault(person_key(spelling), person)
        self._by_key[person.name_key] = person

    def find(self, name: str, staff_id: str | None) -> Person | None:
        if staff_id and staff_id in self._by_id:
            return self._by_id[staff_id]
        return self._by_key.get(person_key(name))

    def add(self, name: str, staff_id: str | None) -> Person:
        """A new Person for someone Amion lists but the hospital does not know."""
        shown = display_name(name)
        person = Person(
            hospital_id=self._hospital_id,
            name=shown,
            name_key=person_key(shown),
            amion_id=staff_id,
            aliases=[name] if name != shown else [],
            specialty=Specialty.BOTH,
        )
        self._session.add(person)
        self._session.flush()
        self._remember(person)
        return person


class ShiftSlot(NamedTuple):
    """What matching needs of a ShiftInstance (loading whole rows costs more than matching).

    A NamedTuple: a year has tens of thousands of slots, and a frozen dataclass's constructor
    cost more than loading them.
    """

    id: int
    service_date: dt.date
    position_key: str
    start_at: dt.datetime
    end_at: dt.datetime


class ShiftIndex:
    """A version's shift instances by (service date, position key).

    `instances` come ordered by start, then id (`of_version` has the database sort them): a
    slot's first instance is its earliest.
    """

    def __init__(self, instances: Iterable[ShiftSlot]) -> None:
        self._by_slot: dict[tuple[dt.date, str], list[ShiftSlot]] = defaultdict(list)
        for instance in instances:
            self._by_slot[instance.service_date, instance.position_key].append(instance)

    @classmethod
    def of_version(cls, session: Session, version_id: int) -> ShiftIndex:
        columns = (
            ShiftInstance.id,
            ShiftInstance.service_date,
            ShiftInstance.position_key,
            ShiftInstance.start_at,
            ShiftInstance.end_at,
        )
        # Core rows through the session's connection, fetched as the driver gives them and
        # converted column by column by their own types: the ORM's row handling and per-row
        # conversions cost more than the whole matching.
        dialect = session.get_bind().dialect
        raw = (sa.type_coerce(column, sa.types.NullType()) for column in columns)
        query = (
            sa.select(*raw)
            .where(ShiftInstance.version_id == version_id)
            .order_by(ShiftInstance.start_at, ShiftInstance.id)
        )
        rows = session.connection().execute(query).all()
        if not rows:
            return cls(())
        converted = (
            converted_column(
                values, column.type.dialect_impl(dialect).result_processor(dialect, None)
            )
            for column, values in zip(columns, zip(*rows, strict=True), strict=True)
        )
        return cls(map(ShiftSlot._make, zip(*converted, strict=True)))

    def match(
        self,
        service_date: dt.date,
        position_key: str,
        start_at: dt.datetime | None,
        end_at: dt.datetime | None,
    ) -> ShiftSlot | None:
        candidates = self._by_slot.get((service_date, position_key))
        if not candidates:
            return None
        if start_at is None or end_at is None or len(candidates) == 1:
            return candidates[0]

        def overlap(instance: ShiftSlot) -> dt.timedelta:
            return max(
                min(end_at, instance.end_at) - max(start_at, instance.start_at), dt.timedelta(0)
            )

        return max(candidates, key=overlap)
