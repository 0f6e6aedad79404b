"""`schedcu import` and `schedcu refresh`: run the import flow, or the refresh flow (Amion and
coverage again for the hospital's version), in this process and say what happened.

Prefect runs in-process: against the server of PREFECT_API_URL when set, else a temporary local
one (15 s or more to start; the command says so at once, with how to avoid it). Progress
(Prefect's log lines) goes to stderr; with `--json` stdout gets exactly one JSON object, whose
`changes` says what changed against the calculation the run replaced (null when there was none).
Exit 0 when the run completed (with or without warnings), 1 when it failed, 2 for a usage error.
For `import`, a hospital unknown to the database is created from `--amion-url`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from schedcu.cli.arguments import hospital_code, iso_date, month_count
from schedcu.wording import plural

USAGE_ERROR = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    cmd = subparsers.add_parser(
        "import", help="import a template and Amion for a period, then compute coverage"
    )
    cmd.add_argument(
        "--ods", required=True, help="the coverage template (.ods): a path or a URL (s3://, ...)"
    )
    cmd.add_argument("--hospital", required=True, type=hospital_code, help="hospital code")
    cmd.add_argument("--start", required=True, type=iso_date, help="first day, YYYY-MM-DD")
    cmd.add_argument("--months", type=month_count, default=1, help="number of months (default 1)")
    cmd.add_argument("--roster", help="roster YAML (specialties and aliases): a path or a URL")
    cmd.add_argument("--amion-url", help="Amion address; creates the hospital if it is new")
    cmd.add_argument("--user", help="who imports (stored on the version)")
    cmd.add_argument("--json", action="store_true", help="print exactly one JSON object")
    cmd.set_defaults(handler=run_import)
    refresh = subparsers.add_parser(
        "refresh", help="read Amion again and recalculate coverage; say what changed"
    )
    refresh.add_argument("--hospital", required=True, type=hospital_code, help="hospital code")
    refresh.add_argument("--roster", help="roster YAML (specialties and aliases): a path or a URL")
    refresh.add_argument("--json", action="store_true", help="print exactly one JSON object")
    refresh.set_defaults(handler=run_refresh)


def _usage_error(message: str, command: str = "import") -> int:
    print(f"schedcu {command}: error: {message}", file=sys.stderr)
    return USAGE_ERROR


def _prepare_hospital(code: str, amion_url: str | None) -> str | None:
    """None when the hospital is ready (created from `amion_url` if new), else the problem."""
    from schedcu.config import get_settings
    from schedcu.db import get_engine
    from schedcu.errors import ConfigurationError
    from schedcu.hospitals import add_hospital, get_hospital

    engine = get_engine(get_settings())
    if get_hospital(engine, code) is not None:
        return None
    if not amion_url:
        return (
            f"no hospital has the code {code!r}; add --amion-url to create it, "
            "or run `schedcu hospital add`"
        )
    try:
        add_hospital(engine, code=code, amion_base_url=amion_url)
    except ConfigurationError as error:
        if error.code != "HOSPITAL_EXISTS":  # else another import created it a moment ago
            raise
    else:
        print(f"Created hospital {code} (Amion at {amion_url}).", file=sys.stderr)
    return None


def _given_file(text: str, *, what: str, code: str) -> str:
    """A local file checked and made absolute, or a URL as given; refused (before any flow run
    stores it) when it holds a password."""
    from schedcu.sources import readable_file
    from schedcu.storage.location import without_password

    where = without_password(text, what=what)
    if where.path is None:
        assert where.url is not None
        return where.url
    return str(readable_file(where.path, what=what, code=code).resolve())


def run_import(args: argparse.Namespace) -> int:
    from schedcu.errors import ConfigurationError, StorageError

    try:
        ods = _given_file(args.ods, what="template", code="ODS_NOT_READABLE")
        roster = (
            _given_file(args.roster, what="roster", code="ROSTER_NOT_READABLE")
            if args.roster is not None
            else None
        )
    except (ConfigurationError, StorageError) as error:
        return _usage_error(error.message)
    from schedcu.cli.prefect_server import no_server_configured, say_no_server

    if no_server_configured(os.environ, Path.cwd()):
        say_no_server("starting a temporary one for the run, 15 s or more")

    problem = _prepare_hospital(args.hospital, args.amion_url)
    if problem:
        return _usage_error(problem)

    from flows.schedule_import import schedule_import

    return _run_flow(
        args,
        schedule_import,
        hospital=args.hospital,
        ods_path=ods,
        start_date=args.start,
        months=args.months,
        user_id=args.user,
        roster_path=roster,
    )


def run_refresh(args: argparse.Namespace) -> int:
    from schedcu.config import get_settings
    from schedcu.db import get_engine
    from schedcu.errors import ConfigurationError, StorageError
    from schedcu.hospitals import get_hospital

    try:
        roster = (
            _given_file(args.roster, what="roster", code="ROSTER_NOT_READABLE")
            if args.roster is not None
            else None
        )
    except (ConfigurationError, StorageError) as error:
        return _usage_error(error.message, "refresh")
    if get_hospital(get_engine(get_settings()), args.hospital) is None:
        return _usage_error(
            f"no hospital has the code {args.hospital!r}; see `schedcu hospital list`", "refresh"
        )

    from flows.nightly_refresh import nightly_refresh

    return _run_flow(
        args,
        nightly_refresh,
        hospital=args.hospital,
        roster_path=roster,
    )


def _run_flow(args: argparse.Namespace, flow: Any, **parameters: Any) -> int:
    """Run `flow` here, print what happened (one JSON object with --json), return the exit
    code."""
    from flows.prefect_api import prefect_api_errors
    from schedcu.errors import OrchestrationFailed
    from schedcu.status import ImportStatus, status_for_state

    # Prefect's own output never mixes with ours; its refusals become coded sentences.
    with prefect_api_errors(), contextlib.redirect_stdout(sys.stderr):
        state = flow(**parameters, return_state=True)
        outcome = state.result(raise_on_failure=False)
    if isinstance(outcome, OrchestrationFailed) and outcome.result is not None:
        data = outcome.result.to_dict()
    elif isinstance(outcome, dict):
        data = outcome
    else:
        data = {"validation": [], "phases": {}}
    status = status_for_state(state.type.value, state.name)
    report = _report(
        data,
        flow_run_id=str(state.state_details.flow_run_id),
        state_name=state.name,
        status=status.value,
        message=state.message,
    )
    if args.json:
        print(json.dumps(report))
    else:
        print(_describe(report, data, title=str(args.command).capitalize()))
    return 0 if status is ImportStatus.COMPLETED else 1


def _report(
    data: dict[str, Any], *, flow_run_id: str, state_name: str, status: str, message: str | None
) -> dict[str, Any]:
    """The JSON contract of `schedcu import --json`, plus the state's message and report paths."""
    phases = data.get("phases", {})
    return {
        "flow_run_id": flow_run_id,
        "status": status,
        "state_name": state_name,
        "message": message,
        "schedule_version_id": data.get("schedule_version_id"),
        "phases": {
            name: {
                "outcome": phases.get(name, {}).get("outcome", "skipped"),
                "duration_s": phases.get(name, {}).get("duration_s", 0.0),
            }
            for name in ("ods_import", "amion_scrape", "coverage")
        },
        "counts": data.get("counts", {"shift_instances": 0, "assignments": 0, "coverage_rows": 0}),
        "coverage": data.get(
            "coverage",
            {
                "overall_pct": None,
                "covered_hours": 0.0,
                "unstaffed_hours": 0.0,
                "no_rule_hours": 0.0,
            },
        ),
        "validation": [
            {k: m.get(k) for k in ("severity", "code", "message", "location")}
            for m in data.get("validation", [])
        ],
        "duration_s": data.get("duration_s", 0.0),
        "reports": data.get("reports", []),
        "changes": _changes(data.get("changes")),
    }


