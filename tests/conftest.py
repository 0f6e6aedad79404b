"""Shared fixtures: real SQLite and PostgreSQL databases, migrated once per session.

`db_engine` runs a test on both backends. PostgreSQL comes from SCHEDCU_TEST_POSTGRES_URL (set by
`make test` when a server answers on 127.0.0.1:5432); without it those tests skip with the reason,
except in CI (`CI=true`), where a missing server fails the run. LibreOffice (`libreoffice`, which
`make test` installs) and ../shared/fixtures follow the same rule.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import fsspec.config
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from schedcu.config import get_settings
from schedcu.db import create_db_engine, upgrade
from tests.utils.browser import chromium_service
from tests.utils.databases import empty_database_url, scratch_postgres_url
from tests.utils.storage_servers import (
    HttpsServer,
    S3Server,
    SftpServer,
    running_https,
    running_moto,
    running_sshd,
)

POSTGRES_URL = os.environ.get("SCHEDCU_TEST_POSTGRES_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"
SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"
FIXTURES_DIR = SHARED_DIR / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--screenshots",
        default=str(Path(__file__).resolve().parents[1] / ".test-screenshots"),
        help="where a failed browser walk of the Prefect UI keeps its screenshots",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest modules first: those marked `slow` (they start their own servers, workers or
    installs), then those that run flows on the Prefect server, then the rest; each module's
    tests kept together and in order.

    `make test` hands whole modules to two xdist workers in this order; starting the long ones
    first keeps one worker from finishing a long module alone at the end."""
    rank: dict[Path, int] = {}
    for item in items:
        runs_flows = "prefect_server" in getattr(item, "fixturenames", ())
        item_rank = 0 if item.get_closest_marker("slow") else 1 if runs_flows else 2
        rank[item.path] = min(rank.get(item.path, 2), item_rank)
    items.sort(key=lambda item: rank[item.path])


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test sees the developer's SCHEDCU_* settings; each gets its own SCHEDCU_HOME."""
    for name in list(os.environ):
        if name.startswith("SCHEDCU_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SCHEDCU_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def real_template_path() -> Path:
    """The real department's template from ../shared/fixtures (required in CI)."""
    path = FIXTURES_DIR / "cuSchedNormalized.ods"
    if not path.is_file():
        if IN_CI:
            pytest.fail(f"{path} is missing: CI must run the tests on the shared fixtures")
        pytest.skip(f"{path} is absent (a clone without ../shared/fixtures)")
    return path


@pytest.fixture(scope="session")
def libreoffice() -> str:
    """The `libreoffice` executable (required in CI, where `make test` installs it)."""
    path = shutil.which("libreoffice")
    if path is None:
        if IN_CI:
            pytest.fail("CI requires LibreOffice: `libreoffice` is not on PATH (make libreoffice)")
        pytest.skip("LibreOffice is not installed (make libreoffice installs it)")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session, dropped afterwards."""
    if not POSTGRES_URL:
        if IN_CI:
            pytest.fail("CI requires PostgreSQL: SCHEDCU_TEST_POSTGRES_URL is not set")
        pytest.skip("SCHEDCU_TEST_POSTGRES_URL is not set (no PostgreSQL on 127.0.0.1:5432)")
    with ExitStack() as stack:
        try:
            url = stack.enter_context(scratch_postgres_url(POSTGRES_URL, "schedcu_test"))
        except sa.exc.OperationalError as exc:
            if IN_CI:
                raise
            pytest.skip(f"PostgreSQL at SCHEDCU_TEST_POSTGRES_URL does not answer: {exc.orig}")
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file; each test gets a copy, so migrations run once per session."""
    path = tmp_path_factory.mktemp("sqlite-template") / "schedcu.db"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the file
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty, migrated database: a SQLite file, then PostgreSQL."""
    with empty_database_url(request.param, request, tmp_path) as url:
        yield url


@pytest.fixture
def db_engine(db_url: str) -> Iterator[Engine]:
    engine = create_db_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real `prefect server start` per test session (API and UI); yields its API URL."""
    from tests.utils.prefect_server import running_prefect_server

    with running_prefect_server(tmp_path_factory.mktemp("prefect-server")) as api_url:
        yield api_url


@pytest.fixture(scope="session")
def prefect_api(prefect_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Flows and tasks run in this process report to the session's Prefect server."""
    from prefect.settings import (
        PREFECT_API_AUTH_STRING,
        PREFECT_API_URL,
        PREFECT_HOME,
        temporary_settings,
    )

    from tests.utils.prefect_server import AUTH_STRING

    home = tmp_path_factory.mktemp("prefect-client")
    with temporary_settings(
        {PREFECT_API_URL: prefect_server, PREFECT_API_AUTH_STRING: AUTH_STRING, PREFECT_HOME: home}
    ):
        yield prefect_server
        _drain_prefect_workers()


def _drain_prefect_workers() -> None:
    """Send the last logs and events while the server still listens.

    From a fresh thread: a sync Playwright kept in the main thread makes it look as if an event
    loop runs there, and `drain_all` would then return a coroutine instead of waiting."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    with ThreadPoolExecutor(1) as pool:
        pool.submit(APILogWorker.drain_all, timeout=10).result()
        pool.submit(EventsWorker.drain_all, timeout=10).result()


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The session's one headless Chromium: its DevTools endpoint, for the setting
    `chromium_cdp_url` (SCHEDCU_CHROMIUM_CDP_URL) that makes a scrape connect to it."""
    with chromium_service(tmp_path_factory.mktemp("chromium")) as cdp_url:
        yield cdp_url


# Storage servers on 127.0.0.1, one of each per session (tests/utils/storage_servers.py), and a
# worker's view of them for one test: the S3 credentials in the AWS_* variables (botocore reads
# them, and AWS_ENDPOINT_URL_S3 points s3fs at moto), the SFTP key in fsspec's configuration
# (what FSSPEC_SFTP_KEY_FILENAME sets in a process that starts with it).


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """moto's standalone S3 server: `.url(key)` (`s3://<bucket>/<key>`), `.environment()`
    (the AWS_* variables a worker needs), `.client()` (boto3, to put and read objects).
    It takes any key (its presigned links open); `s3_strict_server` checks them."""
    with running_moto(tmp_path_factory.mktemp("moto"), check_credentials=False) as server:
        yield server


@pytest.fixture(scope="session")
def s3_strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """moto with its IAM checks on: only the session's key pair is accepted."""
    with running_moto(tmp_path_factory.mktemp("moto-strict"), check_credentials=True) as server:
        yield server


@pytest.fixture
def s3_worker(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3Server:
    """This test's process reaches moto with the session's key (AWS_* variables)."""
    for name, value in s3_server.environment().items():
        monkeypatch.setenv(name, value)
    return s3_server


@pytest.fixture
def s3_strict_worker(s3_strict_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3Server:
    for name, value in s3_strict_server.environment().items():
        monkeypatch.setenv(name, value)
    return s3_strict_server


@pytest.fixture(scope="session")
def sftp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SftpServer]:
    """OpenSSH's sshd serving SFTP only: `.url(path)`, `.key_file`, `.wrong_key_file`."""
    with running_sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


@pytest.fixture
def sftp_worker(sftp_server: SftpServer, monkeypatch: pytest.MonkeyPatch) -> SftpServer:
    """This test's process logs in to sshd with the user key (fsspec's sftp configuration)."""
    options = {"key_filename": str(sftp_server.key_file), "look_for_keys": False}
    monkeypatch.setitem(fsspec.config.conf, "sftp", options | {"allow_agent": False})
    return sftp_server


@pytest.fixture(scope="session")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpsServer]:
    """A stdlib https server asking for Basic authentication; it serves the folder `.files`
    (shared by the session: each test puts its files under its own names).

    aiohttp loads its trusted certificates when it is imported, so a client trusts the
    server's CA only in a process started with SSL_CERT_FILE: `https_client_env`."""
    folder = tmp_path_factory.mktemp("https")
    (folder / "files").mkdir()
    with running_https(
        folder / "files", folder, user="coordinator", password="Https-pw-7"
    ) as server:
        yield server


@pytest.fixture
def https_client_env(https_server: HttpsServer, tmp_path: Path) -> dict[str, str]:
    """The environment of a worker process that trusts the https server's CA (SSL_CERT_FILE)
    and finds its login in a netrc file (NETRC, which aiohttp reads instead of ~/.netrc)."""
    env = {k: v for k, v in os.environ.items() if k != "SSL_CERT_DIR"}
    return env | {
        "SSL_CERT_FILE": str(https_server.ca_file),
        "NETRC": str(https_server.netrc(tmp_path / "netrc")),
    }
