"""The calculation's inputs, reduced once to plain values: who works which position when.

Rows come from the database (or tests) as SQLModel objects; reading their attributes in the inner
loops would cost more than the calculation itself, so each assignment becomes one `Staffing`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from schedcu.models import Specialty
from schedcu.names import name_key, position_key
from schedcu.template import Template
from schedcu.validation import ValidationResult


class AssignmentLike(Protocol):
    service_date: dt.date
    shift_name: str
    position_key: str
    start_at: dt.datetime | None
    end_at: dt.datetime | None
    person_id: int
    shift_instance_id: int | None


class PersonLike(Protocol):
    id: int | None
    name: str
    specialty: Specialty | str | None


@dataclass(frozen=True, slots=True)
class Staffing:
    """One person on one position on one service day; no times means the whole window."""

    service_date: dt.date
    position_key: str
    start: dt.datetime | None
    end: dt.datetime | None
    person_id: int
    person: str
    body_only: bool
    shift_instance_id: int | None

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        return (self.start is None or self.start < end) and (self.end is None or self.end > start)


def prepare_staffing(
    assignments: Iterable[AssignmentLike],
    persons: Iterable[PersonLike],
    validation: ValidationResult,
) -> dict[dt.date, list[Staffing]]:
    """Assignments grouped by service day, each with its person's display name and specialty.

    A person without a specialty counts as BOTH (AMION.md's default), an assignment whose
    person is not in the roster is still counted; each gets one message, not one per row.
    """
    people = {person.id: person for person in persons}
    by_date: dict[dt.date, list[Staffing]] = defaultdict(list)
    reported: set[int] = set()
    for row in assignments:
        person = people.get(row.person_id)
        if person is None:
            name, specialty = f"person #{row.person_id}", Specialty.BOTH
            if row.person_id not in reported:
                reported.add(row.person_id)
                validation.warning(
                    "UNKNOWN_PERSON",
                    f"Person #{row.person_id} is assigned to {row.shift_name} but is not in the "
                    "roster; counted as reading both Body and Neuro.",
                )
        else:
            name, specialty = person.name, person.specialty
            if not specialty and row.person_id not in reported:
                reported.add(row.person_id)
                validation.info(
                    "UNKNOWN_SPECIALTY",
                    f"{name} has no specialty in the roster; counted as reading both Body and "
                    "Neuro.",
                )
        by_date[row.service_date].append(
            Staffing(
                service_date=row.service_date,
                position_key=row.position_key or position_key(row.shift_name),
                start=row.start_at,
                end=row.end_at,
                person_id=row.person_id,
                person=name,
                body_only=specialty == Specialty.BODY_ONLY,
                shift_instance_id=row.shift_instance_id,
            )
        )
    return by_date


def display_name(text: str) -> str:
    """A name as written, without stray white space: `'CHONY Neuro '` -> `'CHONY Neuro'`."""
    return " ".join(text.split())


def study_type_catalogue(template: Template) -> dict[str, str]:
    """Every study type of the template, normalised key -> display spelling, first-seen order."""
    catalogue: dict[str, str] = {}
    names: list[str] = list(template.study_types)
    for sheet in template.sheets:
        names.extend(sheet.study_types)
        for marked in sheet.marks.values():
            names.extend(marked)
    for name in names:
        catalogue.setdefault(name_key(name), display_name(name))
    return catalogue


def splittable_keys(splittable: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """Settings.splittable as category key -> position keys."""
    return {
        name_key(category): frozenset(position_key(p) for p in positions)
        for category, positions in splittable.items()
    }
