"""`schedcu refresh` and `schedcu changes` as a coordinator runs them: after Amion lost a shift,
both say which gap opened; a refresh with nothing new says so."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest

from schedcu.amion.simulator import AmionSimulator
from schedcu.examples.amion_month import schedule_for
from tests.cli.conftest import CODE, Cli
from tests.cli.test_import_cli import KEYS

DROPPED = (dt.date(2026, 3, 10), "MidC")
GAP_KEYS = {"study_type", "start", "end", "hours"}


@pytest.fixture
def amion(cli_amion: AmionSimulator) -> Iterator[AmionSimulator]:
    yield cli_amion
    cli_amion.serve_schedule(schedule_for([(2026, 3)]))


def _imported(cli: Cli) -> dict:
    code, report = cli.json(
        "import",
        "--ods", str(cli.ods),
        "--hospital", cli.hospital,
        "--start", "2026-03-01",
        "--roster", str(cli.roster),
        "--amion-url", cli.amion_url,
    )  # fmt: skip
    assert code == 0, report
    return report


def test_refresh_and_changes_name_the_gap_a_dropped_shift_opened(
    cli: Cli, amion: AmionSimulator
) -> None:
    imported = _imported(cli)
    assert imported["changes"] is None
    amion.serve_schedule([e for e in schedule_for([(2026, 3)]) if (e.date, e.position) != DROPPED])

    done = cli.run("refresh", "--hospital", cli.hospital, "--roster", str(cli.roster), "--json")

    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert set(report) >= KEYS | {"changes"}
    assert (report["status"], report["state_name"]) == ("COMPLETED", "Completed")
    assert report["schedule_version_id"] == imported["schedule_version_id"]
    assert report["phases"]["ods_import"]["outcome"] == "skipped"
    changes = report["changes"]
    assert changes["gaps_opened"] and all(set(g) >= GAP_KEYS for g in changes["gaps_opened"])
    assert all(g["start"].startswith("2026-03-10T17:00") for g in changes["gaps_opened"])
    assert (changes["gaps_closed"], changes["gaps_changed"]) == ([], [])
    assert (changes["assignments_added"], changes["assignments_removed"]) == (0, 1)
    assert (changes["shifts_added"], changes["shifts_removed"]) == (0, 0)
    assert CODE not in done.stdout + done.stderr

    code, shown = cli.json("changes", "--hospital", cli.hospital)
    assert code == 0
    assert shown["changes"] == changes
    assert shown["schedule_version_id"] == imported["schedule_version_id"]
    text = cli.run("changes", "--hospital", cli.hospital)
    assert text.returncode == 0
    assert f"What changed for {cli.hospital}" in text.stdout
    assert "Gaps opened" in text.stdout and "Tue 10 Mar 17:00" in text.stdout

    again = cli.run("refresh", "--hospital", cli.hospital, "--roster", str(cli.roster))
    assert again.returncode == 0, again.stderr[-3000:]
    assert "Refresh COMPLETED (Completed)" in again.stdout
    assert "Nothing changed: Amion and the roster are as they were." in again.stdout


def test_bad_requests_get_a_sentence_not_a_traceback(cli: Cli) -> None:
    unknown = cli.run("refresh", "--hospital", cli.hospital)
    assert unknown.returncode == 2
    assert f"no hospital has the code '{cli.hospital}'" in unknown.stderr
    missing = cli.run("refresh", "--hospital", "x", "--roster", "/nonexistent/roster.yaml")
    assert missing.returncode == 2 and "roster" in missing.stderr
    assert "Traceback" not in missing.stderr

    changes = cli.run("changes", "--hospital", cli.hospital)
    assert changes.returncode == 1
    assert changes.stderr.startswith("schedcu: UNKNOWN_HOSPITAL: ")
    bad = cli.run("changes", "--hospital", "Not A Code!")
    assert bad.returncode == 2 and "INVALID_HOSPITAL_CODE" in bad.stderr


def test_changes_before_any_comparison_says_there_is_nothing_to_compare(
    cli: Cli, amion: AmionSimulator
) -> None:
    imported = _imported(cli)
    code, shown = cli.json("changes", "--hospital", cli.hospital)
    assert code == 0 and shown["changes"] is None
    assert shown["schedule_version_id"] == imported["schedule_version_id"]
    text = cli.run("changes", "--hospital", cli.hospital)
    assert "nothing to compare it with" in text.stdout
    wrong = cli.run("changes", "--hospital", cli.hospital, "--version", "999999")
    assert wrong.returncode == 1
    assert wrong.stderr.startswith("schedcu: UNKNOWN_VERSION: ")
