"""SQLAlchemy's and the drivers' errors translated into schedcu's database errors, in one place.

`create_db_engine` installs `translate` as the engine's `handle_error` listener, so every
statement, commit and connection attempt on any engine passes here, whatever Session or
connection ran it; `invalid_url` covers what fails before there is an engine. The drivers' own
codes decide, never the message text:

    psycopg `sqlstate`              sqlite3 `sqlite_errorcode` (primary)   error
    class 08, 57P01-57P03, lost     -                                      DatabaseUnreachable
    40001, 40P01, 55P03, 53300      SQLITE_BUSY, SQLITE_LOCKED             DatabaseBusy
    28000, 28P01, 3D000, 42501      SQLITE_PERM, SQLITE_AUTH               DatabaseAccessDenied
    25006 (read-only transaction)   SQLITE_READONLY, SQLITE_CANTOPEN       DatabaseReadOnly
    XX001, XX002                    SQLITE_CORRUPT, SQLITE_NOTADB          DatabaseCorrupt
    53100                           SQLITE_FULL                            DatabaseFull

Anything else ("no such table", a syntax error, a constraint) is left as SQLAlchemy raised it: a
bug or a programming error, permanent, and shown as such.
"""

from __future__ import annotations

import re
import sqlite3

from sqlalchemy.engine import URL, ExceptionContext, make_url

from schedcu.errors import (
    DatabaseAccessDenied,
    DatabaseBusy,
    DatabaseCorrupt,
    DatabaseError,
    DatabaseFull,
    DatabaseReadOnly,
    DatabaseUnreachable,
    DatabaseUrlInvalid,
)

SUPPORTED_URLS = "sqlite:///path/to/file.db or postgresql://user@host:5432/database"

_BY_SQLSTATE: dict[str, type[DatabaseError]] = {
    "57P01": DatabaseUnreachable,  # admin_shutdown (also pg_terminate_backend)
    "57P02": DatabaseUnreachable,  # crash_shutdown
    "57P03": DatabaseUnreachable,  # cannot_connect_now (starting up, shutting down)
    "40001": DatabaseBusy,  # serialization_failure
    "40P01": DatabaseBusy,  # deadlock_detected
    "55P03": DatabaseBusy,  # lock_not_available
    "53300": DatabaseBusy,  # too_many_connections
    "28000": DatabaseAccessDenied,  # invalid_authorization_specification
    "28P01": DatabaseAccessDenied,  # invalid_password
    "3D000": DatabaseAccessDenied,  # invalid_catalog_name (no such database)
    "42501": DatabaseAccessDenied,  # insufficient_privilege
    "25006": DatabaseReadOnly,  # read_only_sql_transaction (a standby, or a read-only default)
    "XX001": DatabaseCorrupt,  # data_corrupted
    "XX002": DatabaseCorrupt,  # index_corrupted
    "53100": DatabaseFull,  # disk_full
}

_BY_SQLITE_CODE: dict[int, type[DatabaseError]] = {
    sqlite3.SQLITE_BUSY: DatabaseBusy,
    sqlite3.SQLITE_LOCKED: DatabaseBusy,
    sqlite3.SQLITE_PERM: DatabaseAccessDenied,
    sqlite3.SQLITE_AUTH: DatabaseAccessDenied,
    sqlite3.SQLITE_READONLY: DatabaseReadOnly,
    sqlite3.SQLITE_CANTOPEN: DatabaseReadOnly,
    sqlite3.SQLITE_CORRUPT: DatabaseCorrupt,
    sqlite3.SQLITE_NOTADB: DatabaseCorrupt,
    sqlite3.SQLITE_FULL: DatabaseFull,
}

