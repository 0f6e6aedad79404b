"""`schedcu db upgrade`: create or update the database schema."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    db = subparsers.add_parser("db", help="database schema")
    actions = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = actions.add_parser("upgrade", help="apply the migrations (creates the database)")
    upgrade.set_defaults(handler=run_upgrade)


def run_upgrade(_args: argparse.Namespace) -> int:
    from schedcu.config import get_settings
    from schedcu.db import get_engine, masked_url, upgrade

    settings = get_settings()
    upgrade(get_engine(settings))
    print(f"Database schema is up to date: {masked_url(settings.resolved_database_url)}")
    return 0
