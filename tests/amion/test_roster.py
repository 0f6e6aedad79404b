"""The roster file and its upsert into Person rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from schedcu.amion.roster import apply_roster, load_roster
from schedcu.db import transaction
from schedcu.errors import RosterError
from schedcu.examples.amion_month import example_roster, write_roster
from schedcu.models import Person, Specialty
from tests.utils.builders import make_hospital, make_person

ROSTER = """\
hospital: test-radiology
people:
  - name: Jane   Smith
    amion_id: 4711
    specialty: BODY_ONLY
    aliases: ["Smith, J", "J. Smith"]
  - name: Omar Haddad
    specialty: neuro_only
splittable:
  ON: [ON1, ON2]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "roster.yaml"
    path.write_text(text)
    return path


def test_a_roster_file_is_read_and_normalised(tmp_path: Path) -> None:
    roster = load_roster(write(tmp_path, ROSTER))
    assert roster.hospital == "test-radiology"
    jane, omar = roster.people
    assert (jane.name, jane.amion_id, jane.specialty) == ("Jane Smith", "4711", Specialty.BODY_ONLY)
    assert jane.aliases == ("Smith, J", "J. Smith")
    assert (omar.amion_id, omar.specialty) == (None, Specialty.NEURO_ONLY)
    assert roster.splittable == {"ON": ("ON1", "ON2")}


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("people: [", "not valid YAML"),
        ("hospital: x\n", "people:"),
        ("people:\n  - amion_id: 1\n", "no name"),
        ("people:\n  - name: A B\n    specialty: CARDIO\n", "CARDIO"),
        ("people:\n  - name: A B\n  - name: a  b\n", "listed twice"),
        ("people:\n  - name: A B\n    aliases: x\n", "aliases"),
    ],
)
def test_a_bad_roster_says_what_is_wrong(tmp_path: Path, text: str, complaint: str) -> None:
    with pytest.raises(RosterError, match=complaint) as caught:
        load_roster(write(tmp_path, text))
    assert caught.value.code == "INVALID_ROSTER"


def test_a_missing_roster_file_is_a_roster_error(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="cannot be read"):
        load_roster(tmp_path / "absent.yaml")


def test_the_example_roster_round_trips(tmp_path: Path) -> None:
    assert load_roster(write_roster(tmp_path / "r.yaml")) == example_roster()


def test_the_roster_upserts_and_who_left_becomes_inactive(
    db_engine: Engine, tmp_path: Path
) -> None:
    roster = load_roster(write(tmp_path, ROSTER))
    with transaction(db_engine) as session:
        hospital = make_hospital(session)
        by_id = make_person(session, hospital, name="J. Smith (old)", amion_id="4711")
        by_name = make_person(session, hospital, name="Omar Haddad", specialty=Specialty.BOTH)
        gone = make_person(session, hospital, name="Left Already")
        other_hospital = make_person(session, make_hospital(session), name="Omar Haddad")
        validation = apply_roster(session, hospital_id=hospital.id, roster=roster)
        ids = (by_id.id, by_name.id, gone.id, other_hospital.id)
    assert validation.codes() == ["ROSTER_LOADED"]
    assert "1 no longer on the roster" in validation.messages[0].message

    with transaction(db_engine) as session:
        people = {p.id: p for p in session.exec(select(Person))}
    jane, omar, left, elsewhere = (people[i] for i in ids)
    assert (jane.name, jane.name_key, jane.specialty) == ("Jane Smith", "jane smith", "BODY_ONLY")
    assert jane.aliases == ["Smith, J", "J. Smith"] and jane.active
    assert omar.specialty is Specialty.NEURO_ONLY and omar.active
    assert not left.active  # never deleted
    assert elsewhere.active and len(people) == 4

    with transaction(db_engine) as session:  # loading it again changes nothing
        apply_roster(session, hospital_id=jane.hospital_id, roster=roster)
        assert len(list(session.exec(select(Person)))) == 4
