"""`schedcu alerts setup|list|remove`: tell a department of opened gaps and failed runs through
a Prefect automation and notification block (flows/alert_automations.py). A webhook address is
a secret: it goes into the block and is shown only as its host (`https://hooks.slack.com/…`);
`-` reads it from standard input, which keeps it out of the shell's history."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys

from schedcu.cli.arguments import hospital_code


def register(subparsers: argparse._SubParsersAction) -> None:
    alerts = subparsers.add_parser(
        "alerts", help="send a hospital's opened gaps and failed runs to a webhook"
    )
    actions = alerts.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")
    setup = actions.add_parser("setup", help="create or update a hospital's alerts")
    setup.add_argument("--hospital", required=True, type=hospital_code, help="hospital code")
    where = setup.add_mutually_exclusive_group(required=True)
    for channel, what in (
        ("webhook", "any webhook (POST of JSON {subject, text})"),
        ("slack", "a Slack incoming webhook"),
        ("teams", "a Microsoft Teams workflow webhook"),
    ):
        where.add_argument(f"--{channel}", metavar="URL", help=f"{what}; '-': read it from stdin")
    setup.set_defaults(handler=run_setup)
    listing = actions.add_parser("list", help="list the hospitals' alerts")
    listing.add_argument("--json", action="store_true", help="print one JSON list")
    listing.set_defaults(handler=run_list)
    remove = actions.add_parser("remove", help="stop a hospital's alerts")
    remove.add_argument("--hospital", required=True, type=hospital_code, help="hospital code")
    remove.set_defaults(handler=run_remove)


def _given_url(args: argparse.Namespace) -> tuple[str, str]:
    """The channel chosen and its address (from stdin for `-`)."""
    channel, url = next(
        (c, getattr(args, c)) for c in ("webhook", "slack", "teams") if getattr(args, c)
    )
    return channel, sys.stdin.readline() if url == "-" else url


def run_setup(args: argparse.Namespace) -> int:
    from schedcu.config import get_settings
    from schedcu.db import get_engine
    from schedcu.hospitals import known_hospital
    from schedcu.webhooks import Channel, webhook_target

    channel, url = _given_url(args)
    target = webhook_target(Channel(channel), url)
    code = known_hospital(get_engine(get_settings()), args.hospital).code

    from flows.alert_automations import setup_alerts
    from flows.prefect_api import prefect_api_errors

    with prefect_api_errors(), contextlib.redirect_stdout(sys.stderr):
        route, created = setup_alerts(code, target)
    print(
        f"{'Created' if created else 'Updated'} the alerts of {code}: gaps opened and failed runs "
        f"go to the {target.channel.title} at {route.destination} "
        f"(Prefect automation {route.automation_id})."
    )
    return 0


def run_list(args: argparse.Namespace) -> int:
    from flows.alert_automations import list_alerts
    from flows.prefect_api import prefect_api_errors

    with prefect_api_errors(), contextlib.redirect_stdout(sys.stderr):
        routes = list_alerts()
    if args.json:
        print(json.dumps([route.to_dict() for route in routes]))
        return 0
    if not routes:
        print("No alerts yet: set one up with `schedcu alerts setup --hospital CODE --slack URL`.")
    for route in routes:
        state = "on" if route.enabled else "paused"
        print(f"{route.hospital}: {route.channel or '?'} at {route.destination} ({state})")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from flows.alert_automations import remove_alerts
    from flows.prefect_api import prefect_api_errors

    with prefect_api_errors(), contextlib.redirect_stdout(sys.stderr):
        removed = remove_alerts(args.hospital)
    if removed:
        print(f"Removed the alerts of {args.hospital}.")
    else:
        print(f"{args.hospital} had no alerts.")
    return 0
