"""The Amion simulator over plain HTTP: the contract of AMION.md, its switches and its CLI."""

from __future__ import annotations

import datetime as dt
import html
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from schedcu.amion.export import ExportRow, parse_export
from schedcu.amion.schedule_file import ScheduleEntry
from schedcu.amion.simulator import AmionSimulator
from schedcu.examples.amion_month import example_roster, write_roster, write_schedule_file
from tests.amion.conftest import CODE, TZ
from tests.utils.prefect_server import free_port


@contextmanager
def logged_in(amion: AmionSimulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=amion.url, timeout=10) as client:
        response = client.post("/cgi-bin/ocs", data={"Login": CODE}, follow_redirects=True)
        assert response.status_code == 200 and 'type="password"' not in response.text
        yield client


def export(client: httpx.Client, month: int = 3, code: str = CODE) -> httpx.Response:
    return client.get("/cgi-bin/ocs", params={"Lo": code, "Rpt": 619, "Month": month, "Year": 2026})


def test_front_page_login_and_export(amion: AmionSimulator) -> None:
    front = httpx.get(amion.url)
    assert 'type="password"' in front.text and "<form" in front.text
    with logged_in(amion) as client:
        assert "amion_session" in client.cookies
        text = export(client).text
    lines = text.splitlines()
    assert lines[2].startswith("Field 1")
    assert lines[3].startswith('"') and ", " in lines[3].split('",')[0]
    rows, validation = parse_export(text, year=2026, month=3, day_start=dt.time(8), tz=TZ)
    assert rows and not validation.messages
    assert {row.end.hour for row in rows if row.position == "MidC" and row.end} == {0}
    assert any(",1700,0" in line for line in lines)


def test_a_wrong_code_gets_no_file_and_a_wrong_login_the_front_page(amion: AmionSimulator) -> None:
    with logged_in(amion) as client:
        assert export(client, code="nope").text.strip() == "NOFI=No file"
    refused = httpx.post(f"{amion.url}/cgi-bin/ocs", data={"Login": "nope"})
    assert "not valid" in refused.text and 'type="password"' in refused.text


def test_an_export_without_a_session_is_the_front_page(amion: AmionSimulator) -> None:
    with httpx.Client(base_url=amion.url) as client:
        assert 'type="password"' in export(client).text


def test_a_schedule_served_anew_shows_in_the_next_export() -> None:
    march = dt.date(2026, 3, 10)
    first = ScheduleEntry(march, "MidC", "Lee, Ann", "1700", "0")
    second = ScheduleEntry(march, "MidL", "Chen, Bo", "1700", "0")
    simulator = AmionSimulator(roster=example_roster(), schedule=[first, second], code=CODE)
    with simulator as amion, logged_in(amion) as client:
        before = [r.position for r in _rows(export(client).text)]
        amion.serve_schedule([second])  # someone dropped Ann's MidC in Amion
        after = [r.position for r in _rows(export(client).text)]
    assert (before, after) == (["MidC", "MidL"], ["MidL"])


def _rows(text: str) -> list[ExportRow]:
    return parse_export(text, year=2026, month=3, day_start=dt.time(8), tz=TZ)[0]


def test_switches_change_answers_at_run_time(amion: AmionSimulator) -> None:
    with logged_in(amion) as client:
        amion.configure(fail_first=2, scope="export")
        assert [export(client).status_code for _ in range(3)] == [503, 503, 200]
        amion.configure(html_instead=True)
        assert "<title>Amion - Scheduled maintenance</title>" in export(client).text
        amion.configure(html_instead=False, tab_separated=True)
        assert "\t" in export(client).text
        amion.configure(truncate=True)
        with pytest.raises(httpx.RemoteProtocolError):
            export(client)
    amion.reset()
    amion.configure(delay=0.3)
    started = time.monotonic()
    httpx.get(amion.url)
    assert time.monotonic() - started >= 0.3


def test_held_exports_stay_in_flight_until_let_go_and_each_request_is_recorded(
    amion: AmionSimulator,
) -> None:
    amion.configure(hold_exports=True)
    with logged_in(amion) as client, ThreadPoolExecutor(max_workers=2) as pool:
        held = [pool.submit(export, client, month) for month in (3, 4)]
        assert amion.wait_for_exports_in_flight(2, timeout=30)
        assert not any(future.done() for future in held)  # held: nothing can have answered
        amion.configure(hold_exports=False)
        assert [future.result().status_code for future in held] == [200, 200]
    served = amion.requests
    assert sorted(r.kind for r in served) == ["export", "export", "login", "page"]
    login = next(r for r in served if r.kind == "login")
    assert all(login.ended <= r.started <= r.ended for r in served if r.kind == "export")
    assert amion.max_exports_in_flight == 2


def test_error_pages_can_repeat_the_code_they_were_sent(amion: AmionSimulator) -> None:
    amion.configure(echo_code=True, html_instead=True)
    refused = httpx.post(f"{amion.url}/cgi-bin/ocs", data={"Login": "nope"})
    assert "The access code nope you entered is not valid" in refused.text
    with logged_in(amion) as client:
        assert f"Lo={CODE}&Rpt=619" in html.unescape(export(client).text)


def test_many_concurrent_requests_are_all_served(amion: AmionSimulator) -> None:
    limits = httpx.Limits(max_connections=64)
    with (
        logged_in(amion) as login,
        httpx.Client(
            base_url=amion.url, cookies=login.cookies, limits=limits, timeout=30
        ) as client,
        ThreadPoolExecutor(max_workers=64) as pool,
    ):
        statuses = list(
            pool.map(lambda n: export(client, month=n % 12 + 1).status_code, range(192))
        )
    assert statuses == [200] * 192


def test_the_code_is_never_logged(amion: AmionSimulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="schedcu.amion.simulator")
    with logged_in(amion) as client:
        export(client)
        export(client, code="wrong")
    assert "Lo=***" in caplog.text and CODE not in caplog.text and "wrong" not in caplog.text


def test_the_command_line_serves_files(tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "roster.yaml")
    schedule = write_schedule_file(tmp_path / "schedule.csv", [(2026, 3)])
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEDCU_")}
    env["SCHEDCU_AMION_CODE"] = CODE
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "schedcu",
            "amion-sim",
            "--port",
            str(port),
            "--roster",
            str(roster),
            "--schedule",
            str(schedule),
            "--fail-first",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert f"http://127.0.0.1:{port}" in banner and CODE not in banner
        url = f"http://127.0.0.1:{port}"
        assert httpx.get(url).status_code == 503
        with httpx.Client(base_url=url) as client:
            client.post("/cgi-bin/ocs", data={"Login": CODE}, follow_redirects=True)
            text = export(client).text
        assert text.count("\n") > 100
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert CODE not in output


def test_a_port_in_use_is_a_clear_error(amion: AmionSimulator, tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "roster.yaml")
    schedule = write_schedule_file(tmp_path / "schedule.csv", [(2026, 3)])
    port = amion.url.rsplit(":", 1)[1]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "schedcu",
            "amion-sim",
            "--port",
            port,
            "--roster",
            str(roster),
            "--schedule",
            str(schedule),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "INVALID_INPUT" in result.stderr and "another --port" in result.stderr
    assert "Traceback" not in result.stderr
