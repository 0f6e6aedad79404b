"""`schedcu ods inspect FILE [--json]`: check a coverage template before importing it.

Exit 0 when the file can be imported, 1 when it has a critical error. Imports only the reader
(no Prefect, pandas or Playwright), so it answers fast.
"""

from __future__ import annotations

import argparse
import json


def register(subparsers: argparse._SubParsersAction) -> None:
    ods = subparsers.add_parser("ods", help="coverage templates (.ods)")
    actions = ods.add_subparsers(dest="ods_command", required=True, metavar="ACTION")
    inspect = actions.add_parser(
        "inspect", help="show a template's layout, sheets, study types, positions and problems"
    )
    inspect.add_argument(
        "file", help="the .ods template: a path or a URL (s3://, sftp://, https://)"
    )
    inspect.add_argument("--json", action="store_true", help="print one JSON object")
    inspect.set_defaults(handler=run_inspect)


def run_inspect(args: argparse.Namespace) -> int:
    from schedcu.ods.inspect import format_report, inspect_template
    from schedcu.storage.location import location

    report = inspect_template(args.file)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(format_report(report, location(args.file)))
    return 0 if report["importable"] else 1
