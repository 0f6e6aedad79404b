"""`schedcu coverage calculate` and `schedcu coverage export` against a real database."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from schedcu.cli import main
from schedcu.config import get_settings
from schedcu.models import Specialty
from tests.coverage.builders import matrix, sheet, store_version

SAT = dt.date(2026, 3, 14)
TEMPLATE = matrix(sheet("Mid 5 pm - 12 am", "17:00", "00:00", {"MidC": ["CPMC CT Body"]}))


@pytest.fixture
def version_id(db_engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("SCHEDCU_DATABASE_URL", db_url)
    get_settings.cache_clear()
    return store_version(
        db_engine,
        TEMPLATE,
        (SAT, SAT + dt.timedelta(days=1)),
        roster=[("Ann Lee", Specialty.BOTH)],
        shifts=[("Ann Lee", SAT, "MidC", None, None)],
    )


def test_calculate_then_export_csv_and_ods(
    version_id: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["coverage", "calculate", "--version", str(version_id)]) == 0
    assert f"Coverage of version {version_id}: 50.00 %" in capsys.readouterr().out

    out = tmp_path / "out" / "report.csv"
    assert main(["coverage", "export", "--version", str(version_id), "--out", str(out)]) == 0
    with out.open(encoding="utf-8") as handle:
        assert [line["Status"] for line in csv.DictReader(handle)] == ["COVERED", "UNSTAFFED"]

    ods = tmp_path / "report.data"
    args = [
        "coverage",
        "export",
        "--version",
        str(version_id),
        "--format",
        "ods",
        "--out",
        str(ods),
    ]
    assert main(args) == 0
    assert len(pd.read_excel(ods, engine="odf", sheet_name="Rows")) == 2


def test_export_without_a_calculation_says_what_to_do(
    version_id: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.csv"
    assert main(["coverage", "export", "--version", str(version_id), "--out", str(out)]) == 1
    error = capsys.readouterr().err
    assert "NO_COVERAGE" in error and "schedcu coverage calculate" in error
    assert "Traceback" not in error and not out.exists()


def test_export_refuses_an_unknown_format(
    version_id: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["coverage", "export", "--version", str(version_id), "--out", str(tmp_path / "r.xlsx")]
    assert main(args) == 1
    assert "UNKNOWN_REPORT_FORMAT" in capsys.readouterr().err


def test_calculating_again_with_nothing_new_says_so_and_stores_nothing(
    version_id: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["coverage", "calculate", "--version", str(version_id)]) == 0
    first = capsys.readouterr().out
    assert "What changed" not in first  # the first calculation: nothing to compare with
    assert main(["coverage", "calculate", "--version", str(version_id)]) == 0
    again = capsys.readouterr().out
    calculation = first.split("calculation ")[1].split(")")[0]
    assert f"(2 rows, calculation {calculation})" in again  # the same one, not a new one
    assert "INFO: COVERAGE_UNCHANGED" in again
    assert "What changed: nothing." in again
