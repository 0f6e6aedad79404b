"""Versions people promote (schedcu.versions), on SQLite and PostgreSQL: DRAFT when imported,
ACTIVE when promoted, ARCHIVED when a newer ACTIVE version replaces it for an overlapping period;
at most one ACTIVE version per hospital and day, which the database itself refuses to break;
each change a history row. The version the nightly refresh follows."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from schedcu.db import transaction
from schedcu.errors import ConfigurationError, VersionStatusRefused
from schedcu.models import ActiveDay, Hospital, ScheduleVersion, VersionStatus, VersionStatusChange
from schedcu.versions import (
    active_version_covering,
    active_versions_overlapping,
    followed_version,
    list_versions,
    promote,
    version_record,
)
from tests.utils.builders import make_hospital, make_version

D = dt.date
MARCH = (D(2026, 3, 1), D(2026, 3, 31))
MID = (D(2026, 3, 15), D(2026, 4, 14))
APRIL = (D(2026, 4, 1), D(2026, 4, 30))

Versions = Callable[..., tuple[str, list[int]]]


@pytest.fixture
def versions(db_engine: Engine) -> Versions:
    """`versions(*periods)`: a new hospital with a DRAFT version per period; its code and the
    versions' ids, in the order given."""

    def build(*periods: tuple[dt.date, dt.date]) -> tuple[str, list[int]]:
        with transaction(db_engine) as session:
            hospital = make_hospital(session)
            ids = [
                make_version(session, hospital, effective_start=start, effective_end=end).id
                for start, end in periods
            ]
            return hospital.code, [i for i in ids if i is not None]

    return build


def statuses(engine: Engine, ids: list[int]) -> list[str]:
    with Session(engine) as session:
        return [session.get(ScheduleVersion, i).status.value for i in ids]  # type: ignore[union-attr]


def held_days(engine: Engine, version_id: int) -> list[dt.date]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(ActiveDay.service_date)
                .where(ActiveDay.version_id == version_id)
                .order_by(ActiveDay.service_date)
            )
        )


def history(engine: Engine, version_id: int) -> list[tuple[str, str, str, str | None]]:
    record = version_record(engine, version_id)
    assert record is not None
    return [
        (c.from_status.value, c.to_status.value, c.changed_by, c.reason) for c in record.history
    ]


def test_promotion_makes_a_draft_active_for_each_day_of_its_period(
    db_engine: Engine, versions: Versions
) -> None:
    code, (march,) = versions(MARCH)
    assert statuses(db_engine, [march]) == ["DRAFT"]
    promotion = promote(db_engine, version_id=march, by="ann", reason="The March rota")
    assert (promotion.previous, promotion.version.status) == (
        VersionStatus.DRAFT,
        VersionStatus.ACTIVE,
    )
    assert promotion.archived == [] and promotion.uncovered == []
    days = held_days(db_engine, march)
    assert (days[0], days[-1], len(days)) == (*MARCH, 31)
    assert history(db_engine, march) == [("DRAFT", "ACTIVE", "ann", "The March rota")]
    assert promotion.sentence == f"Version {march} of {code} (2026-03-01 to 2026-03-31) is ACTIVE."


def test_promotion_archives_the_active_versions_it_overlaps_and_names_the_days_left_bare(
    db_engine: Engine, versions: Versions
) -> None:
    _, (march, april, mid) = versions(MARCH, APRIL, MID)
    promote(db_engine, version_id=march, by="ann")
    promote(db_engine, version_id=april, by="ann")
    promotion = promote(db_engine, version_id=mid, by="bob", reason="Swap week")
    assert statuses(db_engine, [march, april, mid]) == ["ARCHIVED", "ARCHIVED", "ACTIVE"]
    assert [v.id for v in promotion.archived] == [march, april]
    assert all(v.status is VersionStatus.ARCHIVED for v in promotion.archived)
    assert promotion.uncovered == [(D(2026, 3, 1), D(2026, 3, 14)), (D(2026, 4, 15), APRIL[1])]
    assert held_days(db_engine, march) == held_days(db_engine, april) == []
    assert len(held_days(db_engine, mid)) == 31
    replaced = ("ACTIVE", "ARCHIVED", "bob", f"Replaced by version {mid}.")
    assert history(db_engine, march) == [("DRAFT", "ACTIVE", "ann", None), replaced]
    assert history(db_engine, mid) == [("DRAFT", "ACTIVE", "bob", "Swap week")]
    assert "archived versions" in promotion.sentence
    assert "no ACTIVE version now for 2026-03-01 to 2026-03-14" in promotion.sentence


