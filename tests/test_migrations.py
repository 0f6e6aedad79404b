"""The migrations build the whole schema, equal to the models, with its constraints enforced."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from schedcu.db import transaction
from schedcu.models import ScheduleVersion, ShiftInstance
from tests.utils.builders import make_hospital, make_version


def test_migrated_schema_equals_the_models(db_engine: Engine) -> None:
    with db_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_every_model_table_exists(db_engine: Engine) -> None:
    tables = set(sa.inspect(db_engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables


def test_duplicate_hospital_code_is_rejected(db_engine: Engine) -> None:
    with transaction(db_engine) as session:
        make_hospital(session, code="cumc-radiology")
    with pytest.raises(sa.exc.IntegrityError), transaction(db_engine) as session:
        make_hospital(session, code="cumc-radiology")


def test_version_identity_is_unique(db_engine: Engine) -> None:
    with transaction(db_engine) as session:
        hospital = make_hospital(session)
        first = make_version(session, hospital)
        identity = {
            "source_sha256": first.source_sha256,
            "effective_start": first.effective_start,
            "effective_end": first.effective_end,
        }
        hospital_id = hospital.id
    with pytest.raises(sa.exc.IntegrityError), transaction(db_engine) as session:
        session.add(
            ScheduleVersion(
                hospital_id=hospital_id, source_filename="again.ods", layout="matrix", **identity
            )
        )
    with transaction(db_engine) as session:
        other_period = identity | {"effective_end": dt.date(2026, 4, 30)}
        session.add(
            ScheduleVersion(
                hospital_id=hospital_id, source_filename="t.ods", layout="matrix", **other_period
            )
        )


def test_foreign_keys_are_enforced(db_engine: Engine) -> None:
    start = dt.datetime(2026, 3, 1, 22, tzinfo=dt.UTC)
    with pytest.raises(sa.exc.IntegrityError), transaction(db_engine) as session:
        session.add(
            ShiftInstance(
                version_id=999_999,
                service_date=start.date(),
                position="ON1",
                position_key="on1",
                category="ON",
                start_at=start,
                end_at=start + dt.timedelta(hours=10),
            )
        )


def test_deleting_a_version_cascades_to_its_shift_instances(db_engine: Engine) -> None:
    start = dt.datetime(2026, 3, 1, 22, tzinfo=dt.UTC)
    with transaction(db_engine) as session:
        version = make_version(session, make_hospital(session))
        session.add(
            ShiftInstance(
                version_id=version.id,
                service_date=start.date(),
                position="ON1",
                position_key="on1",
                category="ON",
                start_at=start,
                end_at=start + dt.timedelta(hours=10),
            )
        )
        version_id = version.id
    with transaction(db_engine) as session:
        session.delete(session.get(ScheduleVersion, version_id))
    with Session(db_engine) as session:
        assert session.exec(sa.select(sa.func.count()).select_from(ShiftInstance)).one()[0] == 0
