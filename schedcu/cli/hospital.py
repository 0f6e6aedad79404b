"""`schedcu hospital add|list|update`: the hospitals (departments) schedcu knows."""

from __future__ import annotations

import argparse
import json
from typing import Any

from schedcu.cli.arguments import hospital_code


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
    listing = actions.add_parser("list", help="list the hospitals")
    listing.add_argument("--json", action="store_true", help="print one JSON list")
    listing.set_defaults(handler=run_list)
    update = actions.add_parser("update", help="change a hospital's name, Amion address or zone")
    update.add_argument("code", type=hospital_code, help="the hospital's code")
    update.add_argument("--name", help="new display name")
    update.add_argument("--amion-url", help="new Amion address (https://...)")
    update.add_argument("--timezone", help="new IANA time zone")
    update.set_defaults(handler=run_update)


def _describe(hospital: Any) -> str:
    where = f", Amion at {hospital.amion_base_url}" if hospital.amion_base_url else ""
    return f"{hospital.code} ({hospital.name}, {hospital.timezone}{where})"


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
    print(f"Added hospital {_describe(hospital)}.")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from schedcu.config import get_settings
    from schedcu.db import get_engine
    from schedcu.hospitals import list_hospitals

    hospitals = list_hospitals(get_engine(get_settings()))
    if args.json:
        fields = ("code", "name", "timezone", "amion_base_url")
        print(json.dumps([{f: getattr(h, f) for f in fields} for h in hospitals]))
        return 0
    if not hospitals:
        print("No hospitals yet: add one with `schedcu hospital add CODE --amion-url URL`.")
    for hospital in hospitals:
        print(_describe(hospital))
    return 0


def run_update(args: argparse.Namespace) -> int:
    from schedcu.config import get_settings
    from schedcu.db import get_engine
    from schedcu.errors import ConfigurationError
    from schedcu.hospitals import update_hospital

    if args.name is None and args.amion_url is None and args.timezone is None:
        raise ConfigurationError(
            "Nothing to change: give --name, --amion-url or --timezone.", code="NOTHING_TO_UPDATE"
        )
    hospital = update_hospital(
        get_engine(get_settings()),
        code=args.code,
        name=args.name,
        amion_base_url=args.amion_url,
        timezone=args.timezone,
    )
    print(f"Updated hospital {_describe(hospital)}.")
    return 0
