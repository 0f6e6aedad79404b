"""The import flow on a real Prefect server, real databases, real Chromium and the simulator."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from prefect.blocks.system import Secret
from prefect.client.orchestration import get_client
from prefect.states import State
from sqlmodel import Session, select

from flows.schedule_import import schedule_import
from flows.status import hospital_status
from schedcu.config import get_settings
from schedcu.errors import OrchestrationFailed
from schedcu.models import Assignment, CoverageCalculation, ScheduleVersion, ScrapeBatch
from tasks.secrets import secret_block_name
from tests.flows.conftest import CODE, Setup, artifacts, logs, task_runs
from tests.utils.example_figures import MARCH_2026_COUNTS, MARCH_2026_COVERAGE
from tests.utils.storage_servers import S3Server, SftpServer

pytestmark = pytest.mark.usefixtures("prefect_api")

MARCH = dt.date(2026, 3, 1)


def _run(setup: Setup, **overrides: object) -> State:
    parameters: dict[str, object] = {
        "hospital": setup.hospital,
        "ods_path": str(setup.ods_path),
        "start_date": MARCH,
        "months": 1,
        "user_id": "coordinator@example.org",
        "roster_path": str(setup.roster_path),
    }
    return setup.run(schedule_import, **(parameters | overrides), return_state=True)


def _names(state: State) -> dict[str, list[str]]:
    """Task-run names by task, and their final state names."""
    runs = task_runs(state.state_details.flow_run_id)
    return {run.name: [run.state.name if run.state else "", str(run.run_count)] for run in runs}


def test_full_success_completes_with_every_phase_and_the_result(setup: Setup) -> None:
    # A direct call reads what its caller can read, template sources or not.
    [source] = get_settings().resolved_template_sources
    assert not setup.ods_path.is_relative_to(source)
    state = _run(setup)
    assert state.is_completed() and state.name == "Completed", state.message
    result = state.result(_sync=True)
    json.dumps(result)  # JSON-serialisable
    assert {name: p["outcome"] for name, p in result["phases"].items()} == {
        "ods_import": "succeeded",
        "amion_scrape": "succeeded",
        "coverage": "succeeded",
    }
    counts = result["counts"]
    assert counts == MARCH_2026_COUNTS  # worked out by hand: tests/utils/example_figures.py
    assert result["coverage"] == MARCH_2026_COVERAGE
    assert result["period_start"] == "2026-03-01" and result["period_end"] == "2026-03-31"
    assert not [m for m in result["validation"] if m["severity"] == "ERROR"]

    with Session(setup.engine) as session:
        version = session.get(ScheduleVersion, result["schedule_version_id"])
        assert version is not None
        assert version.flow_run_id == str(state.state_details.flow_run_id)
        assert version.created_by == "coordinator@example.org"
        assigned = session.exec(
            select(sa.func.count())
            .select_from(Assignment)
            .where(Assignment.version_id == version.id)
        ).one()
        assert assigned == counts["assignments"]
        assert session.exec(
            select(CoverageCalculation).where(CoverageCalculation.version_id == version.id)
        ).first()

    period = "2026-03-01..2026-03-31"
    names = _names(state)
    assert len(names) == 3  # the UI shows one task run per phase, and nothing else
    for task in ("ods-import", "amion-scrape", "coverage"):
        assert names[f"{task} {setup.hospital} {period}"] == ["Completed", "1"]
    published = {a.key: a for a in artifacts(state.state_details.flow_run_id)}
    assert f"validation-{setup.hospital}" in published
    summary = str(published[f"import-summary-{setup.hospital}"].data)
    sha256 = hashlib.sha256(setup.ods_path.read_bytes()).hexdigest()
    assert f"Template: **{setup.ods_path.name}** from `{setup.ods_path}`, SHA-256 `{sha256}`." in (
        summary
    )
    reports = [Path(p) for p in result["reports"]]
    assert reports and all(f"- **{p.name}** in `{p.parent}`" in summary for p in reports)
    assert not re.search(r"\b1 [a-z]+s\b", summary), summary  # "1 errors", "1 months"
    assert hospital_status(setup.hospital)["status"] == "COMPLETED"


def test_phase_1_critical_error_fails_the_run_and_nothing_else_runs(setup: Setup) -> None:
    setup.ods_path.write_bytes(b"this is not a spreadsheet")
    state = _run(setup)
    assert state.is_failed()
    error = state.result(raise_on_failure=False, _sync=True)
    assert isinstance(error, OrchestrationFailed)
    assert error.code == "NOT_ODS"
    assert f"The template {setup.ods_path.name}: " in (state.message or "")  # names the file
    assert error.result is not None
    phases = error.result.to_dict()["phases"]
    assert [phases[p]["outcome"] for p in ("ods_import", "amion_scrape", "coverage")] == [
        "failed",
        "skipped",
        "skipped",
    ]
    names = _names(state)
    assert [name.split()[0] for name in names] == ["ods-import"]  # no phase 2 or 3 task runs
    assert next(iter(names.values()))[1] == "1"  # a spreadsheet error is not retried
    with Session(setup.engine) as session:
        assert session.exec(select(ScheduleVersion)).first() is None
    assert hospital_status(setup.hospital)["status"] == "FAILED"
    # A coordinator's mistake, not a bug: the logs end with the coded sentence, no traceback.
    found = sorted(logs(state.state_details.flow_run_id), key=lambda log: log.timestamp)
    errors = [log.message for log in found if log.level >= logging.ERROR]
    assert errors and errors[-1] == f"Run failed: {state.message}", errors
    assert not [log.message for log in found if "Traceback" in log.message]


def test_a_bug_in_a_phase_logs_its_traceback_in_the_run_s_logs(setup: Setup) -> None:
    """Unlike a coordinator's mistake, a bug keeps its traceback: here the table phase 1 writes
    to is missing ("no such table" is no coded database fault), and the run's logs, read back
    from the server, hold the database's error with its traceback."""
    with setup.engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE shift_instance RENAME TO shift_instance_gone"))
    try:
        state = _run(setup)
    finally:
        with setup.engine.begin() as connection:
            connection.execute(sa.text("ALTER TABLE shift_instance_gone RENAME TO shift_instance"))
    assert state.is_failed()
    assert (state.message or "").startswith("ODS_IMPORT_FAILED: "), state.message
    assert "see the run's logs" in (state.message or "")
    [ods_import] = task_runs(state.state_details.flow_run_id)
    assert ods_import.run_count == 1  # a bug is not retried
    found = sorted(logs(state.state_details.flow_run_id), key=lambda log: log.timestamp)
    [bug] = [log.message for log in found if "Traceback (most recent call last)" in log.message]
    assert bug.startswith("The ODS import stopped on an unexpected error:"), bug
    assert "shift_instance" in bug and "sqlalchemy.exc." in bug, bug


