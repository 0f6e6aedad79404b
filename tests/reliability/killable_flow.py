"""The import flow as test_kill deploys it: the real `schedule_import`, plus a kill switch.

When the flow-run process starts with SCHEDCU_TEST_KILL=`<phase>:<point>` (set per run through
the deployment's job variables; nothing else reads it), it SIGKILLs itself:

- `in_transaction`: right after the phase's first write to its table (its rows, or the DELETE of
  those it replaces), before its transaction commits;
- `after_commit`: right after that transaction committed, before the task reports back.

The phase is recognised by the table it fills (`shift_instance`, `assignment`, `coverage_row`),
with SQLAlchemy event listeners on every engine and session: no hook in the production code.
"""

from __future__ import annotations

import os
import re
import signal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from flows.schedule_import import schedule_import

KILL_ENV = "SCHEDCU_TEST_KILL"
PHASE_TABLES = {
    "ods_import": "shift_instance",
    "amion_scrape": "assignment",
    "coverage": "coverage_row",
}
POINTS = ("in_transaction", "after_commit")


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def install_kill_switch(switch: str) -> None:
    phase, point = switch.split(":")
    if phase not in PHASE_TABLES or point not in POINTS:
        raise ValueError(f"{KILL_ENV}={switch!r}: expected <phase>:<point>")
    # The phase's first write to its table through SQLAlchemy: its INSERT, or the DELETE of the
    # rows it replaces (phase 2 on PostgreSQL then writes by COPY, which SQLAlchemy never sees).
    insert = re.compile(
        rf'^\s*(INSERT INTO|DELETE FROM) "?{PHASE_TABLES[phase]}"?\s', re.IGNORECASE
    )
    written = {"rows": False}

    def after_cursor_execute(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if insert.match(statement):
            if point == "in_transaction":
                _die()
            written["rows"] = True

    def after_commit(_session: Session) -> None:
        if written["rows"]:
            _die()

    def after_rollback(_session: Session) -> None:
        written["rows"] = False

    sa.event.listen(sa.engine.Engine, "after_cursor_execute", after_cursor_execute)
    sa.event.listen(Session, "after_commit", after_commit)
    sa.event.listen(Session, "after_rollback", after_rollback)


if switch := os.environ.get(KILL_ENV):
    install_kill_switch(switch)

__all__ = ["schedule_import"]
