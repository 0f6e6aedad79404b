"""The shared retry policy retries transient errors and nothing else, on a real Prefect API.

The database cases run a real statement against real SQLite and PostgreSQL through an engine
from `create_db_engine` (so through the fault translation the product uses) inside a small task
with the project's policy, and count the attempts: what can pass by itself (a lock, a lost or
refused connection, a serialisation failure) is tried again; "no such table", a syntax error, a
missing column, a full disk, a read-only or corrupt database fail at the first attempt.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from prefect import flow, task
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterFlowRunId
from prefect.runtime import flow_run
from sqlalchemy.engine import Engine

from schedcu.db import create_db_engine
from schedcu.errors import AmionLoginFailed, AmionTransient, SchedcuError
from tasks.retry import transient_retry_policy
from tests.utils.prefect_server import free_port  # nobody listens there: refused

pytestmark = pytest.mark.usefixtures("prefect_api")

RETRIES = 2
attempts: dict[str, int] = {}


@task(**transient_retry_policy(retries=2, backoff_seconds=0))
def flaky(key: str, error: type[Exception], failures: int) -> str:
    attempts[key] = attempts.get(key, 0) + 1
    if attempts[key] <= failures:
        raise error("Amion said no")
    return "done"


@flow
def run_flaky(key: str, error_name: str, failures: int) -> str:
    error = {"transient": AmionTransient, "permanent": AmionLoginFailed}[error_name]
    flaky(key, error, failures)
    return str(flow_run.get_id())


def _task_run_count(flow_run_id: str) -> list[str]:
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=[flow_run_id]))
        )
    return [run.state.name for run in runs if run.state]


def test_transient_error_is_retried_until_it_succeeds() -> None:
    flow_run_id = run_flaky("t", "transient", failures=2)
    assert attempts["t"] == 3
    assert _task_run_count(flow_run_id) == ["Completed"]


def test_permanent_error_is_not_retried() -> None:
    with pytest.raises(AmionLoginFailed):
        run_flaky("p", "permanent", failures=1)
    assert attempts["p"] == 1


# --- database errors ------------------------------------------------------------------------

# A step is called with its attempt number (1, 2, ...) and does real database work; steps are
# registered under a fresh key, so the task's only parameter is a string.
Step = Callable[[int], None]
steps: dict[str, Step] = {}


@task(**transient_retry_policy(retries=RETRIES, backoff_seconds=0))
def database_step(key: str) -> None:
    attempts[key] = attempts.get(key, 0) + 1
    steps[key](attempts[key])


@flow
def run_database_step(key: str) -> None:
    database_step(key)


def attempts_of(step: Step) -> tuple[int, str]:
    """How many times the task ran `step`, and "completed" or the code (else the class name) of
    the error the run failed with."""
    key = f"db-{uuid.uuid4().hex}"
    steps[key] = step
    state = run_database_step(key, return_state=True)
    if state.is_completed():
        return attempts[key], "completed"
    error = state.result(raise_on_failure=False)
    return attempts[key], error.code if isinstance(error, SchedcuError) else type(error).__name__


def execute(engine: Engine, sql: str) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql(sql)


def on_connect(engine: Engine, pragma: str) -> Engine:
    """`engine`, each new connection also running `pragma` (after the product's own)."""
    sa.event.listen(engine, "connect", lambda dbapi, _record: dbapi.execute(pragma))
    return engine


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "retry.db"
    path.write_bytes(sqlite_template.read_bytes())
    return f"sqlite:///{path}"


@pytest.fixture
def engines() -> Iterator[Callable[[str], Engine]]:
    made: list[Engine] = []

    def make(url: str) -> Engine:
        made.append(create_db_engine(url))
        return made[-1]

    yield make
    for engine in made:
        engine.dispose()


INSERT_HOSPITAL = (
    "INSERT INTO hospital (code, name, timezone, created_at) "
    "VALUES ('retry-{n}', 'Retry', 'UTC', CURRENT_TIMESTAMP)"
)


def test_sqlite_busy_is_retried(sqlite_url: str, engines: Callable[[str], Engine]) -> None:
    """Another process holds the write lock (no busy wait here): SQLITE_BUSY, then the lock is
    released and the second attempt writes."""
    holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), check_same_thread=False)
    holder.isolation_level = None
    holder.execute("BEGIN IMMEDIATE")
    engine = on_connect(engines(sqlite_url), "PRAGMA busy_timeout=0")

    def step(attempt: int) -> None:
        if attempt == 2:
            holder.execute("ROLLBACK")
        execute(engine, INSERT_HOSPITAL.format(n=attempt))

    assert attempts_of(step) == (2, "completed")
    holder.close()


SQLITE_PERMANENT: dict[str, tuple[str, str | None, str, str]] = {
    # case: (SQL, pragma on connect, what the database file holds, the error)
    "no such table": ("SELECT * FROM hospital", None, "empty", "OperationalError"),
    "syntax error": ("SELEC 1", None, "migrated", "OperationalError"),
    "missing column": (
        "SELECT no_such_column FROM hospital",
        None,
        "migrated",
        "OperationalError",
    ),
    "read-only": (
        INSERT_HOSPITAL.format(n=1),
        "PRAGMA query_only=ON",
        "migrated",
        "DATABASE_READ_ONLY",
    ),
    "corrupt": ("SELECT 1 FROM hospital", None, "garbage", "DATABASE_CORRUPT"),
}


