"""Report files: the .csv columns in local time, an .ods that reopens, a heatmap PNG."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.image import imread

from schedcu.coverage.reports import gap_table, heatmap_markdown, summary_markdown, write_reports
from schedcu.coverage.service import StoredCoverage
from schedcu.models import Specialty
from tests.coverage.builders import TZ, assign, calculate, flat, matrix, person, sheet

SAT, SUN = dt.date(2026, 3, 14), dt.date(2026, 3, 15)
ALLEN, CPMC = "Allen MR Neuro", "CPMC CT Body"


def stored(result) -> StoredCoverage:
    return StoredCoverage(
        calculation_id=7,
        version_id=3,
        hospital_code="demo-radiology",
        layout=result.layout,
        timezone=TZ.key,
        period_start=result.period_start,
        period_end=result.period_end,
        summary=result.summary,
        rows=result.rows,
    )


@pytest.fixture
def coverage() -> StoredCoverage:
    template = matrix(
        sheet("Mid 5 pm - 12 am", "17:00", "00:00", {"MidC": [CPMC], "MidL": [ALLEN]}),
        sheet("ON 12am-8am", "00:00", "08:00", {"ON1": [CPMC, ALLEN]}, category="ON"),
    )
    ann, bo = person("Ann Lee"), person("Bo Chen", Specialty.BODY_ONLY)
    rows = [assign(ann, SAT, "MidC"), assign(bo, SAT, "MidL"), assign(ann, SUN, "ON1")]
    return stored(calculate(template, (SAT, SUN), rows, [ann, bo]))


def test_csv_has_the_columns_and_local_iso_times(coverage: StoredCoverage, tmp_path: Path) -> None:
    files, _ = write_reports(coverage, tmp_path)
    with files.csv.open(encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))

    assert list(lines[0]) == [
        "service_day",
        "category",
        "start",
        "end",
        "study_type",
        "status",
        "positions",
        "persons",
    ]
    assert lines[0] == {
        "service_day": "2026-03-14",
        "category": "Mid",
        "start": "2026-03-14T17:00:00-04:00",
        "end": "2026-03-15T00:00:00-04:00",
        "study_type": CPMC,
        "status": "COVERED",
        "positions": "MidC",
        "persons": "Ann Lee",
    }
    assert len(lines) == len(coverage.rows)


def test_ods_reopens_with_a_summary_and_a_rows_sheet(
    coverage: StoredCoverage, tmp_path: Path
) -> None:
    files, _ = write_reports(coverage, tmp_path)
    sheets = pd.read_excel(files.ods, engine="odf", sheet_name=None, header=None)

    assert list(sheets) == ["Summary", "Rows"]
    rows = pd.read_excel(files.ods, engine="odf", sheet_name="Rows")
    assert len(rows) == len(coverage.rows)
    assert rows.loc[0, "start"] == "2026-03-14T17:00:00-04:00"
    assert str(rows.loc[0, "service_day"])[:10] == "2026-03-14"  # a date cell, not text
    summary = sheets["Summary"].fillna("")
    labels = list(summary[0])
    overall = summary[1][labels.index("Overall coverage (%)")]
    assert overall == pytest.approx(coverage.summary["overall_percentage"])
    assert "Per site" in labels and "Allen" in labels


def test_heatmap_is_a_png_with_days_and_study_types(
    coverage: StoredCoverage, tmp_path: Path
) -> None:
    files, png = write_reports(coverage, tmp_path)

    assert files.heatmap.read_bytes() == png
    image = imread(io.BytesIO(png), format="png")
    assert image.shape[0] > 200 and image.shape[1] > 400


def test_markdown_summary_and_gap_table(coverage: StoredCoverage) -> None:
    text = summary_markdown(coverage)

    assert "**Overall coverage: " in text and "| Allen |" in text
    gaps = gap_table(coverage.summary)
    assert gaps[0] == {
        "study type": ALLEN,
        "from": "Sun 15 Mar 00:00",  # Saturday's night: nobody on ON1
        "to": "Sun 15 Mar 08:00",
        "hours": 8.0,
        "status": "UNSTAFFED",
    }
    assert heatmap_markdown(b"\x89PNG", caption="Heatmap").endswith(
        "![Heatmap](data:image/png;base64,iVBORw==)\n"
    )


def test_flat_reports_carry_required_assigned_and_percentage(tmp_path: Path) -> None:
    template = flat((SAT, "ON1", 2, "CT Neuro"))
    ann = person("Ann Lee")
    coverage = stored(calculate(template, (SAT, SAT), [assign(ann, SAT, "ON1")], [ann]))
    files, _ = write_reports(coverage, tmp_path)
    with files.csv.open(encoding="utf-8") as handle:
        line = next(csv.DictReader(handle))

    assert (line["status"], line["required"], line["assigned"], line["percentage"]) == (
        "PARTIAL",
        "2",
        "1",
        "50.0",
    )
    rows = pd.read_excel(files.ods, engine="odf", sheet_name="Rows")
    assert rows.loc[0, "percentage"] == 50.0


def test_libreoffice_opens_the_ods_and_reads_every_row(
    coverage: StoredCoverage, libreoffice: str, tmp_path: Path
) -> None:
    files, _ = write_reports(coverage, tmp_path / "reports")
    every_sheet = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    subprocess.run(
        [
            libreoffice,
            "--headless",
            "--convert-to",
            every_sheet,
            "--outdir",
            str(tmp_path),
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            str(files.ods),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with (tmp_path / f"{files.ods.stem}-Rows.csv").open(encoding="utf-8") as handle:
        lines = list(csv.reader(handle))
    assert len(lines) == 1 + len(coverage.rows)
    assert lines[1][:3] == ["2026-03-14", "Mid", "2026-03-14T17:00:00-04:00"]
