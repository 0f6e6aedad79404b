"""`schedcu coverage calculate --version ID` and
`schedcu coverage export --version ID --format csv|ods --out FILE`.

`calculate` (re)computes and stores a version's coverage, as phase 3 does without Prefect;
`export` writes the stored calculation as a report file. Imports happen in the handlers.
"""

from __future__ import annotations

import argparse
from pathlib import Path

FORMATS = ("csv", "ods")


def register(subparsers: argparse._SubParsersAction) -> None:
    coverage = subparsers.add_parser("coverage", help="coverage of a schedule version")
    actions = coverage.add_subparsers(dest="coverage_command", required=True, metavar="ACTION")
    calculate = actions.add_parser(
        "calculate", help="compute and store a version's coverage (replaces the previous one)"
    )
    calculate.add_argument("--version", type=int, required=True, help="schedule version id")
    calculate.set_defaults(handler=run_calculate)
    export = actions.add_parser("export", help="write a version's stored coverage to a file")
    export.add_argument("--version", type=int, required=True, help="schedule version id")
    export.add_argument("--format", choices=FORMATS, default=None, help="default: from --out")
    export.add_argument("--out", type=Path, required=True, help="the file to write")
    export.set_defaults(handler=run_export)


def run_calculate(args: argparse.Namespace) -> int:
    from schedcu.config import get_settings
    from schedcu.coverage.service import recalculate
    from schedcu.db import get_engine

    settings = get_settings()
    outcome = recalculate(engine=get_engine(settings), version_id=args.version, settings=settings)
    overall = outcome.summary.get("overall_percentage")
    print(
        f"Coverage of version {outcome.version_id}: "
        f"{'no ruled hours' if overall is None else f'{overall:.2f} %'} "
        f"({outcome.row_count} rows, calculation {outcome.calculation_id})."
    )
    for message in outcome.validation:
        print(f"{message.severity}: {message.code}: {message.message}")
    if outcome.changes is not None:
        from schedcu.changes.report import changes_line

        print(f"{changes_line(outcome.changes)} (`schedcu changes` lists them)")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from schedcu.config import get_settings
    from schedcu.coverage.reports import write_report
    from schedcu.coverage.service import load_coverage
    from schedcu.db import get_engine
    from schedcu.errors import ConfigurationError

    report_format = args.format or args.out.suffix.lstrip(".").lower()
    if report_format not in FORMATS:
        raise ConfigurationError(
            f"Cannot tell the report format from '{args.out.name}'; pass --format csv or ods.",
            code="UNKNOWN_REPORT_FORMAT",
        )
    coverage = load_coverage(engine=get_engine(get_settings()), version_id=args.version)
    path = write_report(coverage, args.out, report_format)
    print(f"Wrote {len(coverage.rows)} rows of version {args.version} to {path}")
    return 0
