"""Phase 1 persistence on SQLite and PostgreSQL: one transaction, bulk rows, identity."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from schedcu.config import Settings
from schedcu.db import transaction
from schedcu.errors import ConfigurationError, UnusableTemplate
from schedcu.models import ScheduleVersion, ShiftInstance, TemplateLayout, VersionStatus
from schedcu.ods.importer import ImportOutcome, import_schedule
from schedcu.template import Template
from tests.ods.builders import content_xml, sheet_xml, write_ods
from tests.utils.builders import make_hospital

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def hospital_code(db_engine: Engine) -> str:
    with transaction(db_engine) as session:
        return make_hospital(session, timezone="America/New_York").code


def run_import(engine: Engine, code: str, path: Path, **options) -> ImportOutcome:
    arguments = {"start": dt.date(2026, 3, 1), "months": 1} | options
    return import_schedule(engine=engine, hospital_code=code, ods_path=path, **arguments)


def instances(engine: Engine, version_id: int) -> list[ShiftInstance]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(ShiftInstance)
                .where(ShiftInstance.version_id == version_id)
                .order_by(ShiftInstance.id)
            )
        )


def counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        return tuple(  # type: ignore[return-value]
            connection.execute(
                sa.select(sa.func.count()).select_from(model.__table__)  # type: ignore[attr-defined]
            ).scalar_one()
            for model in (ScheduleVersion, ShiftInstance)
        )


def test_real_template_for_one_month(
    db_engine: Engine, hospital_code: str, real_template_path: Path
) -> None:
    outcome = run_import(
        db_engine,
        hospital_code,
        real_template_path,
        user_id="coordinator@example.org",
        flow_run_id="7d3f0a52-1111-2222-3333-444455556666",
    )
    assert not outcome.already_imported
    assert outcome.validation.codes() == ["EXTRA_GRID_BLOCK"]
    # March 2026: 22 weekdays x 19 positions + 9 weekend days x 16 positions.
    assert outcome.shift_instance_count == 22 * 19 + 9 * 16
    with Session(db_engine) as session:
        version = session.get(ScheduleVersion, outcome.version_id)
    assert version is not None
    assert version.status is VersionStatus.DRAFT
    assert version.layout is TemplateLayout.MATRIX
    assert (version.effective_start, version.effective_end) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 31),
    )
    assert version.source_filename == "cuSchedNormalized.ods"
    assert version.source_sha256 == hashlib.sha256(real_template_path.read_bytes()).hexdigest()
    assert version.created_by == "coordinator@example.org"
    assert version.flow_run_id == "7d3f0a52-1111-2222-3333-444455556666"
    assert len(Template.from_dict(version.template).sheets) == 12
    rows = instances(db_engine, outcome.version_id)
    assert len(rows) == outcome.shift_instance_count
    assert {row.service_date for row in rows} == {dt.date(2026, 3, day) for day in range(1, 32)}


def test_service_day_placement_and_fields(
    db_engine: Engine, hospital_code: str, real_template_path: Path
) -> None:
    outcome = run_import(db_engine, hospital_code, real_template_path)
    rows = instances(db_engine, outcome.version_id)
    friday = [row for row in rows if row.service_date == dt.date(2026, 3, 13)]
    on1 = next(
        row
        for row in friday
        if row.sheet_name == "ON Weekday Neuro 1 am - 8 am" and row.position == "ON1"
    )
    # Friday's overnight window lies on Saturday's calendar date and is still a Weekday sheet.
    assert on1.start_at == dt.datetime(2026, 3, 14, 1, tzinfo=NEW_YORK)
    assert on1.end_at == dt.datetime(2026, 3, 14, 8, tzinfo=NEW_YORK)
    assert (on1.category, on1.day_type, on1.scenario) == ("ON", "Weekday", "Neuro")
    assert on1.position_key == "on1"
    assert on1.study_type is None and on1.required_staffing is None
    mid3 = next(
        row
        for row in friday
        if row.sheet_name == "Mid Weekday Body 6 pm - 12 am" and row.position == "Mid 3"
    )
    assert mid3.position_key == "mid3"
    assert mid3.end_at == dt.datetime(2026, 3, 14, 0, tzinfo=NEW_YORK)
    assert "Allen DX Bone" in mid3.study_types
    saturday = {row.sheet_name for row in rows if row.service_date == dt.date(2026, 3, 14)}
    assert saturday == {
        "Mid Weekend Body 5 pm - 12 am",
        "Mid Weekend Neuro 5 pm - 12 am",
        "Mid Weekend 10pm-Midnight",
        "Mid  12am-1am",
        "ON Weekend Neuro 1 am - 8 am",
        "ON Weekend Body 1 am - 8 am",
    }


def test_the_night_the_clocks_spring_forward_is_shorter(
    db_engine: Engine, hospital_code: str, real_template_path: Path
) -> None:
    outcome = run_import(db_engine, hospital_code, real_template_path)
    night = next(
        row
        for row in instances(db_engine, outcome.version_id)
        if row.service_date == dt.date(2026, 3, 7)
        and row.sheet_name == "ON Weekend Neuro 1 am - 8 am"
    )
    assert night.end_at - night.start_at == dt.timedelta(hours=6)


def test_holidays_from_settings_count_as_weekend(
    db_engine: Engine, hospital_code: str, real_template_path: Path
) -> None:
    holiday = dt.date(2026, 3, 17)  # a Tuesday
    outcome = run_import(
        db_engine, hospital_code, real_template_path, settings=Settings(holidays=[holiday])
    )
    sheets = {
        row.sheet_name
        for row in instances(db_engine, outcome.version_id)
        if row.service_date == holiday
    }
    assert "ON Weekend Neuro 1 am - 8 am" in sheets
    assert not any("Weekday" in name for name in sheets)


def test_same_file_and_period_returns_the_existing_version(
    db_engine: Engine, hospital_code: str, real_template_path: Path
) -> None:
    first = run_import(db_engine, hospital_code, real_template_path)
    again = run_import(db_engine, hospital_code, real_template_path)
    assert again.already_imported
    assert again.version_id == first.version_id
    assert again.shift_instance_count == first.shift_instance_count
    assert again.validation.codes()[-1] == "ALREADY_IMPORTED"
    assert again.validation.messages[-1].severity.value == "INFO"
    other_period = run_import(db_engine, hospital_code, real_template_path, months=2)
    assert not other_period.already_imported
    assert counts(db_engine)[0] == 2


def test_two_racing_imports_create_one_version(
    db_engine: Engine, hospital_code: str, real_template_path: Path
) -> None:
    outcomes: list[ImportOutcome] = []
    failures: list[BaseException] = []
    barrier = threading.Barrier(2)

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(run_import(db_engine, hospital_code, real_template_path, months=3))
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert sorted(o.already_imported for o in outcomes) == [False, True]
    assert len({o.version_id for o in outcomes}) == 1
    versions, shifts = counts(db_engine)
    assert versions == 1
    assert shifts == outcomes[0].shift_instance_count


def test_unknown_hospital(db_engine: Engine, real_template_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        run_import(db_engine, "no-such-hospital", real_template_path)
    assert caught.value.code == "UNKNOWN_HOSPITAL"
    assert counts(db_engine) == (0, 0)


def test_no_shift_instance_is_critical_and_writes_nothing(
    db_engine: Engine, hospital_code: str, tmp_path: Path
) -> None:
    header = ["Date", "ShiftType", "RequiredStaffing", "SpecialtyConstraint", "StudyType"]
    rows = [header, ["2026-05-04", "ON1", "1", None, "CT"]]
    path = write_ods(tmp_path / "may.ods", content_xml([sheet_xml("Shifts", rows)]))
    with pytest.raises(UnusableTemplate) as caught:
        run_import(db_engine, hospital_code, path)
    assert caught.value.code == "NO_SHIFT_INSTANCES"
    assert caught.value.validation.has_errors
    assert counts(db_engine) == (0, 0)


def test_flat_layout_filtered_by_the_period(
    db_engine: Engine, hospital_code: str, tmp_path: Path
) -> None:
    header = [
        "Date",
        "ShiftType",
        "RequiredStaffing",
        "SpecialtyConstraint",
        "StudyType",
        "StartTime",
        "EndTime",
    ]
    rows = [
        header,
        ["2026-02-28", "ON1", "1", None, "CT", None, None],
        ["2026-03-02", "ON1", "2", "NEURO_ONLY", "CT Neuro", "20:00", "08:00"],
        ["2026-03-03", "Mid C", "0", None, "US", None, None],
    ]
    path = write_ods(tmp_path / "flat.ods", content_xml([sheet_xml("Shifts", rows)]))
    outcome = run_import(db_engine, hospital_code, path)
    assert outcome.validation.codes() == []
    first, second = instances(db_engine, outcome.version_id)
    assert (first.position, first.study_type, first.required_staffing) == ("ON1", "CT Neuro", 2)
    assert first.specialty_constraint == "NEURO_ONLY"
    assert first.start_at == dt.datetime(2026, 3, 2, 20, tzinfo=NEW_YORK)
    assert first.end_at == dt.datetime(2026, 3, 3, 8, tzinfo=NEW_YORK)
    assert (second.position_key, second.required_staffing) == ("midc", 0)
    assert second.start_at == dt.datetime(2026, 3, 3, 8, tzinfo=NEW_YORK)
    assert second.end_at == dt.datetime(2026, 3, 4, 8, tzinfo=NEW_YORK)
    with Session(db_engine) as session:
        version = session.get(ScheduleVersion, outcome.version_id)
    assert version is not None and version.layout is TemplateLayout.FLAT


def test_positions_per_day_follow_the_day_type(
    db_engine: Engine, hospital_code: str, real_template_path: Path
) -> None:
    outcome = run_import(db_engine, hospital_code, real_template_path)
    per_day = Counter(row.service_date for row in instances(db_engine, outcome.version_id))
    assert per_day[dt.date(2026, 3, 13)] == 19  # Friday
    assert per_day[dt.date(2026, 3, 14)] == 16  # Saturday


def test_the_two_files_that_must_import(
    db_engine: Engine, hospital_code: str, tmp_path: Path
) -> None:
    from tests.ods.builders import matrix_content
    from tests.ods.test_flat import PRETTY

    libreoffice = write_ods(
        tmp_path / "libreoffice.ods",
        matrix_content({"ON 1 am - 8 am": [[None, "ON1"], ["CT", "x"]]}, libreoffice_tail=True),
    )
    pretty = write_ods(tmp_path / "pretty.ods", PRETTY.encode(), compress_mimetype=True)
    matrix_outcome = run_import(db_engine, hospital_code, libreoffice)
    assert matrix_outcome.shift_instance_count == 31
    assert matrix_outcome.validation.codes() == []
    flat_outcome = run_import(db_engine, hospital_code, pretty)
    assert flat_outcome.shift_instance_count == 1
    assert flat_outcome.validation.codes() == ["UNUSUAL_ZIP_LAYOUT"]
