"""The database creates itself, and every database problem a user can cause is a coded sentence.

The commands run as real processes (`schedcu hospital add`), on SQLite and on a new PostgreSQL
database: a new SCHEDCU_HOME needs no `schedcu db upgrade`; four processes starting at once on a
new database migrate it once; migrate-on-start off, a newer database, a wrong URL, a server that
is down, a read-only, corrupt or full database each end with exit 1 and one line
`schedcu: CODE: sentence` (no traceback, no password); the import flow fails its run with it.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from prefect.states import State

from schedcu.cli import main
from schedcu.config import get_settings
from schedcu.db import MIGRATION_LOCK_KEY, create_db_engine, upgrade
from schedcu.examples.template_ods import write_example_template
from tests.conftest import POSTGRES_URL
from tests.utils.databases import scratch_postgres_url
from tests.utils.prefect_server import free_port  # nobody listens there: refused

SCHEDCU = str(Path(sys.executable).parent / "schedcu")
PASSWORD = "pw-s3cret-77"  # trust authentication ignores it; no message may show it
UNKNOWN_REVISION = "ffffffffffff"
RAN_ALONE = 4


def schedcu(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [SCHEDCU, *args],
        env=os.environ | (env or {}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Exit code and stderr of a `schedcu` process."""
    process = schedcu(*args, env=env)
    _, stderr = process.communicate(timeout=300)
    return process.returncode, stderr


def assert_coded_failure(result: tuple[int, str], code: str) -> str:
    returncode, stderr = result
    assert returncode == 1, stderr
    assert stderr.startswith(f"schedcu: {code}: "), stderr
    assert stderr.count("\n") == 1 and "Traceback" not in stderr, stderr
    assert PASSWORD not in stderr
    return stderr


def with_password(url: str) -> str:
    return sa.make_url(url).set(password=PASSWORD).render_as_string(hide_password=False)


def hospitals(url: str) -> list[str]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return sorted(connection.exec_driver_sql("SELECT code FROM hospital").scalars())
    finally:
        engine.dispose()


def revision(url: str) -> str | None:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("alembic_version"):
                return None
            return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    finally:
        engine.dispose()


def head() -> str:
    from alembic.script import ScriptDirectory

    from schedcu.db import MIGRATIONS_DIR

    return str(ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head())


@pytest.fixture
def new_postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database (no schema at all), dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("SCHEDCU_TEST_POSTGRES_URL is not set (no PostgreSQL on 127.0.0.1:5432)")
    with scratch_postgres_url(POSTGRES_URL, "schedcu_new", migrated=False) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def new_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database nobody has used yet: a SQLite path in a new folder, or a new PostgreSQL one."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'new-home' / 'schedcu.db'}"
    return request.getfixturevalue("new_postgres_url")


def test_a_new_home_works_without_db_upgrade(tmp_path: Path) -> None:
    home = tmp_path / "fresh-home"
    result = run(
        "hospital", "add", "newcomer", "--amion-url", "https://www.amion.com",
        env={"SCHEDCU_HOME": str(home)},
    )  # fmt: skip
    assert result[0] == 0, result[1]
    url = f"sqlite:///{home / 'schedcu.db'}"
    assert (hospitals(url), revision(url)) == (["newcomer"], head())


def test_a_new_database_is_migrated_on_first_use(new_database_url: str) -> None:
    env = {"SCHEDCU_DATABASE_URL": new_database_url}
    assert run("hospital", "add", "first", env=env)[0] == 0
    assert (hospitals(new_database_url), revision(new_database_url)) == (["first"], head())


