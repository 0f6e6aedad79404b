"""`schedcu status --hospital CODE [--json]`: the state of the hospital's latest import, from
Prefect (IDLE, IN_PROGRESS, COMPLETED or FAILED; DOMAIN.md).

Without a Prefect server it says so at once; where no run can exist yet (no server and the
temporary server's database never created) it answers IDLE without importing Prefect, else it
starts the temporary server to read the runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from schedcu.cli.arguments import hospital_code


def register(subparsers: argparse._SubParsersAction) -> None:
    status = subparsers.add_parser("status", help="the status of a hospital's latest import")
    status.add_argument("--hospital", required=True, type=hospital_code, help="hospital code")
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.set_defaults(handler=run_status)


def run_status(args: argparse.Namespace) -> int:
    report = _read_status(args.hospital)
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


def _read_status(hospital: str) -> dict[str, Any]:
    from schedcu.cli.prefect_server import no_run_recorded, no_server_configured, say_no_server

    folder = Path.cwd()
    if no_run_recorded(os.environ, folder):
        say_no_server("no flow has run here yet")
        from schedcu.status import no_run_report

        return no_run_report(hospital)
    if no_server_configured(os.environ, folder):
        say_no_server("starting a temporary one to read the runs, 15 s or more")

    from flows.prefect_api import prefect_api_errors
    from flows.status import hospital_status

    # Prefect's own output never mixes with ours; its refusals become coded sentences.
    with prefect_api_errors(), contextlib.redirect_stdout(sys.stderr):
        return hospital_status(hospital)
