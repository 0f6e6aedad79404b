"""`schedcu version list --hospital CODE [--json]`, `schedcu version show N [--json]` and
`schedcu version promote N --by USER [--reason TEXT] [--json]`: a hospital's schedule versions,
one version with its status history, and making a version the ACTIVE one (schedcu.versions)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from schedcu.cli.arguments import hospital_code, person, reason, version_number
from schedcu.wording import days_text

if TYPE_CHECKING:
    from schedcu.models import VersionStatusChange
    from schedcu.versions import VersionRecord


def register(subparsers: argparse._SubParsersAction) -> None:
    version = subparsers.add_parser("version", help="schedule versions: list, show, promote")
    actions = version.add_subparsers(dest="version_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="a hospital's versions, newest first")
    listing.add_argument("--hospital", required=True, type=hospital_code, help="hospital code")
    listing.add_argument("--json", action="store_true", help="print one JSON list")
    listing.set_defaults(handler=run_list)
    show = actions.add_parser("show", help="one version and the history of its status")
    show.add_argument("version", type=version_number, help="the version's number")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(handler=run_show)
    promote = actions.add_parser(
        "promote",
        help="make a version its hospital's ACTIVE one for its period "
        "(archives the ACTIVE versions it overlaps)",
    )
    promote.add_argument("version", type=version_number, help="the version's number")
    promote.add_argument("--by", required=True, type=person, help="who promotes it (your id)")
    promote.add_argument("--reason", type=reason, help="why, for the version's history")
    promote.add_argument("--json", action="store_true", help="print one JSON object")
    promote.set_defaults(handler=run_promote)


def run_list(args: argparse.Namespace) -> int:
    from schedcu.config import get_settings
    from schedcu.db import get_engine
    from schedcu.hospitals import known_hospital
    from schedcu.versions import list_versions

    engine = get_engine(get_settings())
    known_hospital(engine, args.hospital)
    records = list_versions(engine, args.hospital)
    if args.json:
        print(json.dumps([record.to_dict() for record in records]))
        return 0
    if not records:
        print(f"{args.hospital} has no schedule version yet: import a template first.")
    for record in records:
        print(_version_line(record))
    return 0


def run_show(args: argparse.Namespace) -> int:
    from schedcu.config import get_settings
    from schedcu.db import get_engine
    from schedcu.versions import no_version, version_record

    record = version_record(get_engine(get_settings()), args.version)
    if record is None:
        raise no_version(args.version)
    if args.json:
        print(json.dumps(record.to_dict()))
        return 0
    version = record.version
    imported = f"{version.created_at:%Y-%m-%d %H:%M} UTC"
    if version.created_by:
        imported += f" by {version.created_by}"
    print(f"Version {version.id} of {record.hospital}: {version.status.value}")
    print(f"  period    {days_text(version.effective_start, version.effective_end)}")
    print(f"  template  {version.source_filename} (SHA-256 {version.source_sha256})")
    print(f"  imported  {imported}")
    print("History:" if record.history else "History: none (DRAFT since its import)")
    for change in record.history:
        print(f"  {_history_line(change)}")
    return 0


def run_promote(args: argparse.Namespace) -> int:
    from schedcu.config import get_settings
    from schedcu.db import get_engine
    from schedcu.versions import promote

    promotion = promote(
        get_engine(get_settings()), version_id=args.version, by=args.by, reason=args.reason
    )
    print(json.dumps(promotion.to_dict()) if args.json else promotion.sentence)
    return 0


def _version_line(record: VersionRecord) -> str:
    """`    7  ACTIVE    2026-03-01 to 2026-03-31  cumc.ods  imported ... ; active ... by ann`."""
    version = record.version
    line = (
        f"{version.id:>5}  {version.status.value:<8}  "
        f"{days_text(version.effective_start, version.effective_end):<24}  "
        f"{version.source_filename}  imported {version.created_at:%Y-%m-%d %H:%M} UTC"
    )
    if version.created_by:
        line += f" by {version.created_by}"
    if record.history:
        last = record.history[-1]
        line += f"; {last.to_status.value.lower()} {last.changed_at:%Y-%m-%d} by {last.changed_by}"
    return line


def _history_line(change: VersionStatusChange) -> str:
    """`2026-03-02 14:05 UTC  DRAFT -> ACTIVE  by ann: the March rota`."""
    line = (
        f"{change.changed_at:%Y-%m-%d %H:%M} UTC  "
        f"{change.from_status.value} -> {change.to_status.value}  by {change.changed_by}"
    )
    return f"{line}: {change.reason}" if change.reason else line
