"""The refresh flow says what changed in Amion since the last calculation: a real Prefect server,
the Amion simulator serving a changed schedule, SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from flows.nightly_refresh import nightly_refresh
from flows.schedule_import import schedule_import
from schedcu.changes.model import Changes
from schedcu.examples.amion_month import schedule_for
from schedcu.models import CoverageCalculation, CoverageRow
from schedcu.names import slug
from tests.flows.conftest import MONTHS, Setup, artifacts

pytestmark = pytest.mark.usefixtures("prefect_api")

DROPPED = (dt.date(2026, 3, 10), "MidC")  # a Tuesday: the person on MidC drops the shift


@pytest.fixture
def amion_schedule(setup: Setup) -> Iterator[Setup]:
    """The setup; whatever schedule a test serves, the session's is served again after."""
    yield setup
    setup.amion.serve_schedule(schedule_for(MONTHS))


def _import(setup: Setup) -> dict:
    state = setup.run(
        schedule_import,
        hospital=setup.hospital,
        ods_path=str(setup.ods_path),
        start_date=dt.date(2026, 3, 1),
        roster_path=str(setup.roster_path),
        return_state=True,
    )
    assert state.name == "Completed", state.message
    return state.result(_sync=True)


def _refresh(setup: Setup):
    state = setup.run(
        nightly_refresh,
        hospital=setup.hospital,
        roster_path=str(setup.roster_path),
        return_state=True,
    )
    assert state.name == "Completed", state.message
    return state, state.result(_sync=True)


def _stored(setup: Setup) -> tuple[list[int], int]:
    with setup.engine.connect() as connection:
        ids = connection.execute(sa.select(CoverageCalculation.id)).scalars().all()
        rows = connection.execute(sa.select(sa.func.count()).select_from(CoverageRow)).scalar()
    return sorted(ids), rows


def test_a_refresh_after_a_dropped_shift_names_the_opened_gap(amion_schedule: Setup) -> None:
    setup = amion_schedule
    imported = _import(setup)
    assert imported["changes"] is None  # the hospital's first calculation
    setup.amion.serve_schedule([e for e in schedule_for(MONTHS) if (e.date, e.position) != DROPPED])

    state, result = _refresh(setup)

    changes = Changes.from_dict(result["changes"])
    assert changes.baseline.same_version
    assert changes.baseline.version_id == imported["schedule_version_id"]
    assert [(k.service_date, k.position) for k in changes.assignments_removed] == [DROPPED]
    assert changes.assignments_added == () and changes.assignments_moved == ()
    assert changes.shifts_added == changes.shifts_removed == ()
    assert changes.opened, "a MidC nobody covers opens gaps"
    for gap in changes.opened:  # the evening of 10 March, naming who should have read it
        assert gap.start.astimezone(changes.tz) == dt.datetime(2026, 3, 10, 17, tzinfo=changes.tz)
        assert gap.positions
    assert changes.closed == () and changes.grown == []
    assert result["coverage"]["unstaffed_hours"] > imported["coverage"]["unstaffed_hours"]

    (what,) = [
        a
        for a in artifacts(state.state_details.flow_run_id)
        if a.key == slug("what-changed", setup.hospital)
    ]
    assert "Gaps opened" in what.data and "MidC" in what.data
    assert f"{changes.opened[0].study_type}, Tue 10 Mar 17:00" in what.data


def test_a_refresh_in_which_nothing_changed_stores_nothing(amion_schedule: Setup) -> None:
    setup = amion_schedule
    _import(setup)
    before = _stored(setup)

    state, result = _refresh(setup)

    changes = Changes.from_dict(result["changes"])
    assert changes.inputs_unchanged and changes.nothing_changed
    assert _stored(setup) == before  # no calculation, no rows written
    assert result["counts"]["coverage_rows"] == before[1]
    assert result["phases"]["coverage"]["outcome"] == "succeeded"
    keys = {a.key for a in artifacts(state.state_details.flow_run_id)}
    assert slug("what-changed", setup.hospital) in keys
    assert slug("coverage", setup.hospital) not in keys  # the last calculation's stand
