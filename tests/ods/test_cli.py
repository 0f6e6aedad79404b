"""`schedcu ods inspect FILE [--json]` as a coordinator runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from schedcu.cli import main
from tests.ods.hostile import HOSTILE

KEYS = {"layout", "sheets", "study_types", "positions", "validation"}


def test_real_template_json(real_template_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ods", "inspect", str(real_template_path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= KEYS
    assert report["layout"] == "matrix"
    assert len(report["sheets"]) == 12
    assert len(report["study_types"]) == 23
    assert len(report["positions"]) == 9
    first = report["sheets"][0]
    assert first["name"] == "Mid Weekday Body 5 - 6 pm"
    assert (first["category"], first["day_type"], first["scenario"]) == ("Mid", "Weekday", "Body")
    assert (first["start"], first["end"]) == ("17:00", "18:00")
    assert first["positions"] == ["Mid Body", "Mid Neuro", "Mid3"]
    [message] = report["validation"]
    assert set(message) >= {"severity", "code", "message", "location"}
    assert message["code"] == "EXTRA_GRID_BLOCK"
    assert message["location"] == "'Mid Weekend Neuro 5 pm - 12 am'!U1:X24"


def test_real_template_text(real_template_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ods", "inspect", str(real_template_path)]) == 0
    out = capsys.readouterr().out
    assert "matrix layout" in out
    assert "'Mid  12am-1am': Mid, every day, 00:00-01:00" in out
    assert "23 study types" in out
    assert "WARNING EXTRA_GRID_BLOCK" in out
    assert "can be imported" in out


@pytest.mark.parametrize("case", ["random_bytes", "xlsx_renamed", "zip_bomb_2gb"])
def test_refused_file_gives_json_and_exit_1(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = HOSTILE[case][0](tmp_path / f"{case}.ods")
    assert main(["ods", "inspect", str(path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= KEYS
    assert report["layout"] is None
    assert [(m["severity"], m["code"]) for m in report["validation"]] == [
        ("ERROR", HOSTILE[case][1])
    ]


def test_refused_file_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = HOSTILE["encrypted_ods"][0](tmp_path / "locked.ods")
    assert main(["ods", "inspect", str(path)]) == 1
    out = capsys.readouterr().out
    assert "ERROR ENCRYPTED_ODS: The spreadsheet is password-protected" in out
    assert "cannot be imported" in out


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ods", "inspect", str(tmp_path / "nope.ods"), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["validation"][0]["code"] == "NOT_ODS"


HEAVY = ("prefect", "pandas", "playwright", "sqlalchemy", "sqlmodel", "matplotlib")


@pytest.mark.parametrize("command", [["ods", "inspect", "REAL", "--json"], ["--help"]])
def test_light_commands_import_nothing_heavy(real_template_path: Path, command: list[str]) -> None:
    """Start-up time: no Prefect, pandas, Playwright or even SQLAlchemy for a quick check."""
    argv = [str(real_template_path) if part == "REAL" else part for part in command]
    script = (
        "import sys, io, contextlib\n"
        "from schedcu.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        code = main({argv!r})\n"
        "    except SystemExit as exit:\n"
        "        code = exit.code\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
        "print(code, heavy)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "0 []"


def test_flat_file_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.ods.builders import content_xml, sheet_xml, write_ods

    rows = [
        ["Date", "ShiftType", "RequiredStaffing", "SpecialtyConstraint", "StudyType"],
        ["2026-03-02", "ON1", "1", None, "CT"],
        ["2026-03-02", "Mid 3", "1", None, "US"],
        ["not a date", "ON1", "1", None, "CT"],
    ]
    path = write_ods(tmp_path / "flat.ods", content_xml([sheet_xml("Shifts", rows)]))
    assert main(["ods", "inspect", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["layout"], report["shifts"]) == ("flat", 2)
    assert report["positions"] == ["ON1", "Mid 3"]
    assert report["study_types"] == ["CT", "US"]
    assert [(m["code"], m["location"]) for m in report["validation"]] == [
        ("INVALID_DATE", "'Shifts'!A4")
    ]


def test_a_reader_that_leaves_early_gets_no_traceback(real_template_path: Path) -> None:
    """`schedcu ods inspect template.ods | head -1`: the pipe closes before the report is out."""
    process = subprocess.Popen(
        [sys.executable, "-m", "schedcu", "ods", "inspect", str(real_template_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before schedcu writes a byte
    with process.stderr:
        errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert "Traceback" not in errors and "BrokenPipeError" not in errors
