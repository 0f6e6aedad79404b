"""`schedcu version list|show|promote` on SQLite and PostgreSQL: what a coordinator reads, the
JSON a script reads, and every refusal a coded sentence with its exit code (2 for a usage error,
1 for a refused promotion), nothing written."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from schedcu.cli import main
from schedcu.config import get_settings
from schedcu.db import get_engine, transaction
from schedcu.models import VersionStatusChange
from tests.utils.builders import make_hospital, make_version

Run = Callable[..., tuple[int, str, str]]
MARCH = {"effective_start": dt.date(2026, 3, 1), "effective_end": dt.date(2026, 3, 31)}
MID = {"effective_start": dt.date(2026, 3, 15), "effective_end": dt.date(2026, 4, 14)}


@pytest.fixture
def run(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Run]:
    """`schedcu` in this process; the process-wide engine's connections closed afterwards."""
    monkeypatch.setenv("SCHEDCU_DATABASE_URL", db_url)
    get_settings.cache_clear()

    def run(*args: str) -> tuple[int, str, str]:
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse's usage errors
            code = int(exit_.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    yield run
    get_engine(get_settings()).dispose()


@pytest.fixture
def hospital(db_engine: Engine) -> tuple[str, int, int]:
    """A hospital with a March version and one from mid-March to mid-April, both DRAFT."""
    with transaction(db_engine) as session:
        made = make_hospital(session)
        march = make_version(session, made, source_filename="march.ods", created_by="ann", **MARCH)
        mid = make_version(session, made, source_filename="mid.ods", **MID)
        assert march.id and mid.id
        return made.code, march.id, mid.id


def _history(engine: Engine) -> list[tuple[int, str, str]]:
    with Session(engine) as session:
        rows = session.exec(select(VersionStatusChange).order_by(VersionStatusChange.id))
        return [(r.version_id, r.to_status.value, r.changed_by) for r in rows]


def test_list_show_and_promote_as_a_coordinator_reads_them(
    run: Run, hospital: tuple[str, int, int]
) -> None:
    code, march, mid = hospital
    status, out, _ = run("version", "list", "--hospital", code)
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split()[:2] == [str(mid), "DRAFT"] and "mid.ods" in lines[0]
    assert "2026-03-01 to 2026-03-31" in lines[1] and "by ann" in lines[1]

    status, out, _ = run("version", "promote", str(march), "--by", "ann", "--reason", "March")
    assert (status, out) == (
        0,
        f"Version {march} of {code} (2026-03-01 to 2026-03-31) is ACTIVE.\n",
    )
    status, out, _ = run("version", "promote", str(mid), "--by", "bob")
    assert status == 0
    assert (
        f"archived version {march}" in out
        and "no ACTIVE version now for 2026-03-01 to 2026-03-14" in out
    )

    status, out, _ = run("version", "show", str(march))
    assert status == 0
    assert out.splitlines()[0] == f"Version {march} of {code}: ARCHIVED"
    assert "DRAFT -> ACTIVE  by ann: March" in out
    assert f"ACTIVE -> ARCHIVED  by bob: Replaced by version {mid}." in out


def test_the_json_of_list_show_and_promote(run: Run, hospital: tuple[str, int, int]) -> None:
    code, march, mid = hospital
    status, out, _ = run("version", "promote", str(march), "--by", "ann", "--json")
    promoted = json.loads(out)
    assert status == 0
    assert (promoted["version_id"], promoted["status"], promoted["previous_status"]) == (
        march,
        "ACTIVE",
        "DRAFT",
    )
    assert promoted["archived"] == [] and promoted["uncovered"] == []

    status, out, _ = run("version", "list", "--hospital", code, "--json")
    listed = json.loads(out)
    assert status == 0 and [(v["id"], v["status"]) for v in listed] == [
        (mid, "DRAFT"),
        (march, "ACTIVE"),
    ]
    assert listed[1]["status_changed_by"] == "ann" and listed[0]["history"] == []

    status, out, _ = run("version", "show", str(march), "--json")
    shown = json.loads(out)
    assert status == 0 and shown["hospital"] == code
    assert (shown["effective_start"], shown["effective_end"]) == ("2026-03-01", "2026-03-31")
    [change] = shown["history"]
    assert (change["from"], change["to"], change["by"], change["reason"]) == (
        "DRAFT",
        "ACTIVE",
        "ann",
        None,
    )


@pytest.mark.parametrize(
    ("args", "exit_code", "error_code"),
    [
        (["promote", "{march}", "--by", "ann"], 1, "VERSION_ALREADY_ACTIVE"),
        (["promote", "987654", "--by", "ann"], 1, "NO_VERSION"),
        (["show", "987654"], 1, "NO_VERSION"),
        (["list", "--hospital", "no-such-hospital"], 1, "UNKNOWN_HOSPITAL"),
        (["list", "--hospital", "../x"], 2, "INVALID_HOSPITAL_CODE"),
        (["promote", "0", "--by", "ann"], 2, "NO_VERSION"),
        (["promote", "{mid}", "--by", ""], 2, "INVALID_USER_ID"),
        (["promote", "{mid}", "--by", "u" * 201], 2, "INVALID_USER_ID"),
        (["promote", "{mid}", "--by", "ann\nroot"], 2, "INVALID_USER_ID"),
        (
            ["promote", "{mid}", "--by", "00000000-0000-0000-0000-000000000000"],
            2,
            "INVALID_USER_ID",
        ),
        (["promote", "{mid}", "--by", "ann", "--reason", "r" * 1001], 2, "INVALID_REASON"),
        (["promote", "{mid}", "--by", "ann", "--reason", "a\x00b"], 2, "INVALID_REASON"),
    ],
)
def test_a_refusal_is_a_coded_sentence_and_writes_nothing(
    run: Run,
    db_engine: Engine,
    hospital: tuple[str, int, int],
    args: list[str],
    exit_code: int,
    error_code: str,
) -> None:
    _, march, mid = hospital
    assert run("version", "promote", str(march), "--by", "ann")[0] == 0
    before = _history(db_engine)
    status, out, err = run("version", *[a.format(march=march, mid=mid) for a in args])
    assert (status, out) == (exit_code, "")
    assert error_code in err and "Traceback" not in err and len(err) < 600
    assert _history(db_engine) == before


def test_promote_needs_who_promotes(run: Run, hospital: tuple[str, int, int]) -> None:
    status, _, err = run("version", "promote", str(hospital[1]))
    assert status == 2 and "--by" in err


def test_the_version_commands_do_not_load_prefect(db_url: str, tmp_path: object) -> None:
    """Start-up time: a version command imports the database layer, not Prefect."""
    probe = (
        "import sys; from schedcu.cli import main; "
        "main(['version', 'list', '--hospital', 'no-such-hospital']); "
        "print('prefect' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={"SCHEDCU_DATABASE_URL": db_url, "SCHEDCU_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip() == "False", done.stderr
