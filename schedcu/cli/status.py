"""`schedcu status --hospital CODE [--json]`: the state of the hospital's latest import, from
Prefect (IDLE, IN_PROGRESS, COMPLETED or FAILED; DOMAIN.md)."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys

from schedcu.cli.arguments import hospital_code


def register(subparsers: argparse._SubParsersAction) -> None:
    status = subparsers.add_parser("status", help="the status of a hospital's latest import")
    status.add_argument("--hospital", required=True, type=hospital_code, help="hospital code")
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.set_defaults(handler=run_status)


def run_status(args: argparse.Namespace) -> int:
    from flows.prefect_api import prefect_api_errors
    from flows.status import hospital_status

    # Prefect's own output never mixes with ours; its refusals become coded sentences.
    with prefect_api_errors(), contextlib.redirect_stdout(sys.stderr):
        report = hospital_status(args.hospital)
    if args.json:
        print(json.dumps(report))
        return 0
    if report["flow_run_id"] is None:
        print(f"{args.hospital}: IDLE (no import has run yet)")
        return 0
    line = f"{args.hospital}: {report['status']} ({report['state_name']}"
    line += f", run {report['flow_run_name']}, {report['flow_run_id']})"
    if report["message"]:
        line += f"\n  {report['message']}"
    print(line)
    return 0
