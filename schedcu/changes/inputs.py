"""What a calculation reads, reduced to what the next one compares: the assignments as
(service day, position, person), the shifts as (service day, position, start, end), and a
fingerprint of everything that decides the coverage.

Equal fingerprints, equal coverage: the calculation is a pure function of the version (its
template and shifts never change), the assignments, the people's names and specialties, the
hospital's time zone and the settings it reads. A refresh whose Amion rows are the same as last
time therefore skips the calculation and writes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from schedcu.changes.model import AssignmentKey, ShiftKey
from schedcu.config import Settings

# Bump when the calculation itself changes: a new schedcu then recalculates once.
FINGERPRINT_FORMAT = "schedcu-coverage-inputs/1"


def assignment_keys(assignments: Iterable[Any], persons: Iterable[Any]) -> list[AssignmentKey]:
    """Assignment rows (version_id, person_id, service_date, shift_name, ...) as keys, with each
    person's name."""
    names = {person.id: person.name for person in persons}
    return [
        AssignmentKey(row.service_date, row.shift_name, names.get(row.person_id) or "?")
        for row in assignments
    ]


def shift_keys(instances: Iterable[Any]) -> list[ShiftKey]:
    """Shift instance rows as keys."""
    return [ShiftKey(row.service_date, row.position, row.start_at, row.end_at) for row in instances]


def inputs_fingerprint(
    *,
    version: Any,
    timezone: str,
    assignments: Iterable[Any],
    persons: Iterable[Any],
    settings: Settings,
) -> str:
    """SHA-256 over what decides a version's coverage (see the module docstring), independent
    of the order the database returns rows in."""
    digest = hashlib.sha256()
    head = (
        FINGERPRINT_FORMAT,
        version.id,
        version.source_sha256,
        timezone,
        settings.day_start.isoformat(),
        sorted((key, sorted(values)) for key, values in settings.splittable.items()),
        sorted(day.isoformat() for day in settings.holidays),
    )
    digest.update(repr(head).encode())
    people = sorted(repr((p.id, p.name, str(p.specialty or ""))) for p in persons)
    rows = sorted(
        repr(
            (
                row.person_id,
                row.service_date.isoformat(),
                row.shift_name,
                row.position_key,
                row.start_at.isoformat() if row.start_at else None,
                row.end_at.isoformat() if row.end_at else None,
                row.shift_instance_id,
            )
        )
        for row in assignments
    )
    for line in (*people, "--", *rows):
        digest.update(line.encode())
        digest.update(b"\n")
    return digest.hexdigest()