# --- four processes at once -----------------------------------------------------------------


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll until `condition` holds; fails (rather than hangs) if it never does."""
    deadline = time.monotonic() + 120
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)


def opened(process: subprocess.Popen[str], path: Path) -> bool:
    """Whether `process` has `path` open (Linux /proc)."""
    with_fds = Path(f"/proc/{process.pid}/fd")
    try:
        return any(fd.readlink() == path for fd in with_fds.iterdir())
    except (FileNotFoundError, ProcessLookupError):
        return False


def start_four(url: str) -> list[subprocess.Popen[str]]:
    env = {"SCHEDCU_DATABASE_URL": url}
    return [schedcu("hospital", "add", f"racer-{n}", env=env) for n in range(RAN_ALONE)]


def assert_all_succeeded(processes: list[subprocess.Popen[str]], url: str) -> None:
    for process in processes:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
    assert hospitals(url) == [f"racer-{n}" for n in range(RAN_ALONE)]
    assert revision(url) == head()


def test_four_processes_starting_at_once_on_a_new_sqlite_database(tmp_path: Path) -> None:
    """The test holds the new file's write lock, as a fifth schedcu in the middle of migrating
    would (WAL, BEGIN IMMEDIATE), until all four have opened it, so all four reach the migration
    together; each waits its turn and the later ones find it done."""
    path = tmp_path / "race" / "schedcu.db"
    path.parent.mkdir()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("BEGIN IMMEDIATE")
    processes = start_four(f"sqlite:///{path}")
    for process in processes:
        wait_for(lambda process=process: opened(process, path), f"{process.pid} opens the file")
    holder.execute("ROLLBACK")
    holder.close()
    assert_all_succeeded(processes, f"sqlite:///{path}")


@pytest.mark.postgres
def test_four_processes_starting_at_once_on_a_new_postgres_database(new_postgres_url: str) -> None:
    """The test holds the migration's advisory lock until all four wait for it."""
    engine = create_db_engine(new_postgres_url)
    waiting = sa.text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    with engine.connect() as holder:
        holder.execute(sa.select(sa.func.pg_advisory_lock(MIGRATION_LOCK_KEY)))
        holder.commit()
        processes = start_four(new_postgres_url)
        with engine.connect() as watcher:

            def all_waiting() -> bool:
                count = watcher.execute(waiting).scalar()
                watcher.rollback()
                return count == RAN_ALONE

            wait_for(all_waiting, "four processes wait for the migration lock")
        holder.execute(sa.select(sa.func.pg_advisory_unlock(MIGRATION_LOCK_KEY)))
        holder.commit()
    engine.dispose()
    assert_all_succeeded(processes, new_postgres_url)


# --- the schema: behind with migrate-on-start off, or newer than the code -------------------


def test_migrate_on_start_off_refuses_a_database_behind_and_names_the_command(
    new_database_url: str,
) -> None:
    env = {"SCHEDCU_DATABASE_URL": new_database_url, "SCHEDCU_DATABASE_MIGRATE_ON_START": "false"}
    message = assert_coded_failure(
        run("hospital", "add", "early", env=env), "DATABASE_NOT_MIGRATED"
    )
    assert "`schedcu db upgrade`" in message
    assert revision(new_database_url) is None  # nothing created

    assert run("db", "upgrade", env=env)[0] == 0
    assert run("hospital", "add", "early", env=env)[0] == 0
    assert hospitals(new_database_url) == ["early"]


def test_a_database_newer_than_the_code_is_refused_and_left_alone(new_database_url: str) -> None:
    engine = create_db_engine(new_database_url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{UNKNOWN_REVISION}'")
    engine.dispose()
    env = {"SCHEDCU_DATABASE_URL": new_database_url}

    for command in (["hospital", "add", "late"], ["db", "upgrade"]):
        message = assert_coded_failure(run(*command, env=env), "DATABASE_TOO_NEW")
        assert UNKNOWN_REVISION in message
    assert (hospitals(new_database_url), revision(new_database_url)) == ([], UNKNOWN_REVISION)


# --- faults a user can cause ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        f"mysql://admin:{PASSWORD}@db.example.org/schedcu",
        f"postgresql+psycopg2://admin:{PASSWORD}@db.example.org/schedcu",
        f"postgresql://admin:{PASSWORD}@db.example.org:port/schedcu",
        f"oracle://admin:{PASSWORD}@",
    ],
)
def test_a_wrong_url_is_database_url_invalid(url: str) -> None:
    message = assert_coded_failure(
        run("hospital", "add", "x", env={"SCHEDCU_DATABASE_URL": url}), "DATABASE_URL_INVALID"
    )
    assert "sqlite:///" in message and "postgresql://" in message  # says what would work


def test_a_server_that_is_down_is_database_unreachable() -> None:
    url = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{free_port()}/schedcu"
    message = assert_coded_failure(
        run("hospital", "add", "x", env={"SCHEDCU_DATABASE_URL": url}), "DATABASE_UNREACHABLE"
    )
    assert "postgres:***@127.0.0.1" in message and "refused" in message


def read_only_prefix(path: Path) -> list[str]:
    """A command prefix under which `path` (a file or folder) cannot be written.

    As an ordinary user, the permissions say so; root ignores them, so there the command runs in
    its own mount namespace where `path` is bind-mounted read-only."""
    if os.geteuid() != 0:
        for item in [path, *path.iterdir()] if path.is_dir() else [path]:
            item.chmod(0o555 if item.is_dir() else 0o444)
        return []
    script = 'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && shift && exec "$@"'
    return ["unshare", "--mount", "sh", "-c", script, "sh", str(path)]