_SENTENCES: dict[type[DatabaseError], str] = {
    DatabaseUnreachable: "The database {where} cannot be reached ({reason}). Check that the "
    "server runs and SCHEDCU_DATABASE_URL names it; schedcu tries again by itself in a run.",
    DatabaseBusy: "The database {where} is busy ({reason}). Try again in a moment.",
    DatabaseAccessDenied: "The database {where} refused schedcu ({reason}). Check the user, "
    "password and database name in SCHEDCU_DATABASE_URL and the user's rights.",
    DatabaseReadOnly: "The database {where} cannot be written ({reason}). schedcu needs write "
    "access to the database, and for SQLite to the file and its folder.",
    DatabaseCorrupt: "The database {where} is not a usable schedcu database ({reason}). Restore "
    "it from a backup, or point SCHEDCU_DATABASE_URL at another file.",
    DatabaseFull: "The database {where} is full ({reason}). Free disk space (or raise the "
    "database's limit) and run again; nothing of the failed step was kept.",
}


def fault_class(error: BaseException, *, is_disconnect: bool = False) -> type[DatabaseError] | None:
    """The schedcu error for a driver error (or SQLAlchemy's wrapper of one); None if it is
    none of the faults above."""
    driver_error = getattr(error, "orig", None) or error
    if isinstance(driver_error, sqlite3.Error):
        code = getattr(driver_error, "sqlite_errorcode", None)
        return None if code is None else _BY_SQLITE_CODE.get(code & 0xFF)
    sqlstate = getattr(driver_error, "sqlstate", None)
    if sqlstate:
        if sqlstate.startswith("08"):
            return DatabaseUnreachable
        return _BY_SQLSTATE.get(sqlstate)
    if is_disconnect or getattr(error, "connection_invalidated", False):
        return DatabaseUnreachable
    return None


def is_transient_database_error(error: BaseException) -> bool:
    """Whether a SQLAlchemy or driver error can pass by itself (a lost connection, a lock)."""
    fault = fault_class(error)
    return fault is not None and fault.transient


def translate(context: ExceptionContext) -> DatabaseError | None:
    """The engine's `handle_error` listener: the schedcu error to raise instead, or None."""
    if context.is_pre_ping:  # SQLAlchemy reconnects by itself when the ping fails
        return None
    error = context.original_exception
    fault = fault_class(error, is_disconnect=context.is_disconnect)
    if fault is None and context.connection is None and context.sqlalchemy_exception is not None:
        # A connection attempt that failed without a code: refused, unknown host, timed out,
        # or a server that turned the login away (libpq gives no SQLSTATE for those).
        fault = DatabaseUnreachable
    if fault is None:
        return None
    url = context.engine.url if context.engine is not None else None
    return database_error(fault, url, error)


def database_error(
    fault: type[DatabaseError], url: URL | None, error: BaseException
) -> DatabaseError:
    """`fault` with its sentence: the URL without its password and the driver's reason."""
    where = describe(url)
    return fault(_SENTENCES[fault].format(where=where, reason=_reason(error, url)))


def invalid_url(url: str, reason: str) -> DatabaseUrlInvalid:
    """SCHEDCU_DATABASE_URL cannot be used: unparseable, or not SQLite or PostgreSQL."""
    return DatabaseUrlInvalid(
        f"The database URL {masked_url(url)} cannot be used ({reason}). "
        f"Set SCHEDCU_DATABASE_URL to {SUPPORTED_URLS}."
    )


def masked_url(url: str | URL) -> str:
    """The URL with its password hidden, even when SQLAlchemy cannot parse it."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # any parse failure: hide whatever sits between "user:" and "@"
        return re.sub(r"(//[^:/@]*:)[^@]*@", r"\1***@", str(url))


def describe(url: URL | None) -> str:
    if url is None:
        return "(unknown)"
    if url.get_backend_name() == "sqlite":
        return f"file {url.database}" if url.database else "in memory"
    return f"at {masked_url(url)}"


def _reason(error: BaseException, url: URL | None) -> str:
    text = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    text = _first_line(text)
    password = url.password if url is not None else None
    if password:
        text = text.replace(str(password), "***")
    return text.removeprefix("connection failed: ")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0].strip() if text.strip() else "no detail"
