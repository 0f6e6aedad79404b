"""A second SQLite writer waits for the first instead of failing with "database is locked"."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from schedcu.db import create_db_engine, transaction
from schedcu.models import Hospital
from tests.utils.builders import make_hospital

HOLD_S = 1.0


def test_second_writer_waits_for_the_lock(sqlite_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    path.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite:///{path}"
    first, second = create_db_engine(url), create_db_engine(url)
    holding, releasing = threading.Event(), threading.Event()

    def hold_the_write_lock() -> None:
        with transaction(first) as session:
            make_hospital(session, code="first")
            holding.set()
            time.sleep(HOLD_S)
            releasing.set()  # the commit, which frees the lock, comes after

    holder = threading.Thread(target=hold_the_write_lock)
    holder.start()
    assert holding.wait(5)
    with transaction(second) as session:
        make_hospital(session, code="second")
    finished_after_the_release = releasing.is_set()
    holder.join()

    assert finished_after_the_release, "the second writer should have queued behind the first"
    with Session(second) as session:
        assert sorted(session.exec(select(Hospital.code)).all()) == ["first", "second"]
    first.dispose()
    second.dispose()


def test_a_failed_transaction_leaves_nothing(sqlite_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "rollback.db"
    path.write_bytes(sqlite_template.read_bytes())
    engine = create_db_engine(f"sqlite:///{path}")
    try:
        with transaction(engine) as session:
            make_hospital(session, code="half-written")
            raise RuntimeError("the phase failed midway")
    except RuntimeError:
        pass
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(Hospital)).scalar() == 0
    engine.dispose()
