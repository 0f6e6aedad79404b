"""Every entity survives a write and a read on SQLite and PostgreSQL, values and types intact."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from schedcu.db import transaction
from schedcu.models import (
    Assignment,
    AssignmentSource,
    CoverageCalculation,
    CoverageRow,
    CoverageStatus,
    Hospital,
    Person,
    ScheduleVersion,
    ScrapeBatch,
    ScrapeState,
    ShiftInstance,
    Specialty,
    TemplateLayout,
    VersionStatus,
)
from tests.utils.builders import make_hospital, make_person, make_version

NEW_YORK = ZoneInfo("America/New_York")
T = TypeVar("T")


def _reload(engine: Engine, model: type[T], row_id: int | None) -> T:
    with Session(engine) as session:
        loaded = session.get(model, row_id)
        assert loaded is not None
        session.expunge(loaded)
        return loaded


def test_hospital_round_trip(db_engine: Engine) -> None:
    with transaction(db_engine) as session:
        hospital = make_hospital(
            session, code="cumc-radiology", name="CUMC", amion_base_url="http://127.0.0.1:1"
        )
    loaded = _reload(db_engine, Hospital, hospital.id)
    assert (loaded.code, loaded.name, loaded.amion_base_url, loaded.timezone) == (
        "cumc-radiology",
        "CUMC",
        "http://127.0.0.1:1",
        "America/New_York",
    )
    assert loaded.created_at.tzinfo is not None
    assert abs(loaded.created_at - hospital.created_at) < dt.timedelta(milliseconds=1)


def test_person_round_trip(db_engine: Engine) -> None:
    with transaction(db_engine) as session:
        person = make_person(
            session,
            make_hospital(session),
            name="Jane Smith",
            amion_id="4711",
            aliases=["Smith, J", "J. Smith"],
            specialty=Specialty.BODY_ONLY,
            active=False,
        )
    loaded = _reload(db_engine, Person, person.id)
    assert loaded.aliases == ["Smith, J", "J. Smith"]
    assert loaded.specialty is Specialty.BODY_ONLY
    assert (loaded.amion_id, loaded.active) == ("4711", False)


def test_version_and_shift_instance_round_trip(db_engine: Engine) -> None:
    # The night clocks spring forward in New York: 01:00-08:00 local lasts six hours.
    start = dt.datetime(2026, 3, 8, 1, tzinfo=NEW_YORK)
    end = dt.datetime(2026, 3, 8, 8, tzinfo=NEW_YORK)
    with transaction(db_engine) as session:
        version = make_version(
            session,
            make_hospital(session),
            status=VersionStatus.ACTIVE,
            template={"layout": "matrix", "sheets": [{"name": "ON 1 am - 8 am"}]},
            created_by="coordinator-7",
            flow_run_id="8d6f0d3c-0000-4000-8000-000000000000",
        )
        instance = ShiftInstance(
            version_id=version.id,
            service_date=dt.date(2026, 3, 7),
            position="ON 1",
            position_key="on1",
            category="ON",
            day_type="Weekend",
            sheet_name="ON 1 am - 8 am",
            start_at=start,
            end_at=end,
            study_types=["CPMC CT Neuro", "CHONY Neuro"],
        )
        session.add(instance)
    loaded_version = _reload(db_engine, ScheduleVersion, version.id)
    assert loaded_version.status is VersionStatus.ACTIVE
    assert loaded_version.layout is TemplateLayout.MATRIX
    assert loaded_version.template == {"layout": "matrix", "sheets": [{"name": "ON 1 am - 8 am"}]}
    loaded = _reload(db_engine, ShiftInstance, instance.id)
    assert loaded.start_at == start and loaded.end_at == end
    assert loaded.end_at - loaded.start_at == dt.timedelta(hours=6)
    assert loaded.start_at.astimezone(NEW_YORK).hour == 1
    assert loaded.study_types == ["CPMC CT Neuro", "CHONY Neuro"]


def test_scrape_batch_and_assignment_round_trip(db_engine: Engine) -> None:
    start = dt.datetime(2026, 3, 14, 17, tzinfo=NEW_YORK)
    with transaction(db_engine) as session:
        hospital = make_hospital(session)
        version = make_version(session, hospital)
        person = make_person(session, hospital)
        batch = ScrapeBatch(
            hospital_id=hospital.id,
            version_id=version.id,
            window_start=dt.date(2026, 3, 1),
            window_end=dt.date(2026, 3, 31),
            state=ScrapeState.COMPLETE,
            row_count=1,
            exports_sha256="ab" * 32,
            finished_at=start,
        )
        session.add(batch)
        session.flush()
        assignment = Assignment(
            version_id=version.id,
            person_id=person.id,
            service_date=start.date(),
            shift_name="Mid Body",
            position_key="midbody",
            start_at=start,
            end_at=None,
            scrape_batch_id=batch.id,
            created_by="amion",
        )
        session.add(assignment)
    loaded_batch = _reload(db_engine, ScrapeBatch, batch.id)
    assert loaded_batch.state is ScrapeState.COMPLETE
    assert loaded_batch.finished_at == start
    loaded = _reload(db_engine, Assignment, assignment.id)
    assert loaded.source is AssignmentSource.AMION
    assert (loaded.shift_instance_id, loaded.end_at, loaded.start_at) == (None, None, start)


def test_coverage_calculation_and_rows_round_trip(db_engine: Engine) -> None:
    start = dt.datetime(2026, 3, 14, 22, tzinfo=NEW_YORK)
    with transaction(db_engine) as session:
        version = make_version(session, make_hospital(session))
        calculation = CoverageCalculation(
            version_id=version.id,
            period_start=dt.date(2026, 3, 1),
            period_end=dt.date(2026, 3, 31),
            layout=TemplateLayout.MATRIX,
            summary={"overall_pct": 87.5, "unstaffed_hours": 12.0},
        )
        session.add(calculation)
        session.flush()
        session.add(
            CoverageRow(
                calculation_id=calculation.id,
                service_date=start.date(),
                category="Mid",
                segment_start=start,
                segment_end=start + dt.timedelta(hours=2),
                study_type="Allen MR Neuro",
                status=CoverageStatus.UNSTAFFED,
                positions=["Mid 3"],
            )
        )
    with Session(db_engine) as session:
        row = session.exec(select(CoverageRow)).one()
        assert row.status is CoverageStatus.UNSTAFFED
        assert (row.positions, row.persons) == (["Mid 3"], [])
        assert row.segment_end - row.segment_start == dt.timedelta(hours=2)
    assert _reload(db_engine, CoverageCalculation, calculation.id).summary["overall_pct"] == 87.5


def test_naive_datetimes_are_refused(db_engine: Engine) -> None:
    with pytest.raises(Exception, match="naive datetime"), transaction(db_engine) as session:
        version = make_version(session, make_hospital(session))
        session.add(
            ShiftInstance(
                version_id=version.id,
                service_date=dt.date(2026, 3, 1),
                position="ON1",
                position_key="on1",
                category="ON",
                start_at=dt.datetime(2026, 3, 1, 20),
                end_at=dt.datetime(2026, 3, 2, 8),
            )
        )
