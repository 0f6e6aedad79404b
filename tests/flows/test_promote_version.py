"""The promote-version flow and the nightly refresh's choice of version, run against the
session's Prefect server on SQLite and PostgreSQL.

The refresh's hospitals have no Amion address, so phase 2 ends at once (CompletedWithWarnings)
and what is tested is the version each run follows: the ACTIVE one covering today, else the
newest draft with a NO_ACTIVE_VERSION warning in the result and in the run's log."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from prefect.client.orchestration import get_client
from prefect.states import State
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from flows.nightly_refresh import nightly_refresh
from flows.promote_version import promote_version
from schedcu.calendar import service_day_at
from schedcu.config import get_settings
from schedcu.db import get_engine, transaction
from schedcu.examples.template_ods import write_example_template
from schedcu.hospitals import add_hospital
from schedcu.models import VersionStatusChange, utcnow
from schedcu.ods.importer import import_schedule
from schedcu.versions import promote
from tests.flows.conftest import logs
from tests.utils.builders import make_hospital, make_version

pytestmark = pytest.mark.usefixtures("prefect_api")


@pytest.fixture
def database(db_url: str, db_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The flows' database is the test's; their process-wide engine closed afterwards."""
    monkeypatch.setenv("SCHEDCU_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield db_engine
    get_engine(get_settings()).dispose()


def _tags(state: State[Any]) -> list[str]:
    with get_client(sync_client=True) as client:
        return client.read_flow_run(state.state_details.flow_run_id).tags


def _drafts(engine: Engine, periods: int = 2) -> tuple[str, list[int]]:
    with transaction(engine) as session:
        hospital = make_hospital(session)
        ids = [make_version(session, hospital).id for _ in range(periods)]
        return hospital.code, [i for i in ids if i is not None]


def test_the_flow_promotes_and_its_run_is_in_the_history(database: Engine) -> None:
    code, (old, new) = _drafts(database)
    promote(database, version_id=old, by="ann")
    state = promote_version(
        version_id=new, promoted_by="bob", reason="The rota of March", return_state=True
    )
    assert state.is_completed(), state.message
    done = state.result(_sync=True)
    assert (done["version_id"], done["archived"]) == (new, [old])
    assert state.message == done["message"] and "is ACTIVE; archived version" in state.message
    run_id = str(state.state_details.flow_run_id)
    with Session(database) as session:
        changes = session.exec(
            select(VersionStatusChange).where(VersionStatusChange.flow_run_id == run_id)
        ).all()
    assert sorted((c.version_id, c.to_status.value, c.changed_by) for c in changes) == sorted(
        [(new, "ACTIVE", "bob"), (old, "ARCHIVED", "bob")]
    )
    assert f"hospital:{code}" in _tags(state)


@pytest.mark.parametrize(
    ("parameters", "code"),
    [
        ({"version_id": 987_654, "promoted_by": "ann"}, "NO_VERSION"),
        ({"version_id": "{new}", "promoted_by": None}, "INVALID_USER_ID"),
        ({"version_id": "{new}", "promoted_by": "ann", "reason": "x" * 5000}, "INVALID_REASON"),
        ({"version_id": "{old}", "promoted_by": "ann"}, "VERSION_ALREADY_ACTIVE"),
    ],
)
def test_a_refused_promotion_fails_its_run_with_the_coded_sentence_and_changes_nothing(
    database: Engine, parameters: dict[str, Any], code: str
) -> None:
    hospital, (old, new) = _drafts(database)
    promote(database, version_id=old, by="ann")
    ids = {"{old}": old, "{new}": new}
    given = parameters | {"version_id": ids.get(parameters["version_id"], parameters["version_id"])}
    state = promote_version(**given, return_state=True)
    assert state.is_failed() and (state.message or "").startswith(f"{code}: "), state.message
    with Session(database) as session:
        assert len(session.exec(select(VersionStatusChange)).all()) == 1  # the test's own
    tagged = [tag for tag in _tags(state) if tag.startswith("hospital:")]
    assert tagged == ([] if code == "NO_VERSION" else [f"hospital:{hospital}"])


# -- the version the nightly refresh follows ----------------------------------------------------


def _imported(engine: Engine, tmp_path: Path, months: list[int]) -> tuple[str, list[int]]:
    """A hospital without Amion, and a version imported from this month for each of `months`."""
    code = f"refresh-{uuid.uuid4().hex[:8]}"
    hospital = add_hospital(engine, code=code)
    settings = get_settings()
    today = service_day_at(utcnow(), day_start=settings.day_start, tz=ZoneInfo(hospital.timezone))
    ods = write_example_template(tmp_path / "template.ods")
    ids = [
        import_schedule(
            engine=engine, hospital_code=code, ods_path=ods, start=today.replace(day=1), months=n
        ).version_id
        for n in months
    ]
    return code, ids


def _followed(code: str) -> tuple[dict[str, Any], list[dict[str, Any]], State[Any]]:
    state = nightly_refresh(hospital=code, return_state=True)
    assert state.is_completed(), state.message
    result = state.result(_sync=True)
    warnings = [m for m in result["validation"] if m["code"] == "NO_ACTIVE_VERSION"]
    return result, warnings, state


def test_the_refresh_follows_the_active_version_covering_today_not_a_newer_draft(
    database: Engine, tmp_path: Path
) -> None:
    code, (this_month, newer_draft) = _imported(database, tmp_path, [1, 2])
    promote(database, version_id=this_month, by="ann")
    result, warnings, _ = _followed(code)
    assert result["schedule_version_id"] == this_month and newer_draft != this_month
    assert warnings == []


def test_without_an_active_version_the_refresh_follows_the_newest_draft_and_warns(
    database: Engine, tmp_path: Path
) -> None:
    code, (_, newest) = _imported(database, tmp_path, [1, 2])
    result, [warning], state = _followed(code)
    assert result["schedule_version_id"] == newest
    assert warning["severity"] == "WARNING" and f"version {newest}" in warning["message"]
    logged = [
        log.message
        for log in logs(state.state_details.flow_run_id)
        if log.message.startswith("NO_ACTIVE_VERSION: ")
    ]
    assert logged == [f"NO_ACTIVE_VERSION: {warning['message']}"]


def test_archived_versions_and_active_ones_of_the_past_are_not_refreshed(
    database: Engine,
) -> None:
    past = {"effective_start": dt.date(2020, 3, 1), "effective_end": dt.date(2020, 3, 31)}
    with transaction(database) as session:
        hospital = make_hospital(session)
        old, new = (make_version(session, hospital, **past).id for _ in range(2))
    assert old and new
    promote(database, version_id=old, by="ann")
    promote(database, version_id=new, by="ann")  # old ARCHIVED, new ACTIVE for March 2020
    state = nightly_refresh(hospital=hospital.code, return_state=True)
    assert state.is_failed() and (state.message or "").startswith("NO_VERSION: ")