def _changes(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    """The run's comparison as the JSON shows it (`Changes.summary`)."""
    if not stored:
        return None
    from schedcu.changes.model import Changes

    return Changes.from_dict(stored).summary()


def _describe(report: dict[str, Any], data: dict[str, Any], *, title: str) -> str:
    """What happened, for a person."""
    lines = [f"{title} {report['status']} ({report['state_name']}): {report['message'] or ''}"]
    if report["schedule_version_id"] is not None:
        counts = report["counts"]
        lines.append(
            f"Schedule version {report['schedule_version_id']} "
            f"({data.get('period_start')} to {data.get('period_end')}): "
            f"{plural(counts['shift_instances'], 'shift')}, "
            f"{plural(counts['assignments'], 'Amion assignment')}, "
            f"{plural(counts['coverage_rows'], 'coverage row')}."
        )
    for name, phase in report["phases"].items():
        lines.append(f"  {name:<13} {phase['outcome']:<9} {phase['duration_s']:.1f} s")
    coverage = report["coverage"]
    if coverage.get("overall_pct") is not None:
        lines.append(
            f"Coverage: {coverage['overall_pct']:.1f}% of the hours with a rule are read; "
            f"{coverage['unstaffed_hours']:.1f} h unstaffed."
        )
    problems = [m for m in report["validation"] if m["severity"] in {"ERROR", "WARNING"}]
    for message in problems[:20]:
        where = f" [{message['location']}]" if message["location"] else ""
        lines.append(f"  {message['severity']} {message['code']}: {message['message']}{where}")
    if len(problems) > 20:
        lines.append(f"  ... and {len(problems) - 20} more (see --json or the Prefect UI).")
    if report["reports"]:
        lines.append("Reports:")
        lines.extend(f"  {path}" for path in report["reports"])
    if data.get("changes"):
        from schedcu.changes.model import Changes
        from schedcu.changes.report import changes_markdown

        hospital = data.get("hospital") or ""
        lines += ["", changes_markdown(Changes.from_dict(data["changes"]), hospital=hospital)]
    return "\n".join(lines)
