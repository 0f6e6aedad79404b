"""`schedcu import`, `schedcu status` and `schedcu hospital add` as a coordinator runs them."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess

from tests.cli.conftest import CODE, SCHEDCU, Cli
from tests.utils.example_figures import MARCH_2026_COUNTS, MARCH_2026_COVERAGE
from tests.utils.storage_servers import HttpsServer

KEYS = {
    "flow_run_id",
    "status",
    "state_name",
    "schedule_version_id",
    "phases",
    "counts",
    "coverage",
    "validation",
    "duration_s",
}


def _import_args(cli: Cli, *extra: str) -> list[str]:
    return [
        "import",
        "--ods", str(cli.ods),
        "--hospital", cli.hospital,
        "--start", "2026-03-01",
        "--months", "1",
        "--roster", str(cli.roster),
        *extra,
    ]  # fmt: skip


def test_import_json_is_one_object_with_the_contract_and_exit_0(cli: Cli) -> None:
    done = cli.run(*_import_args(cli, "--amion-url", cli.amion_url, "--json"))
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)  # exactly one JSON document, nothing else on stdout
    assert set(report) >= KEYS
    assert (report["status"], report["state_name"]) == ("COMPLETED", "Completed")
    assert set(report["phases"]) == {"ods_import", "amion_scrape", "coverage"}
    for phase in report["phases"].values():
        assert phase["outcome"] == "succeeded" and phase["duration_s"] >= 0
    # Worked out by hand from the example's data: tests/utils/example_figures.py.
    assert report["counts"] == MARCH_2026_COUNTS
    assert report["coverage"] == MARCH_2026_COVERAGE
    for message in report["validation"]:
        assert set(message) == {"severity", "code", "message", "location"}
    assert f"Created hospital {cli.hospital}" in done.stderr
    assert "ods-import" in done.stderr  # progress while it runs
    assert CODE not in done.stdout + done.stderr

    code, status = cli.json("status", "--hospital", cli.hospital)
    assert code == 0
    assert status["status"] == "COMPLETED"
    assert status["flow_run_id"] == report["flow_run_id"]


def test_a_phase_1_failure_exits_1_with_the_error_in_json(cli: Cli) -> None:
    cli.ods.write_bytes(b"PK but not really a spreadsheet")
    done = cli.run(*_import_args(cli, "--amion-url", cli.amion_url, "--json"))
    assert done.returncode == 1, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert (report["status"], report["state_name"]) == ("FAILED", "Failed")
    assert [report["phases"][p]["outcome"] for p in ("ods_import", "amion_scrape", "coverage")] == [
        "failed",
        "skipped",
        "skipped",
    ]
    assert [m["severity"] for m in report["validation"]] == ["ERROR"]
    assert report["validation"][0]["code"] == "NOT_ODS"
    assert "Traceback" not in done.stderr  # a bad file is the coordinator's problem, not a bug


def test_a_person_gets_a_readable_summary(cli: Cli) -> None:
    done = cli.run(*_import_args(cli, "--amion-url", cli.amion_url))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Import COMPLETED (Completed)" in done.stdout
    assert "Reports:" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_an_import_over_https_gives_the_figures_of_the_files_on_disk(
    cli: Cli, https_server: HttpsServer, https_client_env: dict[str, str]
) -> None:
    """Template and roster from an https server with its own CA (SSL_CERT_FILE) and a login
    in a netrc file: the same hand-worked figures as the import from disk above, and the
    version records the template's address."""
    folder = https_server.files / cli.hospital
    folder.mkdir()
    shutil.copyfile(cli.ods, folder / cli.ods.name)
    shutil.copyfile(cli.roster, folder / cli.roster.name)
    ods, roster = (https_server.url(f"{cli.hospital}/{p.name}") for p in (cli.ods, cli.roster))
    cli.env |= {k: https_client_env[k] for k in ("SSL_CERT_FILE", "NETRC")}
    args = [a if a != str(cli.ods) else ods for a in _import_args(cli)]
    args = [a if a != str(cli.roster) else roster for a in args]
    done = cli.run(*args, "--amion-url", cli.amion_url, "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["status"] == "COMPLETED"
    assert report["counts"] == MARCH_2026_COUNTS
    assert report["coverage"] == MARCH_2026_COVERAGE
    database = cli.env["SCHEDCU_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        sources = connection.execute("SELECT source_url FROM schedule_version").fetchall()
    assert sources == [(ods,)]

    (folder / cli.ods.name).unlink()
    gone = cli.run(*args, "--json")
    assert gone.returncode == 1, gone.stderr[-3000:]
    failed = json.loads(gone.stdout)
    assert [m["code"] for m in failed["validation"]] == ["STORAGE_NOT_FOUND"]
    assert failed["phases"]["amion_scrape"]["outcome"] == "skipped"
    assert "Traceback" not in gone.stdout + gone.stderr
    assert https_server.password not in gone.stdout + gone.stderr + done.stdout + done.stderr


def test_usage_errors_exit_2(cli: Cli) -> None:
    missing = cli.run(*_import_args(cli)[:2], "/nonexistent.ods", *_import_args(cli)[3:])
    assert missing.returncode == 2 and "not a readable file" in missing.stderr
    bad_date = cli.run(*[a if a != "2026-03-01" else "March" for a in _import_args(cli)])
    assert bad_date.returncode == 2 and "not a date" in bad_date.stderr
    unknown = cli.run(*_import_args(cli))  # new hospital and no --amion-url
    assert unknown.returncode == 2 and "--amion-url" in unknown.stderr
    zero = cli.run(*[a if a != "1" else "0" for a in _import_args(cli)])
    assert zero.returncode == 2


def test_status_of_a_hospital_without_runs_is_idle(cli: Cli) -> None:
    code, status = cli.json("status", "--hospital", cli.hospital)
    assert code == 0
    assert (status["status"], status["flow_run_id"]) == ("IDLE", None)


def test_hospital_add_then_refuses_a_second_time(cli: Cli) -> None:
    first = cli.run("hospital", "add", cli.hospital, "--amion-url", cli.amion_url)
    assert first.returncode == 0 and f"Added hospital {cli.hospital}" in first.stdout
    again = cli.run("hospital", "add", cli.hospital)
    assert again.returncode == 1 and "HOSPITAL_EXISTS" in again.stderr
    bad = cli.run("hospital", "add", "Bad Code!")  # more in test_hostile_codes.py
    assert bad.returncode == 2 and "INVALID_HOSPITAL_CODE" in bad.stderr


def test_two_imports_of_one_hospital_in_two_processes_run_one_after_the_other(cli: Cli) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterFlowRunId
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

    args = [SCHEDCU, *_import_args(cli, "--amion-url", cli.amion_url, "--json")]
    first = subprocess.Popen(args, env=cli.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    second = subprocess.Popen(args, env=cli.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reports = []
    for process in (first, second):
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()[-3000:]
        reports.append(json.loads(out))

    windows = []
    with (
        temporary_settings(
            {
                PREFECT_API_URL: cli.env["PREFECT_API_URL"],
                PREFECT_API_AUTH_STRING: cli.env["PREFECT_API_AUTH_STRING"],
            }
        ),
        get_client(sync_client=True) as client,
    ):
        for report in reports:
            runs = client.read_task_runs(
                task_run_filter=TaskRunFilter(
                    flow_run_id=TaskRunFilterFlowRunId(any_=[report["flow_run_id"]])
                )
            )
            assert len(runs) == 3  # ods-import, amion-scrape, coverage
            windows.append((min(r.start_time for r in runs), max(r.end_time for r in runs)))
    (a_start, a_end), (b_start, b_end) = windows
    assert a_end <= b_start or b_end <= a_start, windows  # never both inside their phases
    codes = [m["code"] for report in reports for m in report["validation"]]
    assert codes.count("ALREADY_IMPORTED") == 1  # the second found the first's version
    assert reports[0]["schedule_version_id"] == reports[1]["schedule_version_id"]
