"""prefect.yaml as the UI lists it: deployments a coordinator can tell apart, and scheduled ones
(nightly, hourly) that cannot run for a placeholder hospital."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

PREFECT_YAML = Path(__file__).resolve().parents[2] / "prefect.yaml"


def _deployments() -> list[dict[str, Any]]:
    return yaml.safe_load(PREFECT_YAML.read_text())["deployments"]


def test_every_deployment_has_its_own_name() -> None:
    names = [d["name"] for d in _deployments()]
    assert len(set(names)) == len(names) == 5


def test_a_scheduled_deployment_ships_without_parameters_and_with_its_schedule_off() -> None:
    scheduled = [d for d in _deployments() if d.get("schedules")]
    assert {d["name"] for d in scheduled} == {"import-nightly", "refresh-nightly", "refresh-hourly"}
    for deployment in scheduled:
        assert "parameters" not in deployment, deployment["name"]
        assert all(schedule["active"] is False for schedule in deployment["schedules"])


def test_the_hourly_refresh_runs_the_refresh_flow_every_hour() -> None:
    (hourly,) = [d for d in _deployments() if d["name"] == "refresh-hourly"]
    (nightly,) = [d for d in _deployments() if d["name"] == "refresh-nightly"]
    assert hourly["entrypoint"] == nightly["entrypoint"]
    assert hourly["entrypoint"] == "flows/nightly_refresh.py:nightly_refresh"
    (schedule,) = hourly["schedules"]
    minute, *every = schedule["cron"].split()
    assert minute.isdigit() and every == ["*", "*", "*", "*"]
