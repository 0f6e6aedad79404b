"""The commands without a Prefect server: they say so at once with how to have one, and what
needs no Prefect is answered without importing it or starting the temporary server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import SCHEDCU
from tests.utils.prefect_server import prefect_environment

# Runs `schedcu ARGS...` inside one interpreter and prints which of the slow libraries it loaded.
LOADED = """
import sys
from schedcu.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
slow = ("prefect", "sqlalchemy", "pydantic", "pandas", "playwright", "matplotlib", "odf", "lxml")
print(sorted(name for name in slow if name in sys.modules), file=sys.stderr)
"""


def _without_server(tmp_path: Path) -> dict[str, str]:
    env = prefect_environment(tmp_path / "prefect-home")
    for name in (
        "PREFECT_API_URL",
        "PREFECT_API_AUTH_STRING",
        "PREFECT_API_DATABASE_CONNECTION_URL",
    ):
        env.pop(name, None)
    return env | {"SCHEDCU_HOME": str(tmp_path / "home")}


def test_status_without_a_server_nor_any_run_is_idle_at_once(tmp_path: Path) -> None:
    env = _without_server(tmp_path)
    done = subprocess.run(
        [SCHEDCU, "status", "--hospital", "cumc-radiology", "--json"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["status"], report["flow_run_id"]) == ("IDLE", None)
    assert "no Prefect server" in done.stderr and "prefect server start" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    # No temporary server was started: it would have created its database.
    assert not (tmp_path / "prefect-home" / "prefect.db").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["status", "--help"],
        ["import", "--help"],
        ["hospital", "--help"],
        ["coverage", "--help"],
        ["status", "--hospital", "cumc-radiology"],
    ],
    ids=" ".join,
)
def test_help_and_status_without_a_run_load_no_slow_library(
    argv: list[str], tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", LOADED, *argv],
        env=_without_server(tmp_path), cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_a_settings_file_that_may_name_a_server_leaves_the_decision_to_prefect(
    tmp_path: Path,
) -> None:
    """A profile naming a server: no fast IDLE and no 'no server' line, Prefect decides (here it
    finds nothing listening and says so with its coded sentence)."""
    env = _without_server(tmp_path)
    home = tmp_path / "prefect-home"
    home.mkdir()
    (home / "profiles.toml").write_text(
        'active = "here"\n[profiles.here]\nPREFECT_API_URL = "http://127.0.0.1:9/api"\n'
    )
    done = subprocess.run(
        [SCHEDCU, "status", "--hospital", "cumc-radiology"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert "PREFECT_UNREACHABLE" in done.stderr and "no Prefect server is set" not in done.stderr


def test_a_temporary_server_that_does_not_start_in_time_gets_a_coded_sentence(
    tmp_path: Path,
) -> None:
    """Runs were recorded here (the temporary server's database exists), so `status` starts the
    temporary server; given no time to start, it is refused with a sentence, not a traceback."""
    env = _without_server(tmp_path) | {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "0"}
    (tmp_path / "prefect-home").mkdir(exist_ok=True)
    (tmp_path / "prefect-home" / "prefect.db").touch()
    done = subprocess.run(
        [SCHEDCU, "status", "--hospital", "cumc-radiology"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "schedcu: PREFECT_UNREACHABLE: The temporary Prefect server did not start" in (
        done.stderr
    )
    assert "Traceback" not in done.stderr
