"""Phase 3 failing, the coverage recalculation and nightly refresh flows, and the status of a
hospital read from its flow runs (future scheduled runs ignored)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from prefect.client.orchestration import get_client
from prefect.states import Late, Scheduled
from sqlmodel import Session, select

from flows.nightly_refresh import nightly_refresh
from flows.recalculate_coverage import recalculate_coverage
from flows.schedule_import import schedule_import
from flows.status import hospital_status
from schedcu.errors import OrchestrationFailed
from schedcu.models import Assignment, CoverageCalculation, ScheduleVersion
from tests.flows.conftest import Setup

pytestmark = pytest.mark.usefixtures("prefect_api")

# A database that refuses phase 3's write: a real failure inside its transaction.
REFUSE = {
    "sqlite": [
        "CREATE TRIGGER refuse_coverage BEFORE INSERT ON coverage_calculation "
        "BEGIN SELECT RAISE(ABORT, 'the disk is full'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_coverage() RETURNS trigger AS "
        "$$ BEGIN RAISE EXCEPTION 'the disk is full'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER refuse_coverage BEFORE INSERT ON coverage_calculation "
        "FOR EACH ROW EXECUTE FUNCTION refuse_coverage()",
    ],
}
ALLOW = {
    "sqlite": ["DROP TRIGGER IF EXISTS refuse_coverage"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS refuse_coverage ON coverage_calculation",
        "DROP FUNCTION IF EXISTS refuse_coverage()",
    ],
}


def _import(setup: Setup):
    return setup.run(
        schedule_import,
        hospital=setup.hospital,
        ods_path=str(setup.ods_path),
        start_date=dt.date(2026, 3, 1),
        roster_path=str(setup.roster_path),
        return_state=True,
    )


def _execute(setup: Setup, statements: dict[str, list[str]]) -> None:
    with setup.engine.begin() as connection:
        for statement in statements[setup.engine.dialect.name]:
            connection.exec_driver_sql(statement)


@pytest.fixture
def refusing_setup(setup: Setup) -> Iterator[Setup]:
    """The setup, with a database that refuses to store coverage until `_execute(ALLOW)`."""
    _execute(setup, REFUSE)
    yield setup
    _execute(setup, ALLOW)


def test_phase_3_failing_keeps_the_version_and_recalculation_repairs_it(
    refusing_setup: Setup,
) -> None:
    setup = refusing_setup
    state = _import(setup)
    assert state.is_completed() and state.name == "CompletedWithWarnings"
    assert "coverage failed" in (state.message or "")
    result = state.result(_sync=True)
    assert [result["phases"][p]["outcome"] for p in ("ods_import", "amion_scrape", "coverage")] == [
        "succeeded",
        "succeeded",
        "failed",
    ]
    assert "COVERAGE_FAILED" in [m["code"] for m in result["validation"]]
    version_id = result["schedule_version_id"]
    with Session(setup.engine) as session:
        assert session.get(ScheduleVersion, version_id) is not None
        assert session.exec(select(Assignment)).first() is not None  # phase 2 stayed committed
        assert session.exec(select(CoverageCalculation)).first() is None  # phase 3 left nothing

    failed = setup.run(recalculate_coverage, version_id=version_id, return_state=True)
    assert failed.is_failed()  # alone, phase 3 is the whole job

    _execute(setup, ALLOW)
    repaired = setup.run(recalculate_coverage, version_id=version_id, return_state=True)
    assert repaired.name == "Completed", repaired.message
    with Session(setup.engine) as session:
        assert session.exec(select(CoverageCalculation)).first() is not None


def test_recalculating_an_unknown_version_fails_with_a_clear_message(setup: Setup) -> None:
    state = setup.run(recalculate_coverage, version_id=987654, return_state=True)
    assert state.is_failed()
    error = state.result(raise_on_failure=False, _sync=True)
    assert isinstance(error, OrchestrationFailed) and error.code == "NO_VERSION"


def test_nightly_refresh_rereads_amion_and_recalculates_for_the_latest_version(
    setup: Setup,
) -> None:
    imported = _import(setup).result(_sync=True)
    state = setup.run(nightly_refresh, hospital=setup.hospital, return_state=True)
    assert state.name == "Completed", state.message
    result = state.result(_sync=True)
    assert result["schedule_version_id"] == imported["schedule_version_id"]
    assert result["phases"]["ods_import"]["outcome"] == "skipped"
    assert result["phases"]["amion_scrape"]["outcome"] == "succeeded"
    assert result["counts"]["assignments"] == imported["counts"]["assignments"]
    with Session(setup.engine) as session:  # replaced, not added to
        assert len(session.exec(select(Assignment)).all()) == imported["counts"]["assignments"]
    assert hospital_status(setup.hospital)["flow_run_id"] == str(state.state_details.flow_run_id)
    with get_client(sync_client=True) as client:
        tags = client.read_flow_run(state.state_details.flow_run_id).tags
    assert f"hospital:{setup.hospital}" in tags


def test_nightly_refresh_without_a_version_fails(setup: Setup) -> None:
    state = setup.run(nightly_refresh, hospital=setup.hospital, return_state=True)
    assert state.is_failed() and "NO_VERSION" in (state.message or "")


def test_status_ignores_runs_scheduled_ahead_but_counts_late_ones(setup: Setup) -> None:
    done = _import(setup)
    with get_client(sync_client=True) as client:
        client.create_flow_run(
            schedule_import,
            parameters={"hospital": setup.hospital, "ods_path": "x"},
            state=Scheduled(scheduled_time=dt.datetime.now(dt.UTC) + dt.timedelta(hours=6)),
        )
        status = hospital_status(setup.hospital)
        assert status["status"] == "COMPLETED"
        assert status["flow_run_id"] == str(done.state_details.flow_run_id)
        late = client.create_flow_run(
            schedule_import,
            parameters={"hospital": setup.hospital, "ods_path": "x"},
            state=Late(scheduled_time=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)),
        )
    status = hospital_status(setup.hospital)
    assert (status["status"], status["flow_run_id"]) == ("IN_PROGRESS", str(late.id))
