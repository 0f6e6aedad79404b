"""Engines, transactions and migrations.

SQLite (the embedded default) gets foreign keys enforced, WAL and a busy timeout on every
connection, so a second writer waits instead of failing. PostgreSQL is reached through psycopg 3.
The schema comes only from the Alembic migrations in `schedcu/migrations/` (`upgrade`).

`get_engine` is what the product uses: once per process and URL it makes sure the schema is the
code's (migrating it when SCHEDCU_DATABASE_MIGRATE_ON_START is on, as Prefect migrates its own
database on start), so a new SCHEDCU_HOME works without `schedcu db upgrade`. Every engine
translates the database faults a user can cause into schedcu's errors (`schedcu.db_faults`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url
from sqlmodel import Session

from schedcu import db_faults
from schedcu.config import Settings, get_settings
from schedcu.db_faults import masked_url as masked_url  # re-exported for the CLI
from schedcu.errors import DatabaseNotMigrated, DatabaseReadOnly, DatabaseTooNew

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
SUPPORTED_DRIVERS = {("sqlite", "pysqlite"), ("postgresql", "psycopg")}
# pg_advisory_xact_lock key that serialises schedcu's migrations on one PostgreSQL database.
MIGRATION_LOCK_KEY = 0x5C4ED_C0DE


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, issue BEGIN: otherwise SAVEPOINT and DDL misbehave.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # The busy timeout first: switching a new file to WAL needs a lock another process may hold.
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _on_sqlite_begin(connection: sa.Connection) -> None:
    # BEGIN IMMEDIATE takes the write lock up front, so two writers queue on busy_timeout
    # instead of one failing with "database is locked" when it upgrades a read lock.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_db_engine(url: str) -> Engine:
    """An engine for `url` whose faults are schedcu errors; a SQLite file's folder is created
    on first use. The schema is not touched: see `get_engine`."""
    try:
        parsed = make_url(url)
        if (parsed.get_backend_name(), parsed.get_driver_name()) not in SUPPORTED_DRIVERS:
            raise db_faults.invalid_url(url, f"{parsed.drivername} is not supported")
        sqlite = parsed.get_backend_name() == "sqlite"
        engine = sa.create_engine(url, pool_pre_ping=not sqlite)
    except (sa.exc.ArgumentError, ValueError) as exc:
        raise db_faults.invalid_url(url, "it is not a valid URL") from exc
    sa.event.listen(engine, "handle_error", db_faults.translate)
    if sqlite:
        sa.event.listen(engine, "connect", _on_sqlite_connect)
        sa.event.listen(engine, "begin", _on_sqlite_begin)
        if parsed.database and parsed.database != ":memory:":
            _create_folder(parsed)
    return engine


def _create_folder(url: URL) -> None:
    try:
        Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise db_faults.database_error(DatabaseReadOnly, url, exc) from exc


@lru_cache(maxsize=8)
def _ready_engine(url: str, migrate: bool) -> Engine:
    engine = create_db_engine(url)
    try:
        ensure_schema(engine, migrate=migrate)
    except BaseException:
        engine.dispose()
        raise
    return engine


def get_engine(settings: Settings | None = None) -> Engine:
    """The process-wide engine for the configured database, its schema the code's.

    The first call in a process (per URL) checks the schema and migrates it if
    `database_migrate_on_start` (the default); later calls return the same engine."""
    settings = settings or get_settings()
    return _ready_engine(settings.resolved_database_url, settings.database_migrate_on_start)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commits when the block ends, rolls everything back if it raises."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


def ensure_schema(engine: Engine, *, migrate: bool = True) -> None:
    """Make sure `engine`'s database has this code's schema: migrate it when it is behind (or
    new) and `migrate`, else refuse with DATABASE_NOT_MIGRATED; refuse a database migrated by a
    newer schedcu with DATABASE_TOO_NEW. Cheap when the schema is current: one read."""
    with engine.connect() as connection:
        current = _current_revisions(connection)
    scripts = _scripts()
    if current == {scripts.get_current_head()}:
        return
    _refuse_unknown(engine, current)
    if not migrate:
        raise DatabaseNotMigrated(
            f"The database {db_faults.describe(engine.url)} is behind this version of schedcu "
            "and SCHEDCU_DATABASE_MIGRATE_ON_START is off: run `schedcu db upgrade` (or let "
            "schedcu migrate it on start)."
        )
    upgrade(engine)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the Alembic migrations to `engine`'s database, one process at a time.

    Safe to run from several processes at once on a new database: on SQLite the transaction's
    BEGIN IMMEDIATE holds the write lock, on PostgreSQL an advisory lock; whoever comes second
    finds the schema current and changes nothing."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))
        _refuse_unknown(engine, _current_revisions(connection))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS_DIR))


def _current_revisions(connection: sa.Connection) -> set[str]:
    from alembic.migration import MigrationContext

    return set(MigrationContext.configure(connection).get_current_heads())


def _refuse_unknown(engine: Engine, current: set[str]) -> None:
    known = {script.revision for script in _scripts().walk_revisions()}
    unknown = sorted(current - known)
    if unknown:
        raise DatabaseTooNew(
            f"The database {db_faults.describe(engine.url)} was migrated by a newer schedcu "
            f"(revision {', '.join(unknown)}); this version does not know it and will not use "
            "it. Install the newer schedcu, or point SCHEDCU_DATABASE_URL at another database."
        )