def run_read_only(path: Path, home: Path) -> tuple[int, str]:
    process = subprocess.run(
        [*read_only_prefix(path), SCHEDCU, "hospital", "add", "x"],
        env=os.environ | {"SCHEDCU_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    return process.returncode, process.stderr


@pytest.mark.parametrize("what", ["file", "folder", "folder of a new database"])
def test_a_read_only_sqlite_database_is_database_read_only(
    what: str, tmp_path: Path, sqlite_template: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    if what != "folder of a new database":
        (home / "schedcu.db").write_bytes(sqlite_template.read_bytes())
    target = home / "schedcu.db" if what == "file" else home
    assert_coded_failure(run_read_only(target, home), "DATABASE_READ_ONLY")


def test_a_sqlite_home_that_cannot_be_created_is_database_read_only(tmp_path: Path) -> None:
    parent = tmp_path / "locked"
    parent.mkdir()
    message = assert_coded_failure(run_read_only(parent, parent / "home"), "DATABASE_READ_ONLY")
    assert str(parent / "home") in message


@pytest.mark.postgres
def test_a_read_only_postgres_database_is_database_read_only() -> None:
    with scratch_postgres_url(str(POSTGRES_URL), "schedcu_ro") as url:
        admin = sa.create_engine(str(POSTGRES_URL), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            name = sa.make_url(url).database
            connection.exec_driver_sql(
                f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'
            )
        admin.dispose()
        env = {"SCHEDCU_DATABASE_URL": with_password(url)}
        assert_coded_failure(run("hospital", "add", "x", env=env), "DATABASE_READ_ONLY")


@pytest.mark.parametrize(
    "content",
    [b"", b"a text file, not a database\n" * 300, b"SQLite format 3\x00" + b"\xa5" * 8176],
    ids=["empty-then-garbage", "text", "damaged-header"],
)
def test_a_corrupt_sqlite_file_is_database_corrupt(content: bytes, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "schedcu.db").write_bytes(content or os.urandom(8192))
    env = {"SCHEDCU_HOME": str(home)}
    assert_coded_failure(run("hospital", "add", "x", env=env), "DATABASE_CORRUPT")


def test_a_full_sqlite_database_is_database_full_and_keeps_nothing(
    tmp_path: Path,
    sqlite_template: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A real SQLITE_FULL: every connection in this process may not grow the file
    (`PRAGMA max_page_count`, set from the test through SQLAlchemy's pool events); the command
    runs in-process, as `schedcu` would."""
    path = tmp_path / "full" / "schedcu.db"
    path.parent.mkdir()
    path.write_bytes(sqlite_template.read_bytes())
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]

    def no_growth(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    monkeypatch.setenv("SCHEDCU_DATABASE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    sa.event.listen(sa.pool.Pool, "connect", no_growth)
    try:
        returncode = main(["hospital", "add", "big", "--name", "x" * 200_000])
    finally:
        sa.event.remove(sa.pool.Pool, "connect", no_growth)
    stderr = capsys.readouterr().err
    assert returncode == 1
    assert stderr.startswith("schedcu: DATABASE_FULL: ") and stderr.count("\n") == 1, stderr
    assert hospitals(f"sqlite:///{path}") == []


# --- the flow: a Failed run with the coded sentence -----------------------------------------


@pytest.mark.usefixtures("prefect_api")
@pytest.mark.parametrize(
    "fault", ["DATABASE_URL_INVALID", "DATABASE_UNREACHABLE", "DATABASE_CORRUPT"]
)
def test_the_import_flow_fails_its_run_with_the_coded_sentence(
    fault: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.schedule_import import schedule_import

    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"not a database\n" * 500)
    url = {
        "DATABASE_URL_INVALID": f"mysql://admin:{PASSWORD}@db.example.org/schedcu",
        "DATABASE_UNREACHABLE": f"postgresql://admin:{PASSWORD}@127.0.0.1:{free_port()}/x",
        "DATABASE_CORRUPT": f"sqlite:///{corrupt}",
    }[fault]
    monkeypatch.setenv("SCHEDCU_DATABASE_URL", url)
    get_settings.cache_clear()
    template = write_example_template(tmp_path / "template.ods")

    state: State = schedule_import(
        hospital=f"flow-{uuid.uuid4().hex[:8]}",
        ods_path=str(template),
        months=1,
        return_state=True,
    )
    assert state.is_failed(), state
    assert (state.message or "").startswith(f"{fault}: "), state.message
    assert PASSWORD not in (state.message or "")
