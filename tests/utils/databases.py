"""Throw-away databases, migrated, for tests and benchmarks."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from schedcu.db import create_db_engine, upgrade


@contextmanager
def scratch_postgres_url(
    admin_url: str, prefix: str = "schedcu_scratch", *, migrated: bool = True
) -> Iterator[str]:
    """A new PostgreSQL database next to `admin_url`'s, migrated unless told not; dropped
    afterwards."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        if migrated:
            engine = create_db_engine(url)
            upgrade(engine)
            engine.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def postgres_engine(admin_url: str) -> Iterator[Engine]:
    with scratch_postgres_url(admin_url, "schedcu_bench") as url:
        engine = create_db_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def sqlite_engine() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as folder:
        engine = create_db_engine(f"sqlite:///{folder}/bench.db")
        upgrade(engine)
        try:
            yield engine
        finally:
            engine.dispose()


def truncate_all(engine: Engine) -> None:
    """Empty every table of a PostgreSQL database but Alembic's, identities restarted."""
    tables = ", ".join(
        f'"{name}"' for name in sa.inspect(engine).get_table_names() if name != "alembic_version"
    )
    with engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@contextmanager
def empty_database_url(kind: str, request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    """The URL of an empty, migrated database of `kind`: a copy of the session's SQLite template
    in `folder`, or the session's PostgreSQL database, emptied afterwards."""
    if kind == "sqlite":
        path = folder / "schedcu.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_url")
    yield url
    engine = create_db_engine(url)
    truncate_all(engine)
    engine.dispose()
