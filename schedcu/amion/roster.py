"""The roster file of a hospital (AMION.md) and its upsert into Person rows.

```yaml
hospital: cumc-radiology
people:
  - name: Jane Smith
    amion_id: 4711
    specialty: BODY_ONLY        # BODY_ONLY | NEURO_ONLY | BOTH
    aliases: ["Smith, J", "J. Smith"]
splittable:                     # optional; defaults to the settings' splittable positions
  ON: [ON1, ON2]
  Mid: [MidC, MidL]
```
A person is matched by Amion staff id, else by name (normalised with `person_key`). A person of
the hospital who is not in the roster any more becomes inactive; nobody is ever deleted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, select

from schedcu.config import MB, Settings, get_settings
from schedcu.errors import RosterError
from schedcu.models import Person, Specialty, utcnow
from schedcu.names import person_key
from schedcu.storage.fetch import opened
from schedcu.storage.location import Location, location
from schedcu.validation import ValidationResult

MAX_ROSTER_BYTES = 10 * MB
_BOOL_TAG = "tag:yaml.org,2002:bool"


class _RosterLoader(yaml.SafeLoader):
    """YAML 1.2 booleans only: YAML 1.1 reads `ON:` (the overnight category) as True."""


_RosterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_RosterLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass(frozen=True, slots=True)
class RosterPerson:
    name: str
    amion_id: str | None = None
    specialty: Specialty = Specialty.BOTH
    aliases: tuple[str, ...] = ()

    @property
    def keys(self) -> set[str]:
        """Every normalised spelling Amion may use for this person."""
        return {person_key(spelling) for spelling in (self.name, *self.aliases)}


@dataclass(frozen=True, slots=True)
class Roster:
    hospital: str | None
    people: tuple[RosterPerson, ...]
    splittable: dict[str, tuple[str, ...]] | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "hospital": self.hospital,
            "people": [
                {
                    "name": person.name,
                    "amion_id": person.amion_id,
                    "specialty": person.specialty.value,
                    "aliases": list(person.aliases),
                }
                for person in self.people
            ],
        }
        if self.splittable is not None:
            data["splittable"] = {cat: list(pos) for cat, pos in self.splittable.items()}
        return data

    def dump(self, path: Path) -> Path:
        path.write_text(yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True))
        return path


def load_roster(path: Path | str | Location, settings: Settings | None = None) -> Roster:
    """Read and check a roster file, from a local path or a URL (at most MAX_ROSTER_BYTES)."""
    where = path if isinstance(path, Location) else location(path)
    try:
        with opened(
            where, settings or get_settings(), what="roster", limit=MAX_ROSTER_BYTES
        ) as file:
            data = yaml.load(file.stream.read().decode("utf-8"), Loader=_RosterLoader)
    except OSError as exc:
        raise RosterError(f"The roster file {where.name} cannot be read ({exc.strerror}).") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RosterError(f"The roster file {where.name} is not valid YAML.") from exc
    return roster_from_dict(data, source=where.name)


def roster_from_dict(data: Any, *, source: str = "the roster") -> Roster:
    if not isinstance(data, Mapping) or not isinstance(data.get("people"), list):
        raise RosterError(f"{source} needs a 'people:' list (see the roster format in AMION.md).")
    people = tuple(_person(entry, index, source) for index, entry in enumerate(data["people"], 1))
    _refuse_duplicates(people, source)
    splittable = data.get("splittable")
    if splittable is not None and not (
        isinstance(splittable, Mapping) and all(isinstance(v, list) for v in splittable.values())
    ):
        raise RosterError(f"{source}: 'splittable' maps a category to a list of positions.")
    return Roster(
        hospital=str(data["hospital"]) if data.get("hospital") else None,
        people=people,
        splittable=(
            {str(cat): tuple(str(p) for p in pos) for cat, pos in splittable.items()}
            if splittable is not None
            else None
        ),
    )


def _person(entry: Any, index: int, source: str) -> RosterPerson:
    if not isinstance(entry, Mapping) or not str(entry.get("name") or "").strip():
        raise RosterError(f"{source}: person {index} has no name.")
    name = " ".join(str(entry["name"]).split())
    specialty_text = str(entry.get("specialty") or Specialty.BOTH.value).strip().upper()
    try:
        specialty = Specialty(specialty_text)
    except ValueError:
        choices = ", ".join(s.value for s in Specialty)
        raise RosterError(
            f"{source}: {name} has the specialty '{specialty_text}'; use one of {choices}."
        ) from None
    aliases = entry.get("aliases") or []
    if not isinstance(aliases, list):
        raise RosterError(f"{source}: the aliases of {name} must be a list.")
    amion_id = entry.get("amion_id")
    return RosterPerson(
        name=name,
        amion_id=str(amion_id).strip() if amion_id not in (None, "") else None,
        specialty=specialty,
        aliases=tuple(" ".join(str(alias).split()) for alias in aliases),
    )


def _refuse_duplicates(people: tuple[RosterPerson, ...], source: str) -> None:
    seen_ids: set[str] = set()
    seen_names: set[str] = set()
    for person in people:
        key = person_key(person.name)
        if key in seen_names or (person.amion_id and person.amion_id in seen_ids):
            raise RosterError(f"{source}: {person.name} is listed twice.")
        seen_names.add(key)
        if person.amion_id:
            seen_ids.add(person.amion_id)


def apply_roster(session: Session, *, hospital_id: int, roster: Roster) -> ValidationResult:
    """Upsert the roster into the hospital's Person rows; the absent become inactive."""
    validation = ValidationResult()
    existing = list(session.exec(select(Person).where(Person.hospital_id == hospital_id)))
    by_id = {p.amion_id: p for p in existing if p.amion_id}
    by_name = {p.name_key: p for p in existing}
    seen: set[int] = set()
    added = 0
    now = utcnow()
    for entry in roster.people:
        key = person_key(entry.name)
        person = (by_id.get(entry.amion_id) if entry.amion_id else None) or by_name.get(key)
        if person is None:
            person = Person(hospital_id=hospital_id, name=entry.name, name_key=key)
            added += 1
        person.name, person.name_key = entry.name, key
        person.amion_id = entry.amion_id or person.amion_id
        person.specialty = entry.specialty
        person.aliases = list(entry.aliases)
        person.active = True
        person.updated_at = now
        session.add(person)
        if person.id is not None:
            seen.add(person.id)
    left = [p for p in existing if p.id not in seen and p.active]
    for person in left:
        person.active = False
        person.updated_at = now
        session.add(person)
    session.flush()
    validation.info(
        "ROSTER_LOADED",
        f"Roster loaded: {len(roster.people)} people ({added} new, "
        f"{len(left)} no longer on the roster and marked inactive).",
    )
    return validation
