"""A hostile hospital code is refused at every CLI door that takes one (`import --hospital`,
`refresh --hospital`, `status --hospital`, `changes --hospital`, `hospital add CODE`,
`hospital update CODE`; `coverage` takes version ids,
`hospital list` nothing): a usage error (exit 2) with INVALID_HOSPITAL_CODE, before any
database, Prefect or file work."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from schedcu.cli import main
from tests.cli.conftest import Cli
from tests.utils.hostile_codes import ARGV_CODES, HOSTILE_CODES

# `--hospital=CODE` and `-- CODE`, so that a code starting with a dash reaches the check too.
DOORS = {
    "import": lambda code, ods: [
        "import", "--ods", str(ods), f"--hospital={code}", "--start", "2026-03-01",
        "--amion-url", "http://127.0.0.1:9",
    ],
    "refresh": lambda code, _ods: ["refresh", f"--hospital={code}", "--json"],
    "status": lambda code, _ods: ["status", f"--hospital={code}", "--json"],
    "changes": lambda code, _ods: ["changes", f"--hospital={code}", "--json"],
    "hospital-add": lambda code, _ods: ["hospital", "add", "--", code],
    "hospital-update": lambda code, _ods: ["hospital", "update", "--name", "X", "--", code],
}  # fmt: skip


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("code", HOSTILE_CODES.values(), ids=HOSTILE_CODES.keys())
def test_every_door_refuses_the_code_before_doing_anything(
    door: str, code: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ods = tmp_path / "template.ods"
    ods.write_bytes(b"never read")
    with pytest.raises(SystemExit) as exited:
        main(DOORS[door](code, ods))
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "INVALID_HOSPITAL_CODE" in err and "Traceback" not in err
    assert not (tmp_path / "home").exists()  # no database, no reports folder


@pytest.mark.parametrize("door", DOORS)
def test_the_installed_command_refuses_a_path_in_the_code(cli: Cli, door: str) -> None:
    done = cli.run(*DOORS[door](ARGV_CODES["parent-folder"], cli.ods))
    assert done.returncode == 2, done.stderr
    assert "INVALID_HOSPITAL_CODE" in done.stderr and "'../x'" in done.stderr
    assert done.stdout == ""
    database = cli.env["SCHEDCU_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM hospital").fetchone() == (0,)
