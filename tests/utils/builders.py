"""Random builders: each test gets its own rows, so tests never depend on one another."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from sqlmodel import Session

from schedcu.models import Hospital, Person, ScheduleVersion, Specialty, TemplateLayout


def random_code(prefix: str = "hosp") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def make_hospital(session: Session, **overrides: object) -> Hospital:
    hospital = Hospital(
        **(
            {"code": random_code(), "name": "Test Radiology", "timezone": "America/New_York"}
            | overrides
        )
    )
    session.add(hospital)
    session.flush()
    return hospital


def make_person(session: Session, hospital: Hospital, **overrides: object) -> Person:
    name = str(overrides.pop("name", f"Person {uuid.uuid4().hex[:6]}"))
    person = Person(
        **(
            {
                "hospital_id": hospital.id,
                "name": name,
                "name_key": name.casefold(),
                "specialty": Specialty.BOTH,
            }
            | overrides
        )
    )
    session.add(person)
    session.flush()
    return person


def make_version(session: Session, hospital: Hospital, **overrides: object) -> ScheduleVersion:
    start = dt.date(2026, 3, 1)
    version = ScheduleVersion(
        **(
            {
                "hospital_id": hospital.id,
                "effective_start": start,
                "effective_end": dt.date(2026, 3, 31),
                "source_filename": "template.ods",
                "source_sha256": hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
                "layout": TemplateLayout.MATRIX,
            }
            | overrides
        )
    )
    session.add(version)
    session.flush()
    return version
