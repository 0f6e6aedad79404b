"""`schedcu examples write DIR [--start YYYY-MM-DD] [--months N]`: the example department's
template, roster and an Amion schedule file, to try schedcu and its simulator offline."""

from __future__ import annotations

import argparse
from pathlib import Path

from schedcu.cli.arguments import iso_date, month_count


def register(subparsers: argparse._SubParsersAction) -> None:
    examples = subparsers.add_parser("examples", help="the example department's files")
    actions = examples.add_subparsers(dest="examples_command", required=True, metavar="ACTION")
    write = actions.add_parser(
        "write", help="write the example template, roster and Amion schedule file to a folder"
    )
    write.add_argument("folder", type=Path, help="where to write (created if missing)")
    write.add_argument(
        "--start", type=iso_date, help="first month of the schedule file (default: next month)"
    )
    write.add_argument(
        "--months", type=month_count, default=1, help="months in the schedule file (default 1)"
    )
    write.set_defaults(handler=run_write)


def run_write(args: argparse.Namespace) -> int:
    from schedcu.calendar import first_of_next_month
    from schedcu.config import get_settings
    from schedcu.errors import ConfigurationError
    from schedcu.examples.data import HOSPITAL_CODE
    from schedcu.examples.files import write_examples

    start = args.start or first_of_next_month(get_settings().timezone)
    try:
        files = write_examples(args.folder, start=start, months=args.months)
    except OSError as exc:
        raise ConfigurationError(
            f"Cannot write the examples to {args.folder} ({exc.strerror}).",
            code="EXAMPLES_NOT_WRITTEN",
        ) from exc
    print(f"Wrote the example department to {args.folder}:")
    for what, path in (
        ("template", files.template),
        ("roster", files.roster),
        ("Amion schedule", files.schedule),
    ):
        print(f"  {what:<15} {path}")
    print(
        "Try it:\n"
        f"  schedcu amion-sim --port 8080 --roster {files.roster} --schedule {files.schedule}\n"
        f"  schedcu import --ods {files.template} --hospital {HOSPITAL_CODE} "
        f"--start {start.replace(day=1).isoformat()} --roster {files.roster} "
        "--amion-url http://127.0.0.1:8080   (with SCHEDCU_AMION_CODE=demo)"
    )
    return 0
