"""prefect.yaml as the UI lists it: deployments a coordinator can tell apart, and nightly ones that
cannot run for a placeholder hospital."""

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


def test_a_nightly_deployment_ships_without_parameters_and_with_its_schedule_off() -> None:
    nightly = [d for d in _deployments() if d.get("schedules")]
    assert {d["name"] for d in nightly} == {"import-nightly", "refresh-nightly"}
    for deployment in nightly:
        assert "parameters" not in deployment, deployment["name"]
        assert all(schedule["active"] is False for schedule in deployment["schedules"])


def test_versions_are_promoted_on_demand_from_their_own_deployment() -> None:
    [promote] = [d for d in _deployments() if d["name"] == "promote-version-on-demand"]
    assert promote["entrypoint"] == "flows/promote_version.py:promote_version"
    assert "schedules" not in promote and promote["enforce_parameter_schema"] is False