@pytest.mark.parametrize("case", list(SQLITE_PERMANENT))
def test_sqlite_permanent_error_is_not_retried(
    case: str, sqlite_url: str, tmp_path: Path, engines: Callable[[str], Engine]
) -> None:
    sql, pragma, content, error = SQLITE_PERMANENT[case]
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    if content == "empty":
        path.unlink()
    elif content == "garbage":
        path.write_bytes(b"this is a text file, not a database\n" * 200)
    engine = engines(f"sqlite:///{path}")
    if pragma:
        on_connect(engine, pragma)
    assert attempts_of(lambda _attempt: execute(engine, sql)) == (1, error)


def test_sqlite_full_disk_is_not_retried(sqlite_url: str, engines: Callable[[str], Engine]) -> None:
    """A real SQLITE_FULL: the file may not grow by a page (PRAGMA max_page_count)."""
    pages = sqlite3.connect(sqlite_url.removeprefix("sqlite:///")).execute("PRAGMA page_count")
    engine = on_connect(engines(sqlite_url), f"PRAGMA max_page_count={pages.fetchone()[0]}")
    big = "x" * 100_000
    sql = (
        "INSERT INTO hospital (code, name, timezone, created_at) "
        f"VALUES ('full', '{big}', 'UTC', CURRENT_TIMESTAMP)"
    )
    assert attempts_of(lambda _attempt: execute(engine, sql)) == (1, "DATABASE_FULL")


def raise_sqlstate(sqlstate: str) -> str:
    """A statement on which the PostgreSQL server itself answers with `sqlstate`."""
    return f"DO $$ BEGIN RAISE EXCEPTION 'fault {sqlstate}' USING ERRCODE = '{sqlstate}'; END $$"


@pytest.mark.postgres
def test_postgres_refused_connection_is_retried_until_the_retries_run_out(
    postgres_url: str, engines: Callable[[str], Engine]
) -> None:
    url = sa.make_url(postgres_url).set(host="127.0.0.1", port=free_port())
    engine = engines(url.render_as_string(hide_password=False))
    assert attempts_of(lambda _attempt: execute(engine, "SELECT 1")) == (
        RETRIES + 1,
        "DATABASE_UNREACHABLE",
    )


@pytest.mark.postgres
def test_postgres_terminated_connection_is_retried(
    postgres_url: str, engines: Callable[[str], Engine]
) -> None:
    """57P01 admin_shutdown, as `pg_terminate_backend` (or a server shutdown) sends it."""
    engine = engines(postgres_url)

    def step(attempt: int) -> None:
        sql = "SELECT pg_terminate_backend(pg_backend_pid())" if attempt == 1 else "SELECT 1"
        execute(engine, sql)

    assert attempts_of(step) == (2, "completed")


@pytest.mark.postgres
def test_postgres_lock_not_available_is_retried(
    postgres_url: str, engines: Callable[[str], Engine]
) -> None:
    """55P03: another transaction holds the table's lock; it ends before the second attempt."""
    engine = engines(postgres_url)
    holder = engines(postgres_url).connect()
    holder.exec_driver_sql("LOCK TABLE hospital IN ACCESS EXCLUSIVE MODE")
    released = threading.Event()

    def step(attempt: int) -> None:
        if attempt == 2:
            holder.rollback()
            released.set()
        with engine.begin() as connection:
            connection.exec_driver_sql("LOCK TABLE hospital IN SHARE MODE NOWAIT")

    assert attempts_of(step) == (2, "completed")
    assert released.is_set()
    holder.close()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sqlstate", ["40001", "40P01", "53300", "57P03", "08006"], ids=lambda code: code
)
def test_postgres_transient_sqlstate_is_retried(
    sqlstate: str, postgres_url: str, engines: Callable[[str], Engine]
) -> None:
    """serialization_failure, deadlock_detected, too_many_connections, cannot_connect_now,
    connection_failure: the server's answer carries the code, the policy tries again."""
    engine = engines(postgres_url)

    def step(attempt: int) -> None:
        execute(engine, raise_sqlstate(sqlstate) if attempt == 1 else "SELECT 1")

    assert attempts_of(step) == (2, "completed")


POSTGRES_PERMANENT = {  # case: (SQL, the error)
    "no such table": ("SELECT * FROM no_such_table", "ProgrammingError"),
    "syntax error": ("SELEC 1", "ProgrammingError"),
    "missing column": ("SELECT no_such_column FROM hospital", "ProgrammingError"),
    "read-only": (
        "SET TRANSACTION READ ONLY; " + INSERT_HOSPITAL.format(n=1),
        "DATABASE_READ_ONLY",
    ),
    "disk full": (raise_sqlstate("53100"), "DATABASE_FULL"),
    "constraint": ("INSERT INTO hospital (code) VALUES (NULL)", "IntegrityError"),
}


@pytest.mark.postgres
@pytest.mark.parametrize("case", list(POSTGRES_PERMANENT))
def test_postgres_permanent_error_is_not_retried(
    case: str, postgres_url: str, engines: Callable[[str], Engine]
) -> None:
    engine = engines(postgres_url)
    sql, error = POSTGRES_PERMANENT[case]
    assert attempts_of(lambda _attempt: execute(engine, sql)) == (1, error)
