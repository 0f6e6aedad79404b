"""The `schedcu` command line.

Each sub-command lives in its own module with a `register(subparsers)` function and imports
what it needs only when it runs, so `schedcu --help` and `schedcu ods inspect` start fast (no
Prefect, pandas or Playwright). Exit codes: 0 success, 1 the job failed, 2 a usage error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a command whose reader went away
# Prefect gives its temporary server 20 s to start, which a busy 2-core machine can exceed (seen:
# `make demo` beside a test run); the commands that start one wait up to this long instead.
TEMPORARY_SERVER_STARTUP_S = "180"
COMMAND_MODULES = (
    "schedcu.cli.db",
    "schedcu.cli.amion_sim",
    "schedcu.cli.ods",
    "schedcu.cli.hospital",
    "schedcu.cli.run",
    "schedcu.cli.status",
    "schedcu.cli.coverage",
    "schedcu.cli.version",
    "schedcu.cli.changes",
    "schedcu.cli.examples",
    "schedcu.cli.alerts",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="schedcu",
        description="Import a radiology coverage template and Amion, and report coverage.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from schedcu.errors import SchedcuError

    args = build_parser().parse_args(argv)
    # Read by Prefect's settings when it is first imported, so set before any command runs.
    os.environ.setdefault(
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", TEMPORARY_SERVER_STARTUP_S
    )
    # A temporary server started by a command sends no analytics (it only logs an error where
    # the network is closed, as on a hospital's worker).
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    try:
        return int(args.handler(args) or 0)
    except SchedcuError as err:
        where = f" ({err.location})" if err.location else ""
        print(f"schedcu: {err.code}: {err.message}{where}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Whoever read the output left early (`schedcu ... | head`): nothing more to say. Point
        # stdout at /dev/null so that flushing it at exit raises no second error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return BROKEN_PIPE
