"""`schedcu hospital list|update`, `schedcu examples write` and the simulator it feeds, as a
coordinator trying schedcu offline would use them."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from schedcu.amion.roster import load_roster
from schedcu.amion.schedule_file import load_schedule
from schedcu.examples.amion_month import months_from, schedule_for
from schedcu.examples.data import HOSPITAL_CODE
from schedcu.ods.parse import parse_template
from tests.cli.conftest import SCHEDCU, Cli
from tests.utils.processes import stop_process_group


def test_hospital_list_and_update_change_only_what_is_given(cli: Cli) -> None:
    assert cli.run("hospital", "list").stdout.startswith("No hospitals yet")
    cli.run("hospital", "add", cli.hospital, "--name", "Old Name", "--amion-url", cli.amion_url)
    moved = cli.run("hospital", "update", cli.hospital, "--amion-url", "https://amion.example/")
    assert moved.returncode == 0, moved.stderr
    code, listed = cli.json("hospital", "list")
    assert code == 0
    assert listed == [
        {
            "code": cli.hospital,
            "name": "Old Name",  # untouched: only the address was given
            "timezone": "America/New_York",
            "amion_base_url": "https://amion.example",
        }
    ]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["update", "no-such-hospital", "--name", "X"], "UNKNOWN_HOSPITAL"),
        (["update", "{hospital}"], "NOTHING_TO_UPDATE"),
        (["update", "{hospital}", "--amion-url", "ftp://amion"], "INVALID_AMION_URL"),
        (["update", "{hospital}", "--timezone", "Mars/Olympus"], "UNKNOWN_TIMEZONE"),
    ],
)
def test_hospital_update_refuses_with_a_code_and_changes_nothing(
    cli: Cli, args: list[str], code: str
) -> None:
    cli.run("hospital", "add", cli.hospital, "--amion-url", cli.amion_url)
    done = cli.run("hospital", *(a.format(hospital=cli.hospital) for a in args))
    assert done.returncode == 1
    assert f"schedcu: {code}: " in done.stderr and "Traceback" not in done.stderr
    [hospital] = cli.json("hospital", "list")[1]
    assert (hospital["amion_base_url"], hospital["timezone"]) == (
        cli.amion_url,
        "America/New_York",
    )


def test_examples_write_gives_a_template_roster_and_schedule_that_work(
    cli: Cli, tmp_path: Path
) -> None:
    folder = tmp_path / "new" / "examples"
    done = cli.run("examples", "write", str(folder), "--start", "2026-03-01", "--months", "2")
    assert done.returncode == 0, done.stderr
    template, _messages = parse_template(folder / "example-template.ods")
    assert template.layout.value == "matrix" and template.sheets
    assert load_roster(folder / "example-roster.yaml").hospital == HOSPITAL_CODE
    schedule = load_schedule(folder / "example-schedule.csv")
    assert schedule == schedule_for(months_from(dt.date(2026, 3, 1), 2))
    assert str(folder / "example-template.ods") in done.stdout  # says where it wrote


def _start_simulator(cli: Cli, folder: Path) -> tuple[subprocess.Popen[str], str]:
    """The simulator as a shell's background job starts it: SIGINT ignored."""
    cli.run("examples", "write", str(folder), "--start", "2026-03-01")
    command = [SCHEDCU, "amion-sim", "--port", "0"]
    command += ["--roster", str(folder / "example-roster.yaml")]
    command += ["--schedule", str(folder / "example-schedule.csv")]
    process = subprocess.Popen(
        command,
        env=cli.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert "serving on" in line, line
    return process, line.split("serving on ", 1)[1].split()[0]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_the_simulator_stops_on_sigint_and_sigterm_even_in_the_background(
    cli: Cli, tmp_path: Path, signum: signal.Signals
) -> None:
    process, url = _start_simulator(cli, tmp_path / "examples")
    try:
        assert httpx.get(url, timeout=10).status_code == 200
        process.send_signal(signum)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            stop_process_group(process, timeout=5)
    assert process.returncode == 0, err
    assert "Amion simulator stopped." in out


def test_examples_write_into_a_folder_it_cannot_make_says_so(cli: Cli, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = cli.run("examples", "write", str(blocker / "examples"))
    assert done.returncode == 1
    assert "schedcu: EXAMPLES_NOT_WRITTEN: " in done.stderr and "Traceback" not in done.stderr
