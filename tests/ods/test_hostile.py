"""Every bad input of issue 3: its code, a coordinator's sentence, bounded work and memory, and
nothing written to the database. (How long each refusal takes: bench/ods_hostile.py.)"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from schedcu.db import transaction
from schedcu.errors import SpreadsheetError
from schedcu.models import ScheduleVersion, ShiftInstance
from schedcu.ods import parse_template
from schedcu.ods.importer import import_schedule
from schedcu.validation import Severity
from tests.ods.hostile import HOSTILE
from tests.utils.builders import make_hospital
from tests.utils.work import python_lines

MB = 1024 * 1024


# Lines of Python a refusal may run. Measured: 170 to 1,300 lines a case, about 18,000 the first
# time a process parses (lazy imports); one line per repeated row of a 1,048,000-row repeat, or
# per 64 kB of a 2 GB bomb, would be far above.
MAX_PYTHON_LINES = 100_000


@pytest.mark.parametrize("case", HOSTILE)
def test_refused_with_its_code_with_bounded_work_and_memory(case: str, tmp_path: Path) -> None:
    build, code = HOSTILE[case]
    path = build(tmp_path / f"{case}.ods")
    tracemalloc.start()
    try:
        with python_lines() as lines, pytest.raises(SpreadsheetError) as caught:
            parse_template(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    err = caught.value
    assert err.code == code, err.message
    assert lines[0] < MAX_PYTHON_LINES, lines[0]
    assert peak < 20 * MB
    assert "Traceback" not in err.message and len(err.message) < 400
    errors = err.validation.by_severity(Severity.ERROR)
    assert [m.code for m in errors] == [code]


@pytest.mark.parametrize("case", ["zip_bomb_2gb", "lying_header", "repeated_x_1048000_by_16000"])
def test_peak_memory_of_a_whole_process_stays_small(case: str, tmp_path: Path) -> None:
    """Resident memory of a fresh process, which also counts lxml's and zlib's C buffers."""
    path = HOSTILE[case][0](tmp_path / f"{case}.ods")
    script = (
        "import json, resource, sys\n"
        "from pathlib import Path\n"
        "from schedcu.errors import SpreadsheetError\n"
        "from schedcu.ods import parse_template\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    parse_template(Path(sys.argv[1]))\n"
        "    code = None\n"
        "except SpreadsheetError as err:\n"
        "    code = err.code\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({'code': code, 'before': before, 'after': after}))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True
    )
    report = json.loads(completed.stdout)
    assert report["code"] == HOSTILE[case][1]
    assert (report["after"] - report["before"]) * 1024 < 30 * MB


@pytest.mark.parametrize("case", HOSTILE)
def test_import_of_a_refused_file_writes_nothing(
    case: str, tmp_path: Path, db_engine: Engine
) -> None:
    with transaction(db_engine) as session:
        code = make_hospital(session).code
    path = HOSTILE[case][0](tmp_path / f"{case}.ods")
    with pytest.raises(SpreadsheetError) as caught:
        import_schedule(
            engine=db_engine,
            hospital_code=code,
            ods_path=path,
            start=dt.date(2026, 3, 1),
            months=1,
        )
    assert caught.value.code == HOSTILE[case][1]
    with db_engine.connect() as connection:
        for table in (ScheduleVersion, ShiftInstance):
            count = connection.execute(
                sa.select(sa.func.count()).select_from(table.__table__)  # type: ignore[attr-defined]
            ).scalar_one()
            assert count == 0
