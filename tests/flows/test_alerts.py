"""Alerts end to end on the session's real Prefect server (its triggers and actions services):
a hospital's alerts set up as `schedcu alerts setup --webhook` does, events emitted from real
flow runs, and the messages a real HTTP receiver on 127.0.0.1 gets from the server.

The negative cases ("sends none") are proven by order, not by waiting: the server handles one
hospital's events in the order they were emitted, so when the message of an event emitted
after the one that must send nothing has arrived, that one would have arrived before it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from prefect import flow
from prefect.runtime import flow_run
from sqlalchemy.engine import Engine

from flows.alert_automations import remove_alerts, setup_alerts
from flows.alerts import emit_gap_opened
from flows.nightly_refresh import nightly_refresh
from flows.schedule_import import schedule_import
from schedcu.alerts import gap_sentence
from schedcu.amion.simulator import AmionSimulator
from schedcu.config import get_settings
from schedcu.coverage.summary import Gap
from schedcu.examples.amion_month import example_roster, months_from, schedule_for
from schedcu.hospitals import add_hospital, update_hospital
from schedcu.models import CoverageStatus
from schedcu.webhooks import Channel, webhook_target
from tests.flows.conftest import CODE, Setup
from tests.utils.receiver import Message, Receiver, webhook_receiver

pytestmark = [pytest.mark.usefixtures("prefect_api"), pytest.mark.slow]

ARRIVAL_TIMEOUT_S = 60
TZ = "America/New_York"
AMION_CODE = "Vb7-alert-s3cret-31"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as running:
        yield running


@pytest.fixture
def hospital(
    db_engine: Engine, db_url: str, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A known hospital whose alerts go to the receiver (its path names the hospital)."""
    monkeypatch.setenv("SCHEDCU_DATABASE_URL", db_url)
    monkeypatch.setenv("SCHEDCU_AMION_CODE", AMION_CODE)
    get_settings.cache_clear()
    code = f"alert-{uuid.uuid4().hex[:8]}"
    add_hospital(db_engine, code=code, timezone=TZ)
    setup_alerts(code, webhook_target(Channel.WEBHOOK, f"{receiver.url}/{code}?token=t0k3n"))
    yield code
    remove_alerts(code)


def for_hospital(code: str):
    return lambda message: message.path.startswith(f"/{code}?")


def upcoming_gap(days: float, hours: float = 2) -> Gap:
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).replace(microsecond=0)
    return Gap(
        "Allen MR Neuro",
        start,
        start + dt.timedelta(hours=hours),
        CoverageStatus.UNSTAFFED,
        ("MidC", "MidL"),
    )


@flow(name="alerting-run")
def alerting_run(hospital: str, gaps: list[Gap]) -> str | None:
    """What a refresh does once it knows the gaps it opened (the lead wires it into the flows)."""
    emit_gap_opened(hospital, gaps, TZ)
    return flow_run.get_id()


def only_message(receiver: Receiver, code: str) -> Message:
    seen = receiver.until(for_hospital(code), ARRIVAL_TIMEOUT_S)
    assert [m for m in seen if for_hospital(code)(m)] == seen[-1:]
    return seen[-1]


def test_an_opened_gap_sends_one_message_naming_it(hospital: str, receiver: Receiver) -> None:
    opened = upcoming_gap(days=6)
    run_id = alerting_run(hospital, [opened])

    message = only_message(receiver, hospital)
    sentence = gap_sentence(opened, ZoneInfo(TZ))
    assert message.body["subject"] == f"schedcu: coverage gaps opened at {hospital}"
    assert f"- {sentence}\n" in message.body["text"]
    assert f"({run_id})" in message.body["text"]
    assert "t0k3n" not in message.body["text"]
    # exactly one: the next event of this hospital sends the next message, and nothing between
    alerting_run(hospital, [upcoming_gap(days=1)])
    follow_up = only_message(receiver, hospital)
    assert sentence not in follow_up.body["text"]


