"""Storing a calculation: one transaction, bulk rows, a recalculation replaces the previous one."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from schedcu.config import Settings
from schedcu.coverage.result import CoverageRecord, CoverageResult
from schedcu.coverage.service import load_coverage, recalculate, store_result
from schedcu.db import transaction
from schedcu.errors import CoverageError
from schedcu.models import (
    Assignment,
    CoverageCalculation,
    CoverageRow,
    CoverageStatus,
    Person,
    ScheduleVersion,
    Specialty,
)
from tests.coverage.builders import matrix, sheet, store_version

SAT, SUN = dt.date(2026, 3, 14), dt.date(2026, 3, 15)
CPMC, ALLEN = "CPMC CT Body", "Allen MR Neuro"
TEMPLATE = matrix(
    sheet("Mid Weekend 5 pm - 12 am", "17:00", "00:00", {"MidC": [CPMC], "MidL": [ALLEN]}),
    sheet("ON 12am-8am", "00:00", "08:00", {"ON1": [CPMC, ALLEN]}, category="ON"),
)


def _counts(engine: Engine, version_id: int) -> tuple[int, int]:
    with engine.connect() as connection:
        calculations = connection.execute(
            sa.select(sa.func.count()).where(CoverageCalculation.version_id == version_id)
        ).scalar_one()
        rows = connection.execute(sa.select(sa.func.count()).select_from(CoverageRow)).scalar_one()
    return calculations, rows


def test_recalculate_stores_the_calculation_and_its_rows(db_engine: Engine) -> None:
    version_id = store_version(
        db_engine,
        TEMPLATE,
        (SAT, SUN),
        roster=[("Ann Lee", Specialty.BOTH)],
        shifts=[("Ann Lee", SAT, "MidC", "17:00", "00:00")],
    )
    outcome = recalculate(engine=db_engine, version_id=version_id, settings=Settings())

    assert outcome.row_count == 2 * 2 * 2  # days x segments x study types
    assert _counts(db_engine, version_id) == (1, outcome.row_count)
    stored = load_coverage(engine=db_engine, version_id=version_id)
    assert stored.calculation_id == outcome.calculation_id
    assert stored.summary["overall_percentage"] == outcome.summary["overall_percentage"]
    assert stored.rows == outcome.rows  # aware UTC datetimes, lists and enums survive the trip
    assert stored.rows[0].persons == ("Ann Lee",)
    assert outcome.to_dict()["summary"]["hours"]["COVERED"] == 7.0


def test_recalculating_replaces_the_previous_calculation(db_engine: Engine) -> None:
    version_id = store_version(
        db_engine, TEMPLATE, (SAT, SUN), roster=[("Ann Lee", Specialty.BOTH)]
    )
    first = recalculate(engine=db_engine, version_id=version_id, settings=Settings())
    with transaction(db_engine) as session:
        ann = session.execute(sa.select(Person).where(Person.name == "Ann Lee")).scalar_one()
        session.add(
            Assignment(
                version_id=version_id,
                person_id=ann.id,
                service_date=SAT,
                shift_name="ON1",
                position_key="on1",
            )
        )
    second = recalculate(engine=db_engine, version_id=version_id, settings=Settings())

    assert first.summary["hours"]["COVERED"] == 0.0
    assert second.summary["hours"]["COVERED"] == 16.0
    assert _counts(db_engine, version_id) == (1, second.row_count)
    stored = load_coverage(engine=db_engine, version_id=version_id)
    assert stored.summary["hours"]["COVERED"] == 16.0


def test_a_failed_store_leaves_the_previous_calculation(db_engine: Engine) -> None:
    version_id = store_version(db_engine, TEMPLATE, (SAT, SAT))
    first = recalculate(engine=db_engine, version_id=version_id, settings=Settings())
    broken = first.rows[0]
    bad_row = CoverageRecord(
        service_date=broken.service_date,
        category=None,
        start=broken.start,
        end=broken.end,
        study_type=None,
        status=CoverageStatus.UNCOVERED,
        shift_instance_id=10**9,  # no such shift instance: the database refuses the row
    )
    result = load_coverage(engine=db_engine, version_id=version_id)

    with pytest.raises(sa.exc.IntegrityError), transaction(db_engine) as session:
        version = session.get(ScheduleVersion, version_id)
        store_result(
            session,
            version=version,
            result=CoverageResult(
                layout=result.layout,
                timezone=result.timezone,
                rows=(*result.rows, bad_row),
                summary={},
            ),
        )
    assert load_coverage(engine=db_engine, version_id=version_id).calculation_id == (
        first.calculation_id
    )
    assert _counts(db_engine, version_id) == (1, first.row_count)


def test_unknown_version_and_missing_calculation_are_coverage_errors(db_engine: Engine) -> None:
    with pytest.raises(CoverageError) as unknown:
        recalculate(engine=db_engine, version_id=424242, settings=Settings())
    assert unknown.value.code == "UNKNOWN_VERSION"
    version_id = store_version(db_engine, TEMPLATE, (SAT, SAT))
    with pytest.raises(CoverageError) as missing:
        load_coverage(engine=db_engine, version_id=version_id)
    assert missing.value.code == "NO_COVERAGE"
    assert f"--version {version_id}" in missing.value.message


def test_an_unreadable_stored_template_is_a_coverage_error(db_engine: Engine) -> None:
    version_id = store_version(db_engine, TEMPLATE, (SAT, SAT))
    with transaction(db_engine) as session:
        session.get(ScheduleVersion, version_id).template = {"sheets": "garbage"}

    with pytest.raises(CoverageError) as error:
        recalculate(engine=db_engine, version_id=version_id, settings=Settings())
    assert error.value.code == "UNREADABLE_TEMPLATE"
    assert f"version {version_id}" in error.value.message
