"""`pip install` of the built wheel (not editable) into a new virtual environment works from any
folder: the migrations ship inside the package, and `schedcu db upgrade`, `schedcu ods inspect`
and `schedcu import` run from outside the source tree.

The new environment gets its dependencies from pip's cache or PyPI, as any `pip install` would
(about 45 s on the development machine), hence `slow`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from schedcu.examples.template_ods import write_example_template
from tests.utils.prefect_server import prefect_environment

PROJECT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _run(command: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{command}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin/` of a new virtual environment with the wheel of this checkout installed."""
    build = tmp_path_factory.mktemp("packaging")
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(build), str(PROJECT)],
        cwd=build,
    )
    [wheel] = build.glob("schedcu-*.whl")
    _run([sys.executable, "-m", "venv", str(build / "venv")], cwd=build)
    bin_dir = build / "venv" / "bin"
    _run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], cwd=build)
    return bin_dir


def test_the_wheel_carries_the_migrations_and_not_the_source_tree(installed: Path) -> None:
    where = _run(
        [str(installed / "python"), "-c", "import schedcu.db as d; print(d.MIGRATIONS_DIR)"],
        cwd=installed,
    ).strip()
    migrations = Path(where)
    assert "site-packages" in migrations.parts and not migrations.is_relative_to(PROJECT)
    assert list((migrations / "versions").glob("*.py")), "no migration in the wheel"


def test_db_upgrade_ods_inspect_and_import_work_from_any_folder(
    installed: Path, prefect_server: str, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    template = write_example_template(tmp_path / "template.ods")
    env = prefect_environment(tmp_path / "prefect-home", prefect_server) | {
        "SCHEDCU_HOME": str(tmp_path / "home"),
    }
    schedcu = str(installed / "schedcu")

    assert "up to date" in _run([schedcu, "db", "upgrade"], cwd=elsewhere, env=env)
    inspect = [schedcu, "ods", "inspect", str(template), "--json"]
    inspected = json.loads(_run(inspect, cwd=elsewhere, env=env))
    assert (inspected["layout"], inspected["importable"]) == ("matrix", True)
    _run([schedcu, "hospital", "add", "packaged"], cwd=elsewhere, env=env)
    report = json.loads(
        _run(
            [
                schedcu, "import", "--ods", str(template), "--hospital", "packaged",
                "--start", "2026-03-01", "--json",
            ],
            cwd=elsewhere,
            env=env,
        )
    )  # fmt: skip
    # No Amion address for this hospital: phase 2 fails, the run completes with warnings.
    outcomes = {phase: result["outcome"] for phase, result in report["phases"].items()}
    assert (report["status"], report["state_name"]) == ("COMPLETED", "CompletedWithWarnings")
    assert (outcomes["ods_import"], outcomes["amion_scrape"]) == ("succeeded", "failed"), report
    assert report["counts"]["shift_instances"] > 0
