"""Reliability fixtures: a PostgreSQL engine, the three phases as plain calls, and row counts.

`Phases` runs the domain functions of the import flow (phase 1 `import_schedule`, phase 2
`store_assignments` on exports rendered by the Amion simulator, phase 3 `recalculate`) against one
database, so a test can break one phase and check what each left behind with `counts`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from schedcu.amion.client import MonthExport
from schedcu.amion.simulator import AmionSimulator
from schedcu.amion.store import ScrapeOutcome, store_assignments
from schedcu.config import Settings
from schedcu.coverage.service import CoverageOutcome, recalculate
from schedcu.db import create_db_engine
from schedcu.examples.amion_month import example_roster, schedule_for
from schedcu.examples.template_ods import write_example_template
from schedcu.hospitals import add_hospital
from schedcu.models import (
    Assignment,
    CoverageCalculation,
    CoverageRow,
    Hospital,
    Person,
    ScheduleVersion,
    ScrapeBatch,
    ShiftInstance,
)
from schedcu.ods.importer import ImportOutcome, import_schedule
from tests.utils.databases import truncate_all

START = dt.date(2026, 3, 1)
MONTHS = [(2026, 3)]
CODE = "Rl7-fault-s3cret-88"


def month_exports(months: list[tuple[int, int]] = MONTHS) -> list[MonthExport]:
    """The example department's Amion exports as the simulator renders them (no network)."""
    simulator = AmionSimulator(roster=example_roster(), schedule=schedule_for(months), code=CODE)
    exports = []
    for year, month in months:
        body = simulator.export_text(year, month)
        exports.append(
            MonthExport(
                year=year,
                month=month,
                text=body.decode(),
                url=f"http://127.0.0.1/cgi-bin/ocs?Lo=***&Rpt=619&Month={month}&Year={year}",
                sha256=hashlib.sha256(body).hexdigest(),
            )
        )
    return exports


@dataclass
class Phases:
    """The three phases for one new hospital, the example template and March 2026."""

    engine: Engine
    hospital: str
    ods_path: Path
    settings: Settings

    def import_schedule(self) -> ImportOutcome:
        return import_schedule(
            engine=self.engine,
            hospital_code=self.hospital,
            ods_path=self.ods_path,
            start=START,
            months=1,
            settings=self.settings,
        )

    def store_assignments(self, version_id: int) -> ScrapeOutcome:
        return store_assignments(
            engine=self.engine,
            version_id=version_id,
            exports=month_exports(),
            roster=None,
            settings=self.settings,
        )

    def recalculate(self, version_id: int) -> CoverageOutcome:
        return recalculate(engine=self.engine, version_id=version_id, settings=self.settings)

    def counts(self) -> dict[str, object]:
        return counts(self.engine, self.hospital)


def counts(engine: Engine, hospital: str) -> dict[str, object]:
    """What the hospital has in the database, phase by phase."""
    with engine.connect() as connection:

        def number(query: sa.Select) -> int:
            return connection.execute(query).scalar_one()

        hospital_id = sa.select(Hospital.id).where(Hospital.code == hospital).scalar_subquery()
        versions = sa.select(ScheduleVersion.id).where(ScheduleVersion.hospital_id == hospital_id)
        calculations = sa.select(CoverageCalculation.id).where(
            CoverageCalculation.version_id.in_(versions)  # type: ignore[attr-defined]
        )
        count = sa.func.count()
        return {
            "versions": number(sa.select(count).where(ScheduleVersion.hospital_id == hospital_id)),
            "shift_instances": number(
                sa.select(count).where(ShiftInstance.version_id.in_(versions))  # type: ignore[attr-defined]
            ),
            "persons": number(sa.select(count).where(Person.hospital_id == hospital_id)),
            "batches": sorted(
                connection.execute(
                    sa.select(ScrapeBatch.state).where(ScrapeBatch.hospital_id == hospital_id)
                ).scalars()
            ),
            "assignments": number(
                sa.select(count).where(Assignment.version_id.in_(versions))  # type: ignore[attr-defined]
            ),
            "calculations": number(
                sa.select(count).where(CoverageCalculation.version_id.in_(versions))  # type: ignore[attr-defined]
            ),
            "coverage_rows": number(
                sa.select(count).where(CoverageRow.calculation_id.in_(calculations))  # type: ignore[attr-defined]
            ),
        }


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    """The session's PostgreSQL database, emptied after the test."""
    engine = create_db_engine(postgres_url)
    yield engine
    truncate_all(engine)
    engine.dispose()


def new_phases(engine: Engine, tmp_path: Path) -> Phases:
    hospital = f"rel-{uuid.uuid4().hex[:8]}"
    add_hospital(engine, code=hospital)
    return Phases(
        engine=engine,
        hospital=hospital,
        ods_path=write_example_template(tmp_path / "template.ods"),
        settings=Settings(),
    )
