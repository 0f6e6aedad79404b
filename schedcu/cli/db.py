"""`schedcu db upgrade`: create or update the database schema.

Every command migrates the database on first use anyway; this one is for when
SCHEDCU_DATABASE_MIGRATE_ON_START is off (a DBA applies migrations before a release).
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    db = subparsers.add_parser("db", help="database schema")
    actions = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = actions.add_parser("upgrade", help="apply the migrations (creates the database)")
    upgrade.set_defaults(handler=run_upgrade)


def run_upgrade(_args: argparse.Namespace) -> int:
    from schedcu.config import get_settings
    from schedcu.db import create_db_engine, masked_url, upgrade

    settings = get_settings()
    engine = create_db_engine(settings.resolved_database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    print(f"Database schema is up to date: {masked_url(settings.resolved_database_url)}")
    return 0
