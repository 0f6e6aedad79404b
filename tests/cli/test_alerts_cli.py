"""`schedcu alerts setup|list|remove` as a separate process against the session's Prefect
server: one automation per hospital however often it is set up, the address kept in the block
and never printed, bad addresses refused with INVALID_WEBHOOK_URL, nothing left after remove."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.cli.conftest import SCHEDCU, Cli
from tests.utils.prefect_server import api_client

pytestmark = pytest.mark.slow

TOKEN = "Zt5secretW3bhookT0ken"
WEBHOOK = f"http://127.0.0.1:9/alerts?token={TOKEN}"
SLACK = f"https://hooks.slack.com/services/T0AB12/B0CD34/{TOKEN}"
TEAMS = (
    "https://prod-01.westus.logic.azure.com:443/workflows/abc123/triggers/manual/paths/invoke"
    f"?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={TOKEN}"
)


def automations(prefect_server: str, hospital: str) -> list[dict]:
    with api_client(prefect_server) as client:
        response = client.post(
            "/automations/filter",
            json={"automations": {"tags": {"all_": ["schedcu-alerts", f"hospital:{hospital}"]}}},
        )
    response.raise_for_status()
    return response.json()


def block_slugs(prefect_server: str, hospital: str) -> list[str]:
    with api_client(prefect_server) as client:
        response = client.post(
            "/block_documents/filter",
            json={"block_documents": {"name": {"any_": [f"schedcu-alerts-{hospital}"]}}},
        )
    response.raise_for_status()
    return sorted(document["block_type"]["slug"] for document in response.json())


def listed(cli: Cli) -> list[dict]:
    done = cli.run("alerts", "list", "--json")
    assert done.returncode == 0, done.stderr
    return [route for route in json.loads(done.stdout) if route["hospital"] == cli.hospital]


@pytest.fixture
def known(cli: Cli) -> Cli:
    assert cli.run("hospital", "add", cli.hospital).returncode == 0
    return cli


def test_setup_twice_leaves_one_automation_and_never_prints_the_address(
    known: Cli, prefect_server: str
) -> None:
    first = known.run("alerts", "setup", "--hospital", known.hospital, "--webhook", WEBHOOK)
    again = known.run("alerts", "setup", "--hospital", known.hospital, "--webhook", WEBHOOK)
    assert first.returncode == again.returncode == 0, first.stderr + again.stderr
    assert first.stdout.startswith(f"Created the alerts of {known.hospital}")
    assert again.stdout.startswith(f"Updated the alerts of {known.hospital}")
    assert "http://127.0.0.1:9/…" in again.stdout

    found = automations(prefect_server, known.hospital)
    assert len(found) == 1
    trigger = found[0]["trigger"]
    assert set(trigger["expect"]) == {"schedcu.coverage.gap-opened", "schedcu.import.failed"}
    assert trigger["match"] == {"prefect.resource.id": f"schedcu.hospital.{known.hospital}"}
    assert [action["type"] for action in found[0]["actions"]] == ["send-notification"]
    assert listed(known) == [
        {
            "hospital": known.hospital,
            "automation_id": found[0]["id"],
            "enabled": True,
            "channel": "webhook",
            "destination": "http://127.0.0.1:9/…",
        }
    ]
    with api_client(prefect_server) as client:
        shown = json.dumps([client.get(f"/automations/{found[0]['id']}").json()])
    everything = first.stdout + first.stderr + again.stdout + again.stderr + shown
    assert TOKEN not in everything
    assert TOKEN not in known.run("alerts", "list").stdout


def test_changing_the_channel_replaces_the_block_and_keeps_one_automation(
    known: Cli, prefect_server: str
) -> None:
    for option, url in (("--webhook", WEBHOOK), ("--slack", SLACK), ("--teams", TEAMS)):
        done = known.run("alerts", "setup", "--hospital", known.hospital, option, url)
        assert done.returncode == 0, done.stderr
        assert TOKEN not in done.stdout + done.stderr
    assert block_slugs(prefect_server, known.hospital) == ["ms-teams-webhook"]
    assert len(automations(prefect_server, known.hospital)) == 1
    assert [route["channel"] for route in listed(known)] == ["teams"]


def test_the_address_can_come_from_standard_input(known: Cli, prefect_server: str) -> None:
    done = subprocess.run(
        [SCHEDCU, "alerts", "setup", "--hospital", known.hospital, "--slack", "-"],
        input=SLACK + "\n",
        env=known.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert block_slugs(prefect_server, known.hospital) == ["slack-webhook"]


@pytest.mark.parametrize(
    ("option", "url"),
    [
        ("--slack", WEBHOOK),
        ("--teams", f"https://example.org/hooks?sig={TOKEN}"),
        ("--webhook", f"https://user:{TOKEN}@example.org/hook"),
    ],
)
def test_a_bad_address_is_refused_and_nothing_is_stored(
    known: Cli, prefect_server: str, option: str, url: str
) -> None:
    done = known.run("alerts", "setup", "--hospital", known.hospital, option, url)
    assert done.returncode == 1
    assert done.stderr.startswith("schedcu: INVALID_WEBHOOK_URL: ")
    assert TOKEN not in done.stdout + done.stderr
    assert automations(prefect_server, known.hospital) == []
    assert block_slugs(prefect_server, known.hospital) == []


def test_an_unknown_hospital_gets_no_alerts(cli: Cli, prefect_server: str) -> None:
    done = cli.run("alerts", "setup", "--hospital", cli.hospital, "--webhook", WEBHOOK)
    assert done.returncode == 1
    assert done.stderr.startswith("schedcu: UNKNOWN_HOSPITAL: ")
    assert automations(prefect_server, cli.hospital) == []


def test_remove_deletes_the_automation_and_the_block(known: Cli, prefect_server: str) -> None:
    setup = known.run("alerts", "setup", "--hospital", known.hospital, "--webhook", WEBHOOK)
    assert setup.returncode == 0, setup.stderr
    removed = known.run("alerts", "remove", "--hospital", known.hospital)
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout == f"Removed the alerts of {known.hospital}.\n"
    assert automations(prefect_server, known.hospital) == []
    assert block_slugs(prefect_server, known.hospital) == []
    assert listed(known) == []
    again = known.run("alerts", "remove", "--hospital", known.hospital)
    assert again.stdout == f"{known.hospital} had no alerts.\n"
