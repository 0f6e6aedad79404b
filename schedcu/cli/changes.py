"""`schedcu changes --hospital CODE [--version N] [--json]`: what the hospital's latest coverage
calculation (of version N) found changed against the one it replaced, from the database (no
Prefect). Exit 0, also when there is nothing to show yet (said in words; `changes` null)."""

from __future__ import annotations

import argparse
import json

from schedcu.cli.arguments import hospital_code


def register(subparsers: argparse._SubParsersAction) -> None:
    cmd = subparsers.add_parser(
        "changes", help="what changed in a hospital's coverage at its latest calculation"
    )
    cmd.add_argument("--hospital", required=True, type=hospital_code, help="hospital code")
    cmd.add_argument("--version", type=int, help="schedule version id (default: the latest)")
    cmd.add_argument("--json", action="store_true", help="print one JSON object")
    cmd.set_defaults(handler=run_changes)


def run_changes(args: argparse.Namespace) -> int:
    from schedcu.changes.report import changes_markdown
    from schedcu.changes.store import stored_changes
    from schedcu.config import get_settings
    from schedcu.db import get_engine

    found = stored_changes(
        get_engine(get_settings()), hospital_code=args.hospital, version_id=args.version
    )
    changes = found.changes if found else None
    if args.json:
        print(
            json.dumps(
                {
                    "hospital": args.hospital,
                    "schedule_version_id": found.version_id if found else args.version,
                    "calculation_id": found.calculation_id if found else None,
                    "calculated_at": found.calculated_at.isoformat() if found else None,
                    "changes": changes.summary() if changes else None,
                }
            )
        )
    elif found is None:
        which = f"version {args.version}" if args.version is not None else args.hospital
        print(f"No coverage has been calculated for {which} yet.")
    elif changes is None:
        print(
            f"Version {found.version_id}'s coverage (calculation {found.calculation_id}, "
            f"{found.calculated_at:%Y-%m-%d %H:%M} UTC) is the first for its days: "
            "there is nothing to compare it with."
        )
    else:
        print(changes_markdown(changes, hospital=args.hospital))
    return 0