def test_a_refused_amion_code_fails_phase_2_once_and_coverage_still_runs(setup: Setup) -> None:
    Secret(value="wrong-code").save(secret_block_name(setup.hospital), overwrite=True, _sync=True)
    state = _run(setup)
    assert state.is_completed() and state.name == "CompletedWithWarnings"
    assert "Amion scrape failed" in (state.message or "")
    result = state.result(_sync=True)
    assert result["phases"]["amion_scrape"]["outcome"] == "failed"
    assert result["phases"]["amion_scrape"]["error_code"] == "AMION_LOGIN_FAILED"
    assert result["phases"]["coverage"]["outcome"] == "succeeded"
    runs = {run.name.split()[0]: run for run in task_runs(state.state_details.flow_run_id)}
    assert sorted(runs) == ["amion-scrape", "coverage", "ods-import"]
    scrape = runs["amion-scrape"]
    assert (scrape.state.name, scrape.run_count) == ("Failed", 1)  # one attempt, never retried
    [upstream] = runs["coverage"].task_inputs["wait_for"]  # coverage ran after it, allowed to
    assert upstream.id == scrape.id
    with Session(setup.engine) as session:
        batch = session.exec(select(ScrapeBatch)).first()
        assert batch is not None and batch.state == "FAILED"
    keys = {a.key for a in artifacts(state.state_details.flow_run_id)}
    assert f"amion-failure-{setup.hospital}" in keys


def test_a_transient_amion_failure_is_retried_and_then_succeeds(setup: Setup) -> None:
    setup.amion.configure(fail_first=1, scope="export")
    state = _run(setup)
    assert state.name == "Completed", state.message
    [scrape] = [
        run
        for run in task_runs(state.state_details.flow_run_id)
        if run.name.startswith("amion-scrape")
    ]
    assert scrape.run_count == 2  # the whole phase again: download and store
    with get_client(sync_client=True) as client:
        history = [s.name for s in client.read_task_run_states(scrape.id)]
    assert history.count("AwaitingRetry") == 1 and history[-1] == "Completed"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"months": 0}, "INVALID_PERIOD"),
        ({"ods_path": "/nonexistent/template.ods"}, "ODS_NOT_READABLE"),
        ({"hospital": "no-such-hospital"}, "UNKNOWN_HOSPITAL"),
        ({"user_id": "00000000-0000-0000-0000-000000000000"}, "INVALID_USER_ID"),
        ({"roster_path": "/nonexistent/roster.yaml"}, "ROSTER_NOT_READABLE"),
    ],
)
def test_invalid_input_fails_before_phase_1(
    setup: Setup, overrides: dict[str, object], code: str
) -> None:
    state = _run(setup, **overrides)
    assert state.is_failed()
    error = state.result(raise_on_failure=False, _sync=True)
    assert isinstance(error, OrchestrationFailed) and error.code == code
    assert "Traceback" not in error.message
    assert task_runs(state.state_details.flow_run_id) == []