def test_versions_that_do_not_overlap_stay_active_together(
    db_engine: Engine, versions: Versions
) -> None:
    _, (march, april) = versions(MARCH, APRIL)
    promote(db_engine, version_id=march, by="ann")
    assert promote(db_engine, version_id=april, by="ann").archived == []
    assert statuses(db_engine, [march, april]) == ["ACTIVE", "ACTIVE"]


def test_another_hospitals_active_version_for_the_same_days_is_untouched(
    db_engine: Engine, versions: Versions
) -> None:
    _, (first,) = versions(MARCH)
    _, (second,) = versions(MARCH)
    promote(db_engine, version_id=first, by="ann")
    assert promote(db_engine, version_id=second, by="ann").archived == []
    assert statuses(db_engine, [first, second]) == ["ACTIVE", "ACTIVE"]


def test_promoting_the_active_version_again_is_refused_and_changes_nothing(
    db_engine: Engine, versions: Versions
) -> None:
    _, (march,) = versions(MARCH)
    promote(db_engine, version_id=march, by="ann")
    with pytest.raises(VersionStatusRefused) as refused:
        promote(db_engine, version_id=march, by="bob", reason="again")
    assert refused.value.code == "VERSION_ALREADY_ACTIVE"
    assert "already ACTIVE" in refused.value.message
    assert history(db_engine, march) == [("DRAFT", "ACTIVE", "ann", None)]


def test_an_archived_version_can_be_promoted_again_to_go_back_to_it(
    db_engine: Engine, versions: Versions
) -> None:
    _, (old, new) = versions(MARCH, MARCH)
    promote(db_engine, version_id=old, by="ann")
    promote(db_engine, version_id=new, by="ann")
    back = promote(db_engine, version_id=old, by="bob", reason="The new rota was wrong")
    assert back.previous is VersionStatus.ARCHIVED and [v.id for v in back.archived] == [new]
    assert statuses(db_engine, [old, new]) == ["ACTIVE", "ARCHIVED"]
    assert history(db_engine, old)[-1] == ("ARCHIVED", "ACTIVE", "bob", "The new rota was wrong")


def test_an_unknown_version_is_refused_with_no_version(db_engine: Engine) -> None:
    with pytest.raises(ConfigurationError) as refused:
        promote(db_engine, version_id=987_654, by="ann")
    assert refused.value.code == "NO_VERSION" and "987654" in refused.value.message


def test_list_and_record_show_status_and_history(db_engine: Engine, versions: Versions) -> None:
    code, (march, mid) = versions(MARCH, MID)
    promote(db_engine, version_id=march, by="ann", reason="first")
    promote(db_engine, version_id=mid, by="bob")
    listed = [record.to_dict() for record in list_versions(db_engine, code)]
    assert [(v["id"], v["status"]) for v in listed] == [(mid, "ACTIVE"), (march, "ARCHIVED")]
    assert listed[1]["status_changed_by"] == "bob"
    assert [(h["from"], h["to"], h["by"]) for h in listed[1]["history"]] == [
        ("DRAFT", "ACTIVE", "ann"),
        ("ACTIVE", "ARCHIVED", "bob"),
    ]
    assert list_versions(db_engine, "no-such-hospital") == []
    assert version_record(db_engine, 987_654) is None


