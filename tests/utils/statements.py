"""Bulk writes across their batch boundaries: the sizes to try, and the INSERT statements an
engine sends, to show that a write crossed its batches."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine


def across_batches(batch: int) -> pytest.MarkDecorator:
    """Parametrize `size`: exactly one batch, one row past it, and three batches and 7 rows."""
    return pytest.mark.parametrize(
        "size", [batch, batch + 1, 3 * batch + 7], ids=["one", "one-past", "several"]
    )


@contextmanager
def inserts_into(engine: Engine, table: str) -> Iterator[list[str]]:
    """The INSERT statements into `table` that `engine` executes in the block (an executemany
    counts once), as a list filled while the block runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()} "):
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
