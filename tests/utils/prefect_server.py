"""A real `prefect server start` on 127.0.0.1, for tests that need the UI or a worker.

The server asks who you are, as the README's server does: it is started with an auth string made
for this test process (`AUTH_STRING`), and every client the tests start (CLI, worker, flow runs,
the in-process Prefect client, `api_client`) gets it the way a user's would, through
PREFECT_API_AUTH_STRING.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from tests.utils.processes import stop_process_group

if TYPE_CHECKING:
    from prefect import Flow

CHECKOUT = Path(__file__).resolve().parents[2]

STARTUP_TIMEOUT_S = 300.0  # a server on 2 cores at load 20 can take minutes
PREFECT = str(Path(sys.executable).parent / "prefect")
AUTH_USER = "schedcu-tests"
AUTH_STRING = f"{AUTH_USER}:{secrets.token_urlsafe(18)}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prefect_environment(home: Path, api_url: str | None = None) -> dict[str, str]:
    """The environment for Prefect processes of a test: own home and database, no telemetry."""
    env = dict(os.environ)
    env |= {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'prefect.db'}",
    }
    if api_url:
        env["PREFECT_API_URL"] = api_url
        env["PREFECT_API_AUTH_STRING"] = AUTH_STRING
    return env


def api_client(api_url: str) -> httpx.Client:
    """An HTTP client of the server's REST API with the credentials, as another system uses it."""
    user, password = AUTH_STRING.split(":", 1)
    return httpx.Client(base_url=api_url, auth=(user, password), timeout=30)


@contextmanager
def running_prefect_server(home: Path) -> Iterator[str]:
    """Start a server in its own process group; yield its API URL; stop it afterwards."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "prefect"),
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        # The UI asks the API at PREFECT_UI_API_URL; without it, it would ask 127.0.0.1:4200.
        env=prefect_environment(home)
        | {"PREFECT_UI_API_URL": api_url, "PREFECT_SERVER_API_AUTH_STRING": AUTH_STRING},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_healthy(api_url, process, home / "server.log")
        yield api_url
    finally:
        stop_process_group(process, timeout=20)
        log.close()


def _wait_healthy(api_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prefect server exited early:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{api_url}/health", timeout=10).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"prefect server did not start in time:\n{log_path.read_text()[-3000:]}")


def isolated_bench_environment(work: Path, amion_code: str) -> Path:
    """For a benchmark process: a fresh SCHEDCU_HOME under `work`, the simulator's Amion code,
    no rate limit, no telemetry, quiet Prefect logs. Returns the home folder."""
    work.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(dir=work))
    os.environ |= {
        "SCHEDCU_HOME": str(home),
        "SCHEDCU_AMION_CODE": amion_code,
        "SCHEDCU_AMION_REQUESTS_PER_SECOND": "0",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    return home


@contextmanager
def process_worker(
    pool: str,
    env: dict[str, str],
    folder: Path,
    *,
    limit: int | None = None,
    name: str | None = None,
    python: Path | None = None,
    cwd: Path | None = None,
) -> Iterator[Path]:
    """A `prefect worker` of the process work pool `pool`, started in `folder` (or `cwd`) with
    `env`, its output in `folder/worker.log` (yielded); stopped with its flow-run processes
    afterwards. `limit`: at most that many flow runs at once (the others wait their turn);
    `name`: the worker's name (else Prefect makes one up); `python`: the interpreter whose
    Prefect runs the worker and its flow runs (else this one's)."""
    log_path = folder / "worker.log"
    at_most = ["--limit", str(limit)] if limit else []
    named = ["--name", name] if name else []
    prefect = [str(python), "-m", "prefect"] if python else [PREFECT]
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [*prefect, "worker", "start", "--pool", pool, "--type", "process", *at_most, *named],
            # The deployment's pull step, not the worker's folder, decides the code.
            cwd=cwd or folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield log_path
        finally:
            stop_process_group(worker, timeout=30)


def deploy_from_checkout(
    flow: Flow[..., Any], *, entrypoint: str, name: str, pool: str
) -> uuid.UUID:
    """Deploy `flow` from this checkout, as prefect.yaml's deployments are (the API does not
    refuse parameters against the schema, so every bad value reaches the flow's own check)."""
    return flow.from_source(source=str(CHECKOUT), entrypoint=entrypoint).deploy(
        name=name,
        work_pool_name=pool,
        build=False,
        push=False,
        print_next_steps=False,
        ignore_warnings=True,
        enforce_parameter_schema=False,
    )