# -- what the database itself refuses, whoever writes ----------------------------------------


def _hospital_id(engine: Engine, code: str) -> int:
    with Session(engine) as session:
        hospital = session.exec(select(Hospital).where(Hospital.code == code)).one()
        assert hospital.id is not None
        return hospital.id


def test_the_database_refuses_a_second_active_version_for_a_day(
    db_engine: Engine, versions: Versions
) -> None:
    code, (march, mid) = versions(MARCH, MID)
    promote(db_engine, version_id=march, by="ann")
    hospital_id = _hospital_id(db_engine, code)
    with pytest.raises(sa.exc.IntegrityError), transaction(db_engine) as session:
        session.execute(
            sa.update(ScheduleVersion).where(ScheduleVersion.id == mid).values(status="ACTIVE")
        )
        session.add(ActiveDay(hospital_id=hospital_id, service_date=MID[0], version_id=mid))
    assert statuses(db_engine, [march, mid]) == ["ACTIVE", "DRAFT"]


def test_the_database_refuses_a_day_held_by_a_version_that_is_not_active(
    db_engine: Engine, versions: Versions
) -> None:
    code, (march,) = versions(MARCH)
    with pytest.raises(sa.exc.IntegrityError), transaction(db_engine) as session:
        session.add(
            ActiveDay(
                hospital_id=_hospital_id(db_engine, code),
                service_date=D(2026, 3, 2),
                version_id=march,
            )
        )


def test_the_database_refuses_a_day_of_another_hospitals_version(
    db_engine: Engine, versions: Versions
) -> None:
    _, (march,) = versions(MARCH)
    other, _ = versions()
    promote(db_engine, version_id=march, by="ann")
    with pytest.raises(sa.exc.IntegrityError), transaction(db_engine) as session:
        session.add(
            ActiveDay(
                hospital_id=_hospital_id(db_engine, other),
                service_date=D(2026, 3, 2),
                version_id=march,
            )
        )


def test_the_database_refuses_to_archive_a_version_that_still_holds_days(
    db_engine: Engine, versions: Versions
) -> None:
    _, (march,) = versions(MARCH)
    promote(db_engine, version_id=march, by="ann")
    with pytest.raises(sa.exc.IntegrityError), transaction(db_engine) as session:
        session.execute(
            sa.update(ScheduleVersion)
            .where(ScheduleVersion.id == march)
            .values(status=VersionStatus.ARCHIVED)
        )
    assert statuses(db_engine, [march]) == ["ACTIVE"]


def test_two_writers_claiming_one_day_at_once_the_second_is_refused(
    db_engine: Engine, versions: Versions
) -> None:
    """Two transactions, each making a version ACTIVE and holding the same day, without any
    lock of schedcu's: the second waits for the first (PostgreSQL's unique index, SQLite's
    write lock) and is refused when it commits; one ACTIVE version holds the day."""
    code, (first, second) = versions(MARCH, MARCH)
    hospital_id = _hospital_id(db_engine, code)
    outcome: dict[int, BaseException | None] = {}

    def claim(version_id: int, then: threading.Event | None = None) -> None:
        try:
            with transaction(db_engine) as session:
                session.execute(
                    sa.update(ScheduleVersion)
                    .where(ScheduleVersion.id == version_id)
                    .values(status=VersionStatus.ACTIVE)
                )
                session.add(
                    ActiveDay(hospital_id=hospital_id, service_date=MARCH[0], version_id=version_id)
                )
                session.flush()
                if then is not None:
                    started.set()
                    then.wait(timeout=30)
            outcome[version_id] = None
        except BaseException as exc:  # the outcome is what is tested
            outcome[version_id] = exc

    started, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=claim, args=(first, release))
    holder.start()
    assert started.wait(timeout=30)
    challenger = threading.Thread(target=claim, args=(second,))
    challenger.start()
    release.set()
    holder.join(timeout=60)
    challenger.join(timeout=60)
    assert outcome[first] is None
    assert isinstance(outcome[second], sa.exc.IntegrityError), outcome[second]
    assert statuses(db_engine, [first, second]) == ["ACTIVE", "DRAFT"]


