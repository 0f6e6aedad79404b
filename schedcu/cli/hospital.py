"""`schedcu hospital add CODE [--name NAME] [--amion-url URL] [--timezone TZ]`."""

from __future__ import annotations

import argparse

from schedcu.cli import hospital_code


def register(subparsers: argparse._SubParsersAction) -> None:
    hospital = subparsers.add_parser("hospital", help="hospitals (departments) known to schedcu")
    actions = hospital.add_subparsers(dest="hospital_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add a hospital")
    add.add_argument(
        "code", type=hospital_code, help="short code, lowercase and dashes (e.g. cumc-radiology)"
    )
    add.add_argument("--name", help="display name (default: the code)")
    add.add_argument("--amion-url", help="the department's Amion address (https://...)")
    add.add_argument("--timezone", default="America/New_York", help="IANA time zone")
    add.set_defaults(handler=run_add)


def run_add(args: argparse.Namespace) -> int:
    from schedcu.config import get_settings
    from schedcu.db import get_engine
    from schedcu.hospitals import add_hospital

    hospital = add_hospital(
        get_engine(get_settings()),
        code=args.code,
        name=args.name,
        amion_base_url=args.amion_url,
        timezone=args.timezone,
    )
    where = f", Amion at {hospital.amion_base_url}" if hospital.amion_base_url else ""
    print(f"Added hospital {hospital.code} ({hospital.name}, {hospital.timezone}{where}).")
    return 0
