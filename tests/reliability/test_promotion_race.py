"""Promotions of overlapping versions of one hospital sent at the same moment, each as its own
`schedcu version promote --json` process, on SQLite and on PostgreSQL.

The test holds the database while the processes start, so that they all wait inside their
promotion together: on PostgreSQL the hospital's row (which every promotion locks first; the test
waits until each process is seen waiting on a lock in pg_stat_activity), on SQLite the write lock
(each process is let go once it has opened the database file). Released, they race.

Whatever order they end up in, the outcome must be what the same promotions give one after the
other in that order (read from the history): every promotion succeeds, the last of each overlap
is ACTIVE, the versions it replaced ARCHIVED, each day held by exactly one ACTIVE version and no
ACTIVE version short of a day, each archiving in the history and in its process's answer.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from schedcu.calendar import service_dates
from schedcu.db import transaction
from schedcu.models import ActiveDay, Hospital, ScheduleVersion, VersionStatus, VersionStatusChange
from tests.utils.builders import make_hospital, make_version

SCHEDCU = str(Path(sys.executable).parent / "schedcu")
D = dt.date
PERIODS = [
    (D(2026, 3, 1), D(2026, 3, 31)),
    (D(2026, 3, 15), D(2026, 4, 14)),
    (D(2026, 4, 1), D(2026, 4, 30)),
    (D(2026, 3, 1), D(2026, 3, 31)),
    (D(2026, 2, 15), D(2026, 3, 10)),
    (D(2026, 6, 1), D(2026, 6, 30)),  # overlaps nothing: stays ACTIVE whatever the order
]
WAIT_S = 120


def _versions(engine: Engine) -> tuple[int, dict[int, tuple[dt.date, dt.date]]]:
    with transaction(engine) as session:
        hospital = make_hospital(session)
        made = [
            make_version(session, hospital, effective_start=s, effective_end=e) for s, e in PERIODS
        ]
        assert hospital.id is not None
        return hospital.id, {v.id: (v.effective_start, v.effective_end) for v in made if v.id}


def _start(version_id: int, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [SCHEDCU, "version", "promote", str(version_id), "--by", f"user-{version_id}", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _until(condition: object, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"not seen within {WAIT_S} s: {what}"
        time.sleep(0.1)


def _has_open(process: subprocess.Popen[str], path: Path) -> bool:
    folder = Path(f"/proc/{process.pid}/fd")
    try:
        return any(fd.readlink() == path for fd in folder.iterdir())
    except OSError:  # the process ended or closed a descriptor while we looked
        return process.poll() is not None


def _scalar(engine: Engine, query: sa.TextClause) -> int:
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def _race(
    engine: Engine, db_url: str, hospital_id: int, ids: list[int]
) -> list[tuple[str, str, int]]:
    env = dict(os.environ) | {"SCHEDCU_DATABASE_URL": db_url}
    with engine.connect() as holder:
        holder.begin()  # on SQLite: BEGIN IMMEDIATE, the write lock
        if engine.dialect.name == "postgresql":
            holder.execute(
                sa.select(Hospital.id).where(Hospital.id == hospital_id).with_for_update()
            )
        processes = [_start(version_id, env) for version_id in ids]
        if engine.dialect.name == "postgresql":
            waiting = sa.text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            # Asked on another connection: within a transaction pg_stat_activity is a snapshot.
            _until(lambda: _scalar(engine, waiting) == len(ids), "every promotion waiting")
        else:
            path = Path(str(engine.url.database)).resolve()
            _until(
                lambda: all(_has_open(p, path) for p in processes), "every process at the database"
            )
        holder.rollback()
    return [(*process.communicate(timeout=WAIT_S), process.returncode) for process in processes]


def _replay(
    order: list[int], periods: dict[int, tuple[dt.date, dt.date]]
) -> tuple[set[int], dict[int, list[int]]]:
    """The ACTIVE versions after promoting `order` one after the other, and what each archived."""
    active: set[int] = set()
    archived: dict[int, list[int]] = {}
    for version_id in order:
        start, end = periods[version_id]
        replaced = sorted(v for v in active if periods[v][0] <= end and periods[v][1] >= start)
        active = (active - set(replaced)) | {version_id}
        archived[version_id] = replaced
    return active, archived


def test_simultaneous_promotions_end_as_the_same_promotions_one_after_the_other(
    db_engine: Engine, db_url: str
) -> None:
    hospital_id, periods = _versions(db_engine)
    ids = list(periods)
    answers = {}
    for version_id, (out, err, code) in zip(
        ids, _race(db_engine, db_url, hospital_id, ids), strict=True
    ):
        assert code == 0, err
        answers[version_id] = json.loads(out)

    with Session(db_engine) as session:
        changes = session.exec(select(VersionStatusChange).order_by(VersionStatusChange.id)).all()
        statuses = {
            v.id: v.status
            for v in session.exec(
                select(ScheduleVersion).where(ScheduleVersion.hospital_id == hospital_id)
            )
        }
        held = session.exec(select(ActiveDay).where(ActiveDay.hospital_id == hospital_id)).all()
    order = [c.version_id for c in changes if c.to_status is VersionStatus.ACTIVE]
    assert sorted(order) == sorted(ids)  # each promotion once, none lost
    active, archived = _replay(order, periods)

    assert {v for v, s in statuses.items() if s is VersionStatus.ACTIVE} == active
    assert {v for v, s in statuses.items() if s is VersionStatus.ARCHIVED} == set(ids) - active
    for version_id in ids:
        assert sorted(answers[version_id]["archived"]) == archived[version_id], version_id
        assert answers[version_id]["status"] == "ACTIVE"
    expected_days = {(day, v) for v in active for day in service_dates(*periods[v])}
    assert {(row.service_date, row.version_id) for row in held} == expected_days
    assert len(held) == len({row.service_date for row in held})  # one version per day
    archivings = [
        (c.version_id, c.reason) for c in changes if c.to_status is VersionStatus.ARCHIVED
    ]
    assert archivings == [
        (old, f"Replaced by version {new}.") for new in order for old in archived[new]
    ]