# -- the version a refresh follows --------------------------------------------------------------


def test_the_active_version_covering_a_range_is_the_one_holding_its_first_day(
    db_engine: Engine, versions: Versions
) -> None:
    code, (march, april) = versions(MARCH, APRIL)
    promote(db_engine, version_id=april, by="ann")
    promote(db_engine, version_id=march, by="ann")
    range_ = (D(2026, 3, 20), D(2026, 4, 10))
    assert [v.id for v in active_versions_overlapping(db_engine, code, *range_)] == [march, april]
    assert active_version_covering(db_engine, code, *range_).id == march  # type: ignore[union-attr]
    later = active_version_covering(db_engine, code, D(2026, 4, 2), D(2026, 5, 1))
    assert later is not None and later.id == april
    assert active_version_covering(db_engine, code, D(2026, 5, 1), D(2026, 5, 31)) is None


def test_the_refresh_follows_the_active_version_of_today_and_the_coming_weeks(
    db_engine: Engine, versions: Versions
) -> None:
    code, (march, april, _newer_draft) = versions(MARCH, APRIL, APRIL)
    promote(db_engine, version_id=march, by="ann")
    promote(db_engine, version_id=april, by="ann")
    on_the_20th = followed_version(db_engine, code, today=D(2026, 3, 20))
    assert on_the_20th is not None and on_the_20th.version.id == march
    assert len(on_the_20th.validation) == 0
    # None for today, one starting within the coming weeks: that one, not the newer draft
    # that covers today.
    code2, (april2, _march_draft) = versions(APRIL, MARCH)
    promote(db_engine, version_id=april2, by="ann")
    ahead = followed_version(db_engine, code2, today=D(2026, 3, 20))
    assert ahead is not None and ahead.version.id == april2


def test_without_an_active_version_the_refresh_follows_the_newest_draft_with_a_warning(
    db_engine: Engine, versions: Versions
) -> None:
    code, (march, april) = versions(MARCH, APRIL)
    promote(db_engine, version_id=march, by="ann")
    followed = followed_version(db_engine, code, today=D(2026, 6, 1))
    assert followed is not None and followed.version.id == april
    [warning] = followed.validation
    assert (warning.severity.value, warning.code) == ("WARNING", "NO_ACTIVE_VERSION")
    assert f"version {april}" in warning.message and "2026-06-01 to 2026-06-28" in warning.message
    assert "schedcu version promote" in warning.message


def test_with_neither_active_nor_draft_versions_there_is_nothing_to_follow(
    db_engine: Engine, versions: Versions
) -> None:
    code, (old, new) = versions(MARCH, MARCH)
    assert followed_version(db_engine, code, today=D(2026, 3, 1)) is not None
    promote(db_engine, version_id=old, by="ann")
    promote(db_engine, version_id=new, by="ann")  # old ARCHIVED, new ACTIVE in March
    assert followed_version(db_engine, code, today=D(2026, 6, 1)) is None


def test_a_history_row_is_a_status_change(db_engine: Engine, versions: Versions) -> None:
    """The history's rows chain: each starts from the status the previous one ended in."""
    _, (a, b) = versions(MARCH, MARCH)
    for version_id in (a, b, a, b):
        promote(db_engine, version_id=version_id, by="ann")
    with Session(db_engine) as session:
        rows = session.exec(select(VersionStatusChange).order_by(VersionStatusChange.id)).all()
    for version_id in (a, b):
        chain = [(r.from_status, r.to_status) for r in rows if r.version_id == version_id]
        assert chain[0][0] is VersionStatus.DRAFT
        assert all(prev[1] == nxt[0] for prev, nxt in itertools.pairwise(chain))
