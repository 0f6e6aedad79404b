"""prefect.yaml as the UI lists it: deployments a coordinator can tell apart, scheduled ones
(nightly, hourly) that cannot run for a placeholder hospital, and the two kinds (local, remote)
that the README's `prefect deploy --name` patterns pick apart."""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

PREFECT_YAML = Path(__file__).resolve().parents[2] / "prefect.yaml"


def _deployments() -> list[dict[str, Any]]:
    return yaml.safe_load(PREFECT_YAML.read_text())["deployments"]


def test_every_deployment_has_its_own_name() -> None:
    names = [d["name"] for d in _deployments()]
    assert len(set(names)) == len(names) == 10


def test_a_scheduled_deployment_ships_without_parameters_and_with_its_schedule_off() -> None:
    scheduled = [d for d in _deployments() if d.get("schedules")]
    assert {d["name"] for d in scheduled} == {
        "import-nightly",
        "refresh-nightly",
        "refresh-hourly",
        "import-nightly-remote",
        "refresh-nightly-remote",
    }
    for deployment in scheduled:
        assert "parameters" not in deployment, deployment["name"]
        assert all(schedule["active"] is False for schedule in deployment["schedules"])


# The README's commands: `prefect deploy --name '*-on-demand' --name '*-nightly' --name
# '*-hourly'` (local) and `--name '*-remote'` (remote); Prefect matches a pattern against the
# whole name.
LOCAL_PATTERNS = ("*-on-demand", "*-nightly", "*-hourly")
REMOTE_PATTERN = "*-remote"


def test_the_deploy_patterns_pick_each_kind_whole_and_nothing_else() -> None:
    for deployment in _deployments():
        name, pool = deployment["name"], deployment["work_pool"]["name"]
        local = any(fnmatchcase(name, pattern) for pattern in LOCAL_PATTERNS)
        remote = fnmatchcase(name, REMOTE_PATTERN)
        assert (local, remote) == ((True, False) if pool == "schedcu" else (False, True)), name


def test_a_remote_deployment_clones_its_code_and_a_local_one_runs_from_the_checkout() -> None:
    config = yaml.safe_load(PREFECT_YAML.read_text())
    [top_pull] = config["pull"]
    assert "prefect.deployments.steps.set_working_directory" in top_pull
    for deployment in _deployments():
        if deployment["work_pool"]["name"] == "schedcu":
            assert "pull" not in deployment and "build" not in deployment, deployment["name"]
            continue
        assert deployment["build"] is None, deployment["name"]  # no checkout folder to record
        [step] = deployment["pull"]
        assert step["prefect.deployments.steps.git_clone"] == {
            "repository": "{{ prefect.variables.schedcu_repository }}",
            "branch": "{{ prefect.variables.schedcu_branch }}",
        }


def test_versions_are_promoted_on_demand_from_their_own_deployment() -> None:
    [promote] = [d for d in _deployments() if d["name"] == "promote-version-on-demand"]
    assert promote["entrypoint"] == "flows/promote_version.py:promote_version"
    assert "schedules" not in promote and promote["enforce_parameter_schema"] is False


def test_the_hourly_refresh_runs_the_refresh_flow_every_hour() -> None:
    (hourly,) = [d for d in _deployments() if d["name"] == "refresh-hourly"]
    (nightly,) = [d for d in _deployments() if d["name"] == "refresh-nightly"]
    assert hourly["entrypoint"] == nightly["entrypoint"]
    assert hourly["entrypoint"] == "flows/nightly_refresh.py:nightly_refresh"
    (schedule,) = hourly["schedules"]
    minute, *every = schedule["cron"].split()
    assert minute.isdigit() and every == ["*", "*", "*", "*"]