def test_no_secret_appears_in_a_parameter_log_artifact_or_row(
    setup: Setup, s3_worker: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Amion code, and the storage's secret key of a run whose template, roster and reports
    are on S3 (moto)."""
    Secret(value=CODE).save(secret_block_name(setup.hospital), overwrite=True, _sync=True)
    setup.amion.configure(fail_first=1, scope="export")  # a retried failure logs more
    folder = f"runs/{setup.hospital}"
    for path in (setup.ods_path, setup.roster_path):
        key = f"{folder}/{path.name}"
        s3_worker.client().put_object(Bucket=s3_worker.bucket, Key=key, Body=path.read_bytes())
    monkeypatch.setenv("SCHEDCU_REPORTS_URL", s3_worker.url(f"{folder}/reports"))
    get_settings.cache_clear()
    state = _run(
        setup,
        ods_path=s3_worker.url(f"{folder}/{setup.ods_path.name}"),
        roster_path=s3_worker.url(f"{folder}/{setup.roster_path.name}"),
    )
    assert state.name == "Completed", state.message
    result = state.result(_sync=True)
    assert result["counts"] == MARCH_2026_COUNTS  # as from disk
    assert result["reports"] == [
        s3_worker.url(f"{folder}/reports/{name}") for name in _report_names(result)
    ]
    with Session(setup.engine) as session:
        version = session.get(ScheduleVersion, result["schedule_version_id"])
        assert version is not None
        assert version.source_url == s3_worker.url(f"{folder}/{setup.ods_path.name}")
    published = artifacts(state.state_details.flow_run_id)
    links = [a for a in published if (a.key or "").startswith("report-")]  # markdown [name](url)
    assert sorted(a.key for a in links) == [
        f"report-{k}-{setup.hospital}" for k in ["csv", "ods", "png"]
    ]
    for link in links:
        target = str(link.data).split("](", 1)[1].rstrip(")")
        name = target.split("?", 1)[0].rsplit("/", 1)[1]
        opened = httpx.get(target)
        assert (
            opened.status_code == 200
            and opened.content
            == s3_worker.client()
            .get_object(Bucket=s3_worker.bucket, Key=f"{folder}/reports/{name}")["Body"]
            .read()
        )
    flow_run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run_id)
    texts = [json.dumps(run.parameters), run.name, state.message or ""]
    texts += [log.message for log in logs(flow_run_id)]
    texts += [json.dumps(a.data) + (a.description or "") for a in artifacts(flow_run_id)]
    texts += [task.name for task in task_runs(flow_run_id)]
    with setup.engine.connect() as connection:
        for table in sa.inspect(setup.engine).get_table_names():
            rows = connection.exec_driver_sql(f'SELECT * FROM "{table}"').fetchall()
            texts.append(repr(rows))
    assert len(texts) > 10
    assert not [text for text in texts if CODE in text]
    assert not [text for text in texts if s3_worker.secret_key in text]


def _report_names(result: dict) -> list[str]:
    stem = f"coverage-{result['hospital']}-v{result['schedule_version_id']}"
    return [f"{stem}.csv", f"{stem}.ods", f"{stem}.png"]


def test_the_same_file_through_two_addresses_is_one_version(
    setup: Setup, s3_worker: S3Server, sftp_worker: SftpServer
) -> None:
    key = f"runs/{setup.hospital}/{setup.ods_path.name}"
    body = setup.ods_path.read_bytes()
    s3_worker.client().put_object(Bucket=s3_worker.bucket, Key=key, Body=body)
    first = _run(setup, ods_path=s3_worker.url(key)).result(_sync=True)
    second = _run(setup, ods_path=sftp_worker.url(setup.ods_path)).result(_sync=True)
    assert first["schedule_version_id"] == second["schedule_version_id"]
    assert "ALREADY_IMPORTED" in {m["code"] for m in second["validation"]}


def test_a_template_address_with_a_password_is_refused_before_phase_1(setup: Setup) -> None:
    state = _run(setup, ods_path="sftp://coordinator:Pw-in-url-9@127.0.0.1:22/t/template.ods")
    error = state.result(raise_on_failure=False, _sync=True)
    assert isinstance(error, OrchestrationFailed) and error.code == "STORAGE_CREDENTIALS_IN_URL"
    assert "Pw-in-url-9" not in (state.message or "")
    assert task_runs(state.state_details.flow_run_id) == []
