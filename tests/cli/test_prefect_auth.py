"""The Prefect server asks who you are: the session's server has an auth string (as the README's
does); without it nothing is read or started, and the CLI says so with a coded sentence.

With the credentials, every other test of the session (CLI imports, the deployment's worker and
its flow runs, the in-process flows) runs against this same server: they are the "works with the
credentials" half."""

from __future__ import annotations

import httpx
import pytest

from tests.cli.conftest import Cli
from tests.utils.prefect_server import AUTH_STRING, api_client, free_port

READS = [
    ("POST", "/flow_runs/filter"),  # runs and their parameters
    ("POST", "/artifacts/filter"),  # names of radiologists, gaps
    ("POST", "/block_documents/filter"),  # Secret blocks: the Amion access code
    ("POST", "/deployments/filter"),
]


@pytest.mark.parametrize(("method", "path"), READS)
def test_the_api_refuses_a_call_without_credentials(
    prefect_server: str, method: str, path: str
) -> None:
    anonymous = httpx.request(method, f"{prefect_server}{path}", json={}, timeout=30)
    assert anonymous.status_code == 401
    wrong = httpx.request(
        method, f"{prefect_server}{path}", json={}, auth=("schedcu-tests", "guess"), timeout=30
    )
    assert wrong.status_code == 401
    with api_client(prefect_server) as api:
        assert api.request(method, path, json={}).status_code == 200


def test_creating_a_flow_run_without_credentials_is_refused(prefect_server: str) -> None:
    with api_client(prefect_server) as api:
        deployments = api.post("/deployments/filter", json={"limit": 1}).json()
    target = deployments[0]["id"] if deployments else "00000000-0000-0000-0000-000000000001"
    created = httpx.post(
        f"{prefect_server}/deployments/{target}/create_flow_run", json={}, timeout=30
    )
    assert created.status_code == 401


@pytest.mark.parametrize("credentials", [None, "schedcu-tests:not-the-password"])
def test_the_cli_without_the_servers_credentials_says_so_with_a_code(
    cli: Cli, credentials: str | None
) -> None:
    env = {k: v for k, v in cli.env.items() if k != "PREFECT_API_AUTH_STRING"}
    if credentials is not None:
        env["PREFECT_API_AUTH_STRING"] = credentials
    refused = Cli(**{**cli.__dict__, "env": env})
    for args in (
        ["status", "--hospital", cli.hospital],
        [
            "import", "--ods", str(cli.ods), "--hospital", cli.hospital,
            "--start", "2026-03-01", "--amion-url", cli.amion_url,
        ],
    ):  # fmt: skip
        done = refused.run(*args)
        assert done.returncode == 1, done.stderr[-2000:]
        assert "schedcu: PREFECT_UNAUTHORIZED: The Prefect server at" in done.stderr
        assert "PREFECT_API_AUTH_STRING" in done.stderr
        assert "Traceback" not in done.stderr
        assert AUTH_STRING.split(":", 1)[1] not in done.stderr + done.stdout
        if credentials:
            assert credentials.split(":", 1)[1] not in done.stderr + done.stdout


def test_the_cli_with_the_credentials_reads_the_status(cli: Cli) -> None:
    done = cli.run("status", "--hospital", cli.hospital)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"{cli.hospital}: IDLE" in done.stdout


def test_a_server_that_does_not_answer_gets_a_coded_sentence(cli: Cli) -> None:
    env = cli.env | {"PREFECT_API_URL": f"http://127.0.0.1:{free_port()}/api"}
    done = Cli(**{**cli.__dict__, "env": env}).run("status", "--hospital", cli.hospital)
    assert done.returncode == 1
    assert "schedcu: PREFECT_UNREACHABLE: Nothing answers at the Prefect server" in done.stderr
    assert "Traceback" not in done.stderr