def test_a_gap_beyond_the_horizon_sends_nothing(hospital: str, receiver: Receiver) -> None:
    alerting_run(hospital, [upcoming_gap(days=15)])
    within = upcoming_gap(days=13)
    alerting_run(hospital, [within])
    message = only_message(receiver, hospital)
    assert message.body["text"].count("\n- ") == 1


def test_another_hospitals_event_sends_nothing(hospital: str, receiver: Receiver) -> None:
    other = f"alert-{uuid.uuid4().hex[:8]}"  # known to nobody's alerts
    alerting_run(other, [upcoming_gap(days=2)])
    alerting_run(hospital, [upcoming_gap(days=3)])
    seen = receiver.until(for_hospital(hospital), ARRIVAL_TIMEOUT_S)
    assert [m.path for m in seen] == [seen[-1].path]
    assert other not in seen[-1].body["text"]


def test_a_failed_import_sends_the_failure(
    hospital: str, receiver: Receiver, tmp_path: Path
) -> None:
    not_ods = tmp_path / "template.ods"
    not_ods.write_text("a template saved as text, not a spreadsheet")
    state = schedule_import(hospital=hospital, ods_path=str(not_ods), return_state=True)
    assert state.is_failed()

    message = only_message(receiver, hospital)
    assert message.body["subject"] == f"schedcu: a run for {hospital} failed"
    assert message.body["text"].startswith(f"The schedule-import run for {hospital} failed: ")
    assert state.message and state.message in message.body["text"]
    assert AMION_CODE not in message.body["text"]


def test_a_refused_run_of_a_known_hospital_sends_the_failure_and_an_unknown_one_none(
    hospital: str, receiver: Receiver
) -> None:
    unknown = f"alert-{uuid.uuid4().hex[:8]}"
    assert nightly_refresh(hospital=unknown, return_state=True).is_failed()
    state = nightly_refresh(hospital=hospital, return_state=True)  # no version to refresh
    assert state.is_failed()

    seen = receiver.until(for_hospital(hospital), ARRIVAL_TIMEOUT_S)
    assert len(seen) == 1
    assert "NO_VERSION" in seen[0].body["text"]
    assert f"The nightly-refresh run for {hospital} failed" in seen[0].body["text"]


def test_a_refresh_that_loses_a_person_next_week_sends_one_message(
    setup: Setup, receiver: Receiver
) -> None:
    """The issue's end-to-end case: an import, then Amion loses one person's day next week; the
    nightly refresh opens that day's gaps and exactly one message names them."""
    today = dt.datetime.now(ZoneInfo(TZ)).date()
    lost_day = today + dt.timedelta(days=7)
    months = months_from(today.replace(day=1), 2)
    before = schedule_for(months)
    lost = next(entry for entry in before if entry.date == lost_day)
    after = [entry for entry in before if entry != lost]
    roster = replace(example_roster(), hospital=setup.hospital)
    setup_alerts(
        setup.hospital, webhook_target(Channel.WEBHOOK, f"{receiver.url}/{setup.hospital}?e2e")
    )
    try:
        with AmionSimulator(roster=roster, schedule=before, code=CODE) as amion:
            update_hospital(setup.engine, code=setup.hospital, amion_base_url=amion.url)
            imported = schedule_import(
                hospital=setup.hospital,
                ods_path=str(setup.ods_path),
                start_date=today.replace(day=1),
                months=2,
                roster_path=str(setup.roster_path),
                return_state=True,
            )
            assert imported.is_completed()
            unchanged = nightly_refresh(hospital=setup.hospital, return_state=True)  # no change
        with AmionSimulator(roster=roster, schedule=after, code=CODE) as amion:
            update_hospital(setup.engine, code=setup.hospital, amion_base_url=amion.url)
            refreshed = nightly_refresh(hospital=setup.hospital, return_state=True)
        assert unchanged.is_completed() and refreshed.is_completed()

        message = only_message(receiver, setup.hospital)  # none from the unchanged refresh
        assert f"{lost_day:%a} {lost_day.day} {lost_day:%b}" in message.body["text"]
    finally:
        remove_alerts(setup.hospital)
