"""Every fault of the Amion simulator through the whole of phase 2 (real Chromium, real client,
`scrape_version`: download, then store), and the simulator killed while an export is on its way.

Each fault must be classified right (transient: the task retries it; permanent: it does not),
store no assignment (only the FAILED ScrapeBatch that records it), and carry evidence with the
access code masked. A transient fault gone, the next attempt stores the month exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from schedcu.amion.simulator import AmionSimulator
from schedcu.amion.store import ScrapeOutcome, scrape_version
from schedcu.db import create_db_engine
from schedcu.errors import (
    AmionBadCode,
    AmionError,
    AmionLoginFailed,
    AmionTransient,
    AmionUnexpectedResponse,
    is_transient,
)
from schedcu.examples.amion_month import example_roster, schedule_for
from tests.amion.conftest import fast_settings
from tests.reliability.conftest import CODE, MONTHS, Phases, new_phases
from tests.utils.prefect_server import prefect_environment

REPO = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KILL_DELAY_S = 5.0


@pytest.fixture(scope="module")
def simulator() -> Iterator[AmionSimulator]:
    with AmionSimulator(roster=example_roster(), schedule=schedule_for(MONTHS), code=CODE) as sim:
        yield sim


@pytest.fixture
def amion(simulator: AmionSimulator) -> Iterator[AmionSimulator]:
    simulator.reset()
    yield simulator
    simulator.reset()


@pytest.fixture
def phases(sqlite_template: Path, tmp_path: Path) -> Iterator[Phases]:
    path = tmp_path / "schedcu.db"
    path.write_bytes(sqlite_template.read_bytes())
    engine = create_db_engine(f"sqlite:///{path}")
    yield new_phases(engine, tmp_path)
    engine.dispose()


def scrape(
    chromium: str,
    engine: Engine,
    version_id: int,
    url: str,
    code: str = CODE,
    **settings: object,
) -> ScrapeOutcome:
    return scrape_version(
        engine=engine,
        version_id=version_id,
        code=code,
        settings=fast_settings(chromium_cdp_url=chromium, **settings),
        base_url=url,
    )


def assert_masked(error: AmionError) -> None:
    """No spelling of the code in the error, its chain or its evidence, whose HTML is the page
    the screenshot was taken of (its DOM at that moment); a screenshot of it was taken."""
    texts = ["".join(traceback.format_exception(error)), repr(error), str(error.location)]
    evidence = error.evidence
    assert evidence is not None, "a failed scrape keeps evidence for the coordinator"
    texts += [str(evidence.url), evidence.html or ""]
    assert all(CODE not in text for text in texts)
    assert evidence.screenshot_png is not None
    assert evidence.screenshot_png.startswith(PNG_SIGNATURE)
    assert evidence.html is not None and "<body>" in evidence.html
    if evidence.url is not None and "Lo=" in evidence.url:
        assert "Lo=***" in evidence.url


FAULTS = [
    pytest.param({"fail_first": 1}, AmionTransient, id="503-front-page"),
    pytest.param({"fail_first": 1, "scope": "export"}, AmionTransient, id="503-export"),
    pytest.param({"hold_exports": True}, AmionTransient, id="unanswered-beyond-timeout"),
    pytest.param({"truncate": True}, AmionTransient, id="truncated-export"),
    pytest.param(
        {"html_instead": True, "echo_code": True}, AmionUnexpectedResponse, id="html-instead"
    ),
    pytest.param({"wrong_code": True}, AmionBadCode, id="no-file"),
]


@pytest.mark.parametrize(("switches", "expected"), FAULTS)
def test_each_fault_is_classified_stores_nothing_and_is_masked(
    amion: AmionSimulator,
    chromium: str,
    phases: Phases,
    switches: dict[str, object],
    expected: type[AmionError],
) -> None:
    version_id = phases.import_schedule().version_id
    amion.configure(**switches)
    timeout = {"amion_timeout_s": 0.3} if "hold_exports" in switches else {}

    with pytest.raises(AmionError) as caught:
        scrape(chromium, phases.engine, version_id, amion.url, **timeout)

    error = caught.value
    assert type(error) is expected, f"{type(error).__name__}: {error}"
    assert is_transient(error) is (expected is AmionTransient)
    after = phases.counts()
    assert (after["assignments"], after["persons"], after["batches"]) == (0, 0, ["FAILED"])
    assert_masked(error)

    if expected is AmionTransient:  # what the task's retry does once the fault is gone
        if "fail_first" not in switches:  # the 503 count is used up by the first attempt
            amion.reset()
        outcome = scrape(chromium, phases.engine, version_id, amion.url)
        after = phases.counts()
        assert after["batches"] == ["COMPLETE", "FAILED"]
        assert after["assignments"] == outcome.assignment_count > 0


def test_a_refused_access_code_is_permanent_stores_nothing_and_is_masked(
    amion: AmionSimulator, chromium: str, phases: Phases
) -> None:
    version_id = phases.import_schedule().version_id
    with pytest.raises(AmionLoginFailed) as caught:
        scrape(chromium, phases.engine, version_id, amion.url, code=CODE[::-1])
    assert not is_transient(caught.value)
    assert phases.counts()["batches"] == ["FAILED"] and phases.counts()["assignments"] == 0
    assert CODE[::-1] not in "".join(traceback.format_exception(caught.value))


def test_the_tab_separated_export_is_stored_like_the_csv_one(
    amion: AmionSimulator, chromium: str, phases: Phases
) -> None:
    version_id = phases.import_schedule().version_id
    csv = scrape(chromium, phases.engine, version_id, amion.url)
    amion.configure(tab_separated=True)
    tab = scrape(chromium, phases.engine, version_id, amion.url)
    assert tab.assignment_count == csv.assignment_count > 0
    assert phases.counts()["assignments"] == csv.assignment_count


@pytest.mark.slow
def test_amion_killed_during_an_export_is_transient_and_stores_nothing(
    chromium: str, phases: Phases, tmp_path: Path
) -> None:
    """The simulator's process is SIGKILLed while it holds an export request open."""
    env = prefect_environment(tmp_path / "prefect-home") | {"SCHEDCU_AMION_CODE": CODE}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.amion_process", str(KILL_DELAY_S)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        version_id = phases.import_schedule().version_id

        def kill_when_in_flight() -> None:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "EXPORT IN FLIGHT"
            os.killpg(process.pid, signal.SIGKILL)

        killer = threading.Thread(target=kill_when_in_flight)
        killer.start()
        with pytest.raises(AmionError) as caught:
            scrape(chromium, phases.engine, version_id, url, amion_timeout_s=KILL_DELAY_S * 4)
        killer.join(timeout=10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()

    assert process.returncode == -signal.SIGKILL
    error = caught.value
    assert type(error) is AmionTransient, f"{type(error).__name__}: {error}"
    assert error.location == "Amion 2026-03"
    after = phases.counts()
    assert (after["assignments"], after["batches"]) == (0, ["FAILED"])
    assert_masked(error)
