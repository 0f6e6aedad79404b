"""Alembic environment: the URL comes from schedcu's settings, or a connection is passed in."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import schedcu.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from schedcu.config import get_settings
from schedcu.db import create_db_engine

target_metadata = SQLModel.metadata


def _configure_and_run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    engine = create_db_engine(get_settings().resolved_database_url)
    with engine.connect() as connection:
        _configure_and_run(connection)
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("schedcu migrations run online only: use `schedcu db upgrade`.")
run_migrations_online()
