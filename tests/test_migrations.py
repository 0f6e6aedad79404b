"""The migrations build the whole schema, equal to the models, with its constraints enforced."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from schedcu.db import create_db_engine, transaction, upgrade
from schedcu.models import ScheduleVersion, ShiftInstance, VersionStatusChange
from tests.utils.builders import make_hospital, make_version
from tests.utils.databases import scratch_postgres_url


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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def unmigrated_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A new database with no schema yet: a SQLite file, then a scratch PostgreSQL database."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'new.db'}"
        else:
            admin = request.getfixturevalue("postgres_url")
            url = stack.enter_context(scratch_postgres_url(admin, "schedcu_mig", migrated=False))
        engine = create_db_engine(url)
        stack.callback(engine.dispose)
        yield engine


def test_a_version_set_active_before_promotion_existed_becomes_a_draft_with_a_reason(
    unmigrated_engine: Engine,
) -> None:
    """Revision 14a1c0d2e3f4: an ACTIVE version of before holds no day and could overlap
    another, so it is set back to DRAFT, and its history says why; a DRAFT stays as it was."""
    upgrade(unmigrated_engine, "3b62699fc391")
    with unmigrated_engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO hospital (id, code, name, timezone, created_at) "
            "VALUES (1, 'h', 'H', 'America/New_York', '2026-01-01 00:00:00')"
        )
        for version_id, status in ((1, "ACTIVE"), (2, "DRAFT")):
            connection.exec_driver_sql(
                "INSERT INTO schedule_version (id, hospital_id, status, effective_start, "
                "effective_end, source_filename, source_sha256, layout, template, created_at) "
                f"VALUES ({version_id}, 1, '{status}', '2026-03-01', '2026-03-31', 't.ods', "
                f"'{version_id}', 'matrix', '{{}}', '2026-01-01 00:00:00')"
            )
    upgrade(unmigrated_engine)
    with Session(unmigrated_engine) as session:
        assert [
            v.status.value
            for v in session.exec(select(ScheduleVersion).order_by(ScheduleVersion.id))
        ] == [
            "DRAFT",
            "DRAFT",
        ]
        [change] = session.exec(select(VersionStatusChange)).all()
    assert (change.version_id, change.from_status.value, change.to_status.value) == (
        1,
        "ACTIVE",
        "DRAFT",
    )
    assert change.changed_by == "schedcu migration 14a1c0d2e3f4" and "promote" in (
        change.reason or ""
    )


def test_the_promotion_revision_downgrades_cleanly(unmigrated_engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    from schedcu.db import MIGRATIONS_DIR

    upgrade(unmigrated_engine)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with unmigrated_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "3b62699fc391")
    tables = set(sa.inspect(unmigrated_engine).get_table_names())
    assert not {"active_day", "version_status_change"} & tables and "schedule_version" in tables
