"""Bad input through the widest door: parameters sent through Prefect's REST API to a real
deployment of the import flow, run by a real process worker. Each bad value fails its run before
phase 1 with a coded sentence, and nothing is written: no task run, no version, no shift, no
artifact, no concurrency limit named after what was sent.

BAD_INPUT is the table: add a row to test one more value. `{templates}` in a value is the
deployment's template source (SCHEDCU_HOME/templates of the worker); LEFT_OUT leaves the
parameter out of the request (as a deployment whose parameters were never set does). All runs
start at once and one worker runs them; a good request in the same batch shows the door is not
simply shut.

PROMOTE_BAD_INPUT is the same for the promote-version deployment: each bad value fails its run
with its code and changes no version's status and no history.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import FlowRun, Log
from prefect.exceptions import ObjectNotFound

from flows.hospital_lock import limit_name
from flows.nightly_refresh import nightly_refresh
from flows.promote_version import promote_version
from flows.recalculate_coverage import recalculate_coverage
from flows.schedule_import import schedule_import
from schedcu.db import transaction
from schedcu.examples.template_ods import write_example_template
from schedcu.hospitals import add_hospital
from schedcu.models import Hospital, ScheduleVersion, ShiftInstance, VersionStatusChange
from schedcu.request import NIL_UUID
from schedcu.versions import promote
from tests.flows.conftest import RUNS_TIMEOUT_S, Deployments, artifacts, logs, task_runs
from tests.utils.builders import make_hospital, make_version

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_api")]

HOSPITAL = f"rest-{uuid.uuid4().hex[:8]}"
UNKNOWN = f"unknown-{uuid.uuid4().hex[:8]}"
NOT_ALLOWED = "TEMPLATE_SOURCE_NOT_ALLOWED"
LEFT_OUT = object()
GOOD_NAMES = ("hospital", "ods_path", "start_date", "months")

# (case, parameters that replace those of a good request, the code the run fails with)
BAD_INPUT: list[tuple[str, dict[str, Any], str]] = [
    # import-nightly as prefect.yaml ships it: no parameters at all
    ("no parameters", dict.fromkeys(GOOD_NAMES, LEFT_OUT), "HOSPITAL_NOT_SET"),
    ("hospital left out", {"hospital": LEFT_OUT}, "HOSPITAL_NOT_SET"),
    ("hospital null", {"hospital": None}, "HOSPITAL_NOT_SET"),
    ("ods_path left out", {"ods_path": LEFT_OUT}, "TEMPLATE_NOT_SET"),
    ("ods_path null", {"ods_path": None}, "TEMPLATE_NOT_SET"),
    ("months 0", {"months": 0}, "INVALID_PERIOD"),
    ("months -1", {"months": -1}, "INVALID_PERIOD"),
    ("months 10000", {"months": 10000}, "INVALID_PERIOD"),
    ("months '3'", {"months": "3"}, "INVALID_PERIOD"),
    ("months null", {"months": None}, "INVALID_PERIOD"),
    ("start month 13", {"start_date": "2026-13-01"}, "INVALID_PERIOD"),
    ("start 'yesterday'", {"start_date": "yesterday"}, "INVALID_PERIOD"),
    ("start year 1", {"start_date": "0001-03-01"}, "INVALID_PERIOD"),
    ("start year 9999", {"start_date": "9999-12-01"}, "INVALID_PERIOD"),
    ("hospital ''", {"hospital": ""}, "INVALID_HOSPITAL_CODE"),
    ("hospital '../x'", {"hospital": "../x"}, "INVALID_HOSPITAL_CODE"),
    ("hospital quotes", {"hospital": "x'\"; --"}, "INVALID_HOSPITAL_CODE"),
    ("hospital 10,000 chars", {"hospital": "a" * 10_000}, "INVALID_HOSPITAL_CODE"),
    ("hospital unknown", {"hospital": UNKNOWN}, "UNKNOWN_HOSPITAL"),
    ("ods_path a folder", {"ods_path": "{templates}"}, "ODS_NOT_READABLE"),
    ("ods_path /dev/zero", {"ods_path": "/dev/zero"}, NOT_ALLOWED),
    ("ods_path a FIFO", {"ods_path": "{templates}/fifo.ods"}, "ODS_NOT_READABLE"),
    ("ods_path /etc/hostname", {"ods_path": "/etc/hostname"}, NOT_ALLOWED),
    ("ods_path missing outside", {"ods_path": "/etc/no-such-template.ods"}, NOT_ALLOWED),
    ("ods_path symlink out", {"ods_path": "{templates}/link.ods"}, NOT_ALLOWED),
    ("ods_path ../ out", {"ods_path": "{templates}/../schedcu.db"}, NOT_ALLOWED),
    ("roster_path /etc/hostname", {"roster_path": "/etc/hostname"}, NOT_ALLOWED),
    ("user_id nil UUID", {"user_id": NIL_UUID}, "INVALID_USER_ID"),
    ("user_id 10,000 chars", {"user_id": "u" * 10_000}, "INVALID_USER_ID"),
]

CHANGES = {case: changes for case, changes, _ in BAD_INPUT}


@pytest.fixture(scope="module")
def runs(deployments: Deployments) -> dict[str, FlowRun]:
    """Every case's run (and the good request's, as "good"), final."""
    templates = deployments.templates
    add_hospital(deployments.engine, code=HOSPITAL)  # no Amion: phase 2 fails at once
    good = {
        "hospital": HOSPITAL,
        "ods_path": str(write_example_template(templates / "template.ods")),
        "start_date": "2026-03-01",
        "months": 1,
    }
    os.mkfifo(templates / "fifo.ods")
    (templates / "link.ods").symlink_to("/etc/hostname")
    deployment_id = deployments.deploy(
        schedule_import, "flows/schedule_import.py:schedule_import", "bad-input"
    )
    requests = {"good": good} | {
        case: {
            name: _placed(value, templates)
            for name, value in (good | changes).items()
            if value is not LEFT_OUT
        }
        for case, changes, _ in BAD_INPUT
    }
    done = deployments.run_all(deployment_id, requests.values())
    return dict(zip(requests, done, strict=True))


def _all_logs(run: FlowRun) -> list[Log]:
    """The run's logs once its process has sent its last ones (the engine's record of how the
    run ended comes after "Finished in state")."""
    deadline = time.monotonic() + RUNS_TIMEOUT_S
    while True:
        found = sorted(logs(run.id), key=lambda log: log.timestamp)
        if any(log.message.startswith("Finished in state") for log in found):
            return found
        assert time.monotonic() < deadline, f"{run.name}: no final log"
        time.sleep(0.5)


def _placed(value: Any, templates: object) -> Any:
    return value.format(templates=templates) if isinstance(value, str) else value


@pytest.mark.parametrize(("case", "code"), [(case, code) for case, _, code in BAD_INPUT])
def test_bad_input_through_the_rest_api_fails_before_phase_1_with_its_code(
    runs: dict[str, FlowRun], case: str, code: str
) -> None:
    run = runs[case]
    assert run.state is not None and run.state.type.value == "FAILED", (case, run.state)
    message = run.state.message or ""
    assert message.startswith(f"{code}: "), message
    assert len(message) < 400 and "Traceback" not in message
    assert task_runs(run.id) == [] and artifacts(run.id) == []
    # A coordinator's mistake, not a bug: the logs end with the sentence, without the traceback
    # Prefect's engine logs for a failed deployment run.
    found = _all_logs(run)
    assert not [log.message for log in found if "Traceback" in log.message]
    errors = [log.message for log in found if log.level >= logging.ERROR]
    assert errors == [f"Run failed: {message}"], errors
    # A known hospital's refused run is its latest run (`schedcu status` says FAILED); a run
    # whose hospital is not a known one's carries no hospital's tag.
    known = "hospital" not in CHANGES[case]
    tagged = [tag for tag in run.tags if tag.startswith("hospital:")]
    assert tagged == ([f"hospital:{HOSPITAL}"] if known else []), (case, run.tags)


def test_the_good_request_in_the_same_batch_completes(runs: dict[str, FlowRun]) -> None:
    state = runs["good"].state
    assert state is not None and state.type.value == "COMPLETED", state
    phases = sorted(run.name.split()[0] for run in task_runs(runs["good"].id))
    assert phases == ["amion-scrape", "coverage", "ods-import"]
    # The UI's filter by hospital finds the run and each of its task runs.
    assert f"hospital:{HOSPITAL}" in runs["good"].tags
    assert all(f"hospital:{HOSPITAL}" in run.tags for run in task_runs(runs["good"].id))


def test_bad_input_wrote_nothing(runs: dict[str, FlowRun], deployments: Deployments) -> None:
    ours = sa.select(ScheduleVersion.id).join(Hospital).where(Hospital.code == HOSPITAL)
    with deployments.engine.connect() as connection:
        versions = connection.execute(sa.select(sa.func.count()).select_from(ours.subquery()))
        shifts = connection.execute(
            sa.select(ShiftInstance.version_id).where(ShiftInstance.version_id.in_(ours)).distinct()
        )
        assert versions.scalar_one() == 1 and len(shifts.all()) == 1  # the good request's only
    with get_client(sync_client=True) as client:
        for hospital in (UNKNOWN, "../x", "x"):
            with pytest.raises(ObjectNotFound):
                client.read_global_concurrency_limit_by_name(limit_name(hospital))


def test_a_refusal_does_not_tell_whether_the_file_exists(runs: dict[str, FlowRun]) -> None:
    exists, missing = runs["ods_path /etc/hostname"], runs["ods_path missing outside"]
    assert exists.state and missing.state
    assert exists.state.message == missing.state.message


# (case, parameters that replace those of a good promotion, the code the run fails with);
# `{active}` is a version already ACTIVE.
PROMOTE_BAD_INPUT: list[tuple[str, dict[str, Any], str]] = [
    ("version_id 0", {"version_id": 0}, "NO_VERSION"),
    ("version_id -1", {"version_id": -1}, "NO_VERSION"),
    ("version_id '7'", {"version_id": "7"}, "NO_VERSION"),
    ("version_id null", {"version_id": None}, "VERSION_NOT_SET"),
    ("version_id 10**20", {"version_id": 10**20}, "NO_VERSION"),
    ("version_id unknown", {"version_id": 2_000_000_000}, "NO_VERSION"),
    ("version_id already ACTIVE", {"version_id": "{active}"}, "VERSION_ALREADY_ACTIVE"),
    ("promoted_by ''", {"promoted_by": ""}, "INVALID_USER_ID"),
    ("promoted_by null", {"promoted_by": None}, "INVALID_USER_ID"),
    ("promoted_by nil UUID", {"promoted_by": NIL_UUID}, "INVALID_USER_ID"),
    ("promoted_by 10,000 chars", {"promoted_by": "u" * 10_000}, "INVALID_USER_ID"),
    ("promoted_by NUL", {"promoted_by": "ann\x00"}, "INVALID_USER_ID"),
    ("reason 10,000 chars", {"reason": "r" * 10_000}, "INVALID_REASON"),
    ("reason escape", {"reason": "the \x1b[2J rota"}, "INVALID_REASON"),
]
PROMOTE_CHANGES = {case: changes for case, changes, _ in PROMOTE_BAD_INPUT}


@pytest.fixture(scope="module")
def promotions(deployments: Deployments) -> tuple[dict[str, FlowRun], str, list[int]]:
    """Every case's run and the good promotion's ("good"), final; the hospital; the versions
    (ACTIVE, then the one the good request promotes)."""
    with transaction(deployments.engine) as session:
        hospital = make_hospital(session)
        active, draft = (make_version(session, hospital).id for _ in range(2))
    assert active and draft
    promote(deployments.engine, version_id=active, by="setup")
    good = {"version_id": draft, "promoted_by": "ann", "reason": "The March rota"}
    deployment_id = deployments.deploy(
        promote_version, "flows/promote_version.py:promote_version", "bad-promotion"
    )
    requests = {
        case: good | {k: active if v == "{active}" else v for k, v in changes.items()}
        for case, changes in PROMOTE_CHANGES.items()
    } | {"good": good}
    done = deployments.run_all(deployment_id, requests.values())
    return dict(zip(requests, done, strict=True)), hospital.code, [active, draft]


@pytest.mark.parametrize(("case", "code"), [(case, code) for case, _, code in PROMOTE_BAD_INPUT])
def test_a_bad_promotion_through_the_rest_api_fails_with_its_code(
    promotions: tuple[dict[str, FlowRun], str, list[int]], case: str, code: str
) -> None:
    runs, hospital, _ = promotions
    run = runs[case]
    assert run.state is not None and run.state.type.value == "FAILED", (case, run.state)
    message = run.state.message or ""
    assert message.startswith(f"{code}: "), message
    assert len(message) < 400 and "Traceback" not in message and "\x00" not in message
    # A refused run of a known version is its hospital's; of no known version, nobody's.
    known = "version_id" not in PROMOTE_CHANGES[case] or case == "version_id already ACTIVE"
    tagged = [tag for tag in run.tags if tag.startswith("hospital:")]
    assert tagged == ([f"hospital:{hospital}"] if known else []), (case, run.tags)


def test_the_good_promotion_in_the_same_batch_is_the_only_change(
    promotions: tuple[dict[str, FlowRun], str, list[int]], deployments: Deployments
) -> None:
    runs, _, (active, draft) = promotions
    state = runs["good"].state
    assert state is not None and state.type.value == "COMPLETED", state
    with deployments.engine.connect() as connection:
        changes = connection.execute(
            sa.select(
                VersionStatusChange.version_id,
                VersionStatusChange.to_status,
                VersionStatusChange.changed_by,
            ).order_by(VersionStatusChange.id)
        ).all()
    assert [tuple(row) for row in changes] == [
        (active, "ACTIVE", "setup"),
        (draft, "ACTIVE", "ann"),
        (active, "ARCHIVED", "ann"),
    ]


def test_a_deployment_run_without_parameters_names_what_to_set(deployments: Deployments) -> None:
    """refresh-nightly ships without parameters (prefect.yaml): a run of it as shipped, and one of
    the recalculation without its version, fail with the sentence saying what to set."""
    refresh = deployments.deploy(
        nightly_refresh, "flows/nightly_refresh.py:nightly_refresh", "refresh-unset"
    )
    recalculate = deployments.deploy(
        recalculate_coverage, "flows/recalculate_coverage.py:recalculate_coverage", "recalc-unset"
    )
    [unset_refresh] = deployments.run_all(refresh, [{}])
    [unset_version] = deployments.run_all(recalculate, [{}])
    for run, code, name in [
        (unset_refresh, "HOSPITAL_NOT_SET", "hospital"),
        (unset_version, "VERSION_NOT_SET", "version_id"),
    ]:
        assert run.state is not None and run.state.type.value == "FAILED", run.state
        message = run.state.message or ""
        assert message.startswith(f"{code}: ") and f"set `{name}`" in message, message
        assert "Ellipsis" not in run.name + message and task_runs(run.id) == []
    assert unset_refresh.name == "refresh (no hospital)"
