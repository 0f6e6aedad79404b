"""A database that goes away or is busy in the middle of a phase.

PostgreSQL: the phase's own connection is terminated with `pg_terminate_backend` from a second
connection just before the phase writes its main rows (inside its transaction). The error must be
DATABASE_UNREACHABLE, transient (so the task retry policy retries it), nothing of the phase may
stay, and calling the phase again must give exactly one result. SQLite: a phase that meets
another writer holding the lock waits for it and succeeds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterFlowRunId
from sqlalchemy.engine import Engine

from schedcu.config import get_settings
from schedcu.db import create_db_engine, get_engine, transaction
from schedcu.errors import DatabaseUnreachable, is_transient
from schedcu.models import Assignment, CoverageRow, ShiftInstance
from schedcu.request import ImportRequest
from tasks.ods_import import ods_import
from tests.reliability.conftest import START, Phases, new_phases
from tests.utils.builders import make_hospital

HOLD_S = 1.0


@contextmanager
def terminated_before_insert(engine: Engine, table: sa.Table) -> Iterator[list[int]]:
    """Terminate the connection that is about to write into `table`, once.

    A statement trigger on the table ends its own backend (`pg_terminate_backend`) before the
    first write, whichever way the rows come (a multi-row INSERT or phase 2's COPY, which
    SQLAlchemy's statement events do not see); a sequence, which a rollback does not undo, makes
    it fire once. Yields the list of terminated backend pids (one after the fault fired)."""
    name = f"terminate_before_{table.name}"
    ddl = [
        f"CREATE SEQUENCE {name}",
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF nextval('{name}') = 1 THEN PERFORM setval('{name}', pg_backend_pid() + 1); "
        "PERFORM pg_terminate_backend(pg_backend_pid()); END IF; RETURN NULL; END $$",
        f"CREATE TRIGGER {name} BEFORE INSERT ON {table.name} FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {name}()",
    ]
    # Autocommit: the trigger is there for the phase's own transaction, and gone afterwards.
    admin = sa.create_engine(
        engine.url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
    )
    killed: list[int] = []
    with admin.connect() as connection:
        for statement in ddl:
            connection.exec_driver_sql(statement)
    try:
        yield killed
    finally:
        with admin.connect() as connection:
            fired = connection.exec_driver_sql(f"SELECT last_value FROM {name}").scalar()
            if fired and fired > 1:  # the backend's pid + 1, set before it ended itself
                killed.append(fired - 1)
            connection.exec_driver_sql(f"DROP TRIGGER {name} ON {table.name}")
            connection.exec_driver_sql(f"DROP FUNCTION {name}()")
            connection.exec_driver_sql(f"DROP SEQUENCE {name}")
        admin.dispose()


TABLES = {
    "import_schedule": ShiftInstance.__table__,  # type: ignore[attr-defined]
    "store_assignments": Assignment.__table__,  # type: ignore[attr-defined]
    "recalculate": CoverageRow.__table__,  # type: ignore[attr-defined]
}


def _before(phases: Phases, phase: str) -> Callable[[], object]:
    """Run the phases before `phase`; return a call of `phase` itself."""
    if phase == "import_schedule":
        return phases.import_schedule
    version_id = phases.import_schedule().version_id
    if phase == "store_assignments":
        return lambda: phases.store_assignments(version_id)
    phases.store_assignments(version_id)
    return lambda: phases.recalculate(version_id)


@pytest.mark.postgres
@pytest.mark.parametrize("phase", list(TABLES))
def test_a_terminated_connection_is_transient_leaves_nothing_and_the_retry_succeeds(
    pg_engine: Engine, tmp_path: Path, phase: str
) -> None:
    phases = new_phases(pg_engine, tmp_path)
    run_phase = _before(phases, phase)
    before = phases.counts()

    with (
        terminated_before_insert(pg_engine, TABLES[phase]) as killed,
        pytest.raises(DatabaseUnreachable) as failure,
    ):
        run_phase()
    assert killed, "the fault did not fire"
    assert is_transient(failure.value), f"{type(failure.value).__name__} would not be retried"
    left = phases.counts()

    run_phase()  # the retry
    after = phases.counts()
    one_result = {
        "import_schedule": after["versions"] == 1 and after["shift_instances"] > 0,
        "store_assignments": after["batches"] == ["COMPLETE", "FAILED"]
        and after["assignments"] > 0,
        "recalculate": after["calculations"] == 1 and after["coverage_rows"] > 0,
    }[phase]
    assert one_result, after
    # Nothing of the failed attempt: the phases before it, plus (phase 2) the FAILED ScrapeBatch
    # that records the failure.
    expected = before | ({"batches": ["FAILED"]} if phase == "store_assignments" else {})
    assert left == expected, (left, expected)


@pytest.mark.postgres
@pytest.mark.usefixtures("prefect_api")
def test_phase_1_task_retries_a_terminated_connection_and_stores_one_version(
    postgres_url: str, pg_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Prefect task's retry policy, not the test, recovers from the fault."""
    monkeypatch.setenv("SCHEDCU_DATABASE_URL", postgres_url)
    get_settings.cache_clear()
    phases = new_phases(pg_engine, tmp_path)
    task_engine = get_engine(get_settings())

    @flow(name="reliability-phase-1")
    def phase_1() -> int:
        request = ImportRequest(phases.hospital, phases.ods_path, START, months=1)
        return ods_import(request=request).version_id

    with terminated_before_insert(task_engine, TABLES["import_schedule"]) as killed:
        state = phase_1(return_state=True)
    assert killed and state.is_completed(), state
    assert phases.counts()["versions"] == 1
    with get_client(sync_client=True) as client:
        [task_run] = client.read_task_runs(
            task_run_filter=TaskRunFilter(
                flow_run_id=TaskRunFilterFlowRunId(any_=[state.state_details.flow_run_id])
            )
        )
    assert task_run.run_count == 2  # failed once on the lost connection, then succeeded


@pytest.mark.parametrize("phase", list(TABLES))
def test_a_phase_waits_for_another_sqlite_writer_and_succeeds(
    sqlite_template: Path, tmp_path: Path, phase: str
) -> None:
    path = tmp_path / "locked.db"
    path.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite:///{path}"
    engine, other = create_db_engine(url), create_db_engine(url)
    phases = new_phases(engine, tmp_path)
    run_phase = _before(phases, phase)
    holding, releasing = threading.Event(), threading.Event()

    def hold_the_write_lock() -> None:
        with transaction(other) as session:
            make_hospital(session)
            holding.set()
            time.sleep(HOLD_S)
            releasing.set()  # the commit, which frees the lock, comes after

    holder = threading.Thread(target=hold_the_write_lock)
    holder.start()
    assert holding.wait(5)
    run_phase()
    finished_after_the_release = releasing.is_set()
    holder.join()

    assert finished_after_the_release, f"{phase} wrote while another writer held the lock"
    after = phases.counts()
    assert {
        "import_schedule": after["versions"],
        "store_assignments": after["batches"].count("COMPLETE"),  # type: ignore[union-attr]
        "recalculate": after["calculations"],
    }[phase] == 1
    engine.dispose()
    other.dispose()
