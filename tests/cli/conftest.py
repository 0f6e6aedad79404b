"""CLI fixtures: `schedcu` run as a separate process against the session's Prefect server, a
migrated SQLite database and the session's Amion simulator."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from schedcu.amion.simulator import AmionSimulator
from schedcu.examples.amion_month import example_roster, schedule_for
from schedcu.examples.template_ods import write_example_template
from tests.utils.prefect_server import prefect_environment

CODE = "Kc4-cli-s3cret-19"
SCHEDCU = str(Path(sys.executable).parent / "schedcu")


@pytest.fixture(scope="session")
def cli_amion() -> Iterator[AmionSimulator]:
    with AmionSimulator(
        roster=example_roster(), schedule=schedule_for([(2026, 3)]), code=CODE
    ) as simulator:
        yield simulator


@dataclass
class Cli:
    env: dict[str, str]
    hospital: str
    ods: Path
    roster: Path
    amion_url: str

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [SCHEDCU, *args], env=self.env, capture_output=True, text=True, timeout=300
        )

    def json(self, *args: str) -> tuple[int, dict]:
        done = self.run(*args, "--json")
        return done.returncode, json.loads(done.stdout)


@pytest.fixture
def cli(
    prefect_server: str,
    cli_amion: AmionSimulator,
    sqlite_template: Path,
    tmp_path: Path,
) -> Cli:
    database = tmp_path / "schedcu.db"
    shutil.copyfile(sqlite_template, database)
    hospital = f"cli-{uuid.uuid4().hex[:8]}"
    env = prefect_environment(tmp_path / "prefect-home", prefect_server) | {
        "SCHEDCU_HOME": str(tmp_path / "home"),
        "SCHEDCU_DATABASE_URL": f"sqlite:///{database}",
        "SCHEDCU_AMION_CODE": CODE,
        "SCHEDCU_AMION_REQUESTS_PER_SECOND": "0",
    }
    return Cli(
        env=env,
        hospital=hospital,
        ods=write_example_template(tmp_path / "template.ods"),
        roster=replace(example_roster(), hospital=hospital).dump(tmp_path / "roster.yaml"),
        amion_url=cli_amion.url,
    )
