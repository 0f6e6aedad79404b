"""Report files as a coordinator reads them: the .csv columns in local time with offsets, an .ods
whose cells are numbers and dates (read back with the project's own ODS reader), a heatmap PNG,
the artifacts' texts, and the .ods as LibreOffice prints it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from matplotlib.image import imread
from sqlalchemy.engine import Engine

from schedcu.amion.matching import display_name
from schedcu.config import Settings
from schedcu.coverage.figures import report_figures
from schedcu.coverage.ods_report import SHEETS
from schedcu.coverage.reports import (
    gap_table,
    heatmap_markdown,
    summary_markdown,
    write_report,
    write_reports,
)
from schedcu.coverage.service import StoredCoverage, load_coverage, recalculate
from schedcu.db import create_db_engine
from schedcu.examples.amion_month import month_schedule
from schedcu.examples.data import PEOPLE
from schedcu.examples.template_ods import write_example_template
from schedcu.models import Specialty
from schedcu.ods import parse_template
from schedcu.ods.cells import Cell
from schedcu.ods.reader import iter_sheets
from tests.coverage.builders import (
    TZ,
    assign,
    calculate,
    flat,
    matrix,
    person,
    sheet,
    store_version,
)

Month = tuple[StoredCoverage, StoredCoverage]  # as the flow has it, as the database gives it

SAT, SUN = dt.date(2026, 3, 14), dt.date(2026, 3, 15)
ALLEN, CPMC = "Allen MR Neuro", "CPMC CT Body"
CM_PER_CHARACTER = 0.2
NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "config": "urn:oasis:names:tc:opendocument:xmlns:config:1.0",
}


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


def read_sheets(ods: Path) -> dict[str, dict[tuple[int, int], Cell]]:
    """Every non-empty cell of each sheet, by (row, column), as the project's reader sees it."""
    with zipfile.ZipFile(ods) as archive, archive.open("content.xml") as stream:
        return {
            sheet.name: {(c.row, c.col): c for _, cells in sheet.rows for c in cells}
            for sheet in iter_sheets(stream, Settings())
        }


def column(cells: dict[tuple[int, int], Cell], col: int, first_row: int = 1) -> list[Cell]:
    return [cells[(r, c)] for r, c in sorted(cells) if c == col and r >= first_row]


def label_values(cells: dict[tuple[int, int], Cell]) -> dict[str, Cell]:
    """The Summary's label -> value cell (column A -> column B), first occurrence."""
    values: dict[str, Cell] = {}
    for (row, col), cell in sorted(cells.items()):
        if col == 0 and (row, 1) in cells:
            values.setdefault(cell.text, cells[(row, 1)])
    return values


@pytest.fixture
def coverage() -> StoredCoverage:
    template = matrix(
        sheet("Mid 5 pm - 12 am", "17:00", "00:00", {"MidC": [CPMC], "MidL": [ALLEN]}),
        sheet("ON 12am-8am", "00:00", "08:00", {"ON1": [CPMC, ALLEN]}, category="ON"),
    )
    ann, bo = person("Ann Lee"), person("Bo Chen", Specialty.BODY_ONLY)
    rows = [assign(ann, SAT, "MidC"), assign(bo, SAT, "MidL"), assign(ann, SUN, "ON1")]
    return stored(calculate(template, (SAT, SUN), rows, [ann, bo]))


def _month(engine: Engine, template_path: Path) -> Month:
    """March 2026 of `template_path` staffed by the example department's roster and Amion
    month, calculated and stored: the outcome the flow reports, and the calculation read back."""
    template, _ = parse_template(template_path)
    names = {spelling: name for name, _, _, aliases in PEOPLE for spelling in (name, *aliases)}
    version_id = store_version(
        engine,
        template,
        (dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
        roster=[(name, Specialty(specialty)) for name, _, specialty, _ in PEOPLE],
        shifts=[
            (
                names.get(entry.name) or display_name(entry.name),
                entry.date,
                entry.position,
                _clock(entry.start),
                _clock(entry.end),
            )
            for entry in month_schedule(2026, 3)
        ],
    )
    outcome = recalculate(engine=engine, version_id=version_id, settings=Settings())
    return outcome, load_coverage(engine=engine, version_id=version_id)


def _clock(amion: str) -> str | None:
    """Amion's `1700` / `0` as `17:00` / `00:00`; no time stays None."""
    return f"{int(amion):04d}"[:2] + ":" + f"{int(amion):04d}"[2:] if amion else None


@pytest.fixture
def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "schedcu.db"
    shutil.copyfile(sqlite_template, path)
    engine = create_db_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def example_template(tmp_path: Path) -> Path:
    return write_example_template(tmp_path / "example-template.ods")


@pytest.fixture
def example_month(sqlite_engine: Engine, example_template: Path) -> Month:
    return _month(sqlite_engine, example_template)


@pytest.fixture
def real_month(sqlite_engine: Engine, real_template_path: Path) -> Month:
    return _month(sqlite_engine, real_template_path)


def test_csv_has_readable_columns_and_local_times_with_offsets(
    coverage: StoredCoverage, tmp_path: Path
) -> None:
    files, _ = write_reports(coverage, tmp_path)
    with files.csv.open(encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))

    assert lines[0] == {
        "Service day": "2026-03-14",
        "Category": "Mid",
        "Start": "2026-03-14T17:00:00-04:00",
        "End": "2026-03-15T00:00:00-04:00",
        "Hours": "7.0",
        "Study type": CPMC,
        "Status": "COVERED",
        "Positions": "MidC",
        "Persons": "Ann Lee",
    }
    assert len(lines) == len(coverage.rows)


def test_ods_has_four_sheets_of_typed_cells(coverage: StoredCoverage, tmp_path: Path) -> None:
    files, _ = write_reports(coverage, tmp_path)
    sheets = read_sheets(files.ods)

    assert list(sheets) == list(SHEETS) == ["Summary", "Gaps", "Grid", "Rows"]
    rows = sheets["Rows"]
    assert [rows[(0, c)].text for c in range(4)] == ["Service day", "Category", "Start", "End"]
    assert rows[(1, 0)][3:] == ("date", "2026-03-14")
    assert rows[(1, 2)][2:] == ("Sat 14 Mar 17:00", "date", "2026-03-14T17:00:00")
    assert rows[(1, 4)][3:] == ("float", "7.0")
    assert len(column(rows, 0)) == len(coverage.rows)
    summary = label_values(sheets["Summary"])
    assert summary["Coverage"][3:] == ("percentage", "0.5")  # 30 of 60 ruled hours
    assert summary["Covered h"][3:] == ("float", "30.0")
    assert summary["Without a rule h"][3:] == ("float", "0.0")
    assert summary["Allen"][3:] == ("percentage", "0.5")  # the per-site table's first line


def test_gaps_sheet_lists_every_gap_in_time_order_with_positions(
    coverage: StoredCoverage, tmp_path: Path
) -> None:
    files, _ = write_reports(coverage, tmp_path)
    gaps = read_sheets(files.ods)["Gaps"]

    lines = [tuple(cell.value or cell.text for cell in line) for line in _lines(gaps)]
    assert lines == [
        ("Study type", "From", "To", "Hours", "Positions"),
        (ALLEN, "2026-03-15T00:00:00", "2026-03-15T08:00:00", "8.0", "ON1"),
        (CPMC, "2026-03-15T00:00:00", "2026-03-15T08:00:00", "8.0", "ON1"),
        (ALLEN, "2026-03-15T17:00:00", "2026-03-16T00:00:00", "7.0", "MidL"),
        (CPMC, "2026-03-15T17:00:00", "2026-03-16T00:00:00", "7.0", "MidC"),
    ]
    assert gaps[(1, 1)].text == "Sun 15 Mar 00:00"


def _lines(cells: dict[tuple[int, int], Cell]) -> list[list[Cell]]:
    by_row: dict[int, list[Cell]] = {}
    for (row, _), cell in sorted(cells.items()):
        by_row.setdefault(row, []).append(cell)
    return list(by_row.values())


def test_grid_sheet_is_the_share_covered_per_study_type_and_day_in_heatmap_bands(
    coverage: StoredCoverage, tmp_path: Path
) -> None:
    files, _ = write_reports(coverage, tmp_path)
    grid = read_sheets(files.ods)["Grid"]

    assert [grid[(0, c)].value for c in (1, 2)] == ["2026-03-14", "2026-03-15"]
    # Saturday: 7 of 15 ruled hours (Mid 17-24 covered, the night to Sunday 08:00 not);
    # Sunday: the night to Monday is covered, the evening is not: 8 of 15.
    for row, study_type in ((1, ALLEN), (2, CPMC)):
        assert grid[(row, 0)].text == study_type
        shares = [float(grid[(row, c)].value or "nan") for c in (1, 2)]
        assert shares == pytest.approx([7 / 15, 8 / 15])
        assert grid[(row, 1)].value_type == "percentage"
    styles = _cell_styles(files.ods, "Grid")
    assert styles[(1, 1)] == "Band0" and styles[(1, 2)] == "Band1"  # under 50 %, 50-80 %
    assert styles[(0, 1)] == styles[(0, 2)] == "Weekend"


def _cell_styles(ods: Path, sheet: str) -> dict[tuple[int, int], str]:
    table = _content(ods).find(f".//table:table[@table:name='{sheet}']", NS)
    assert table is not None
    styles = {}
    for r, row in enumerate(table.iterfind(".//table:table-row", NS)):
        for c, cell in enumerate(row.iterfind("table:table-cell", NS)):
            styles[(r, c)] = cell.get(f"{{{NS['table']}}}style-name")
    return styles


def _content(ods: Path) -> etree._Element:
    with zipfile.ZipFile(ods) as archive:
        return etree.fromstring(archive.read("content.xml"))


def test_headers_are_frozen_and_gaps_and_rows_have_filter_buttons(
    coverage: StoredCoverage, tmp_path: Path
) -> None:
    files, _ = write_reports(coverage, tmp_path)
    with zipfile.ZipFile(files.ods) as archive:
        settings = etree.fromstring(archive.read("settings.xml"))

    frozen = {
        entry.get(f"{{{NS['config']}}}name"): {
            item.get(f"{{{NS['config']}}}name"): item.text
            for item in entry.iterfind("config:config-item", NS)
        }
        for entry in settings.iterfind(
            ".//config:config-item-map-named[@config:name='Tables']/config:config-item-map-entry",
            NS,
        )
    }
    assert set(frozen) == {"Gaps", "Grid", "Rows"}
    split = ("HorizontalSplitMode", "HorizontalSplitPosition", "VerticalSplitMode")
    assert [frozen["Grid"][key] for key in split] == ["2", "1", "2"]  # study types and days
    assert [frozen["Rows"][key] for key in split] == ["0", "0", "2"]  # the header row
    assert frozen["Rows"]["VerticalSplitPosition"] == "1"
    filters = {
        r.get(f"{{{NS['table']}}}target-range-address"): r.get(
            f"{{{NS['table']}}}display-filter-buttons"
        )
        for r in _content(files.ods).iterfind(".//table:database-range", NS)
    }
    assert filters == {
        "'Gaps'.A1:'Gaps'.E5": "true",
        f"'Rows'.A1:'Rows'.I{len(coverage.rows) + 1}": "true",
    }


def test_heatmap_is_a_png_with_days_and_study_types(
    coverage: StoredCoverage, tmp_path: Path
) -> None:
    files, png = write_reports(coverage, tmp_path)

    assert files.heatmap.read_bytes() == png
    image = imread(io.BytesIO(png), format="png")
    assert image.shape[0] > 200 and image.shape[1] > 400


def test_markdown_summary_and_a_gap_table_of_every_gap_with_the_year(
    coverage: StoredCoverage,
) -> None:
    text = summary_markdown(coverage)

    assert "**Overall coverage: " in text and "| Allen |" in text
    gaps = gap_table(coverage)
    assert len(gaps) == len(report_figures(coverage.rows).gaps) == 4
    assert gaps[0] == {
        "study type": ALLEN,
        "from": "Sun 15 Mar 2026 00:00",  # Saturday's night: nobody on ON1
        "to": "Sun 15 Mar 2026 08:00",
        "hours": 8.0,
        "positions": "ON1",
    }
    assert [g["from"] for g in gaps] == sorted(g["from"] for g in gaps)  # all on Sun 15 Mar
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

    assert (line["Status"], line["Required"], line["Assigned"], line["Staffed %"]) == (
        "PARTIAL",
        "2",
        "1",
        "50.0",
    )
    sheets = read_sheets(files.ods)
    assert [c.value for c in _lines(sheets["Rows"])[1][-3:]] == ["2", "1", "50.0"]
    summary = label_values(sheets["Summary"])
    assert summary["Coverage"].value == "0.5"
    assert (summary["Required places"].value, summary["Staffed places"].value) == ("2", "1")
    assert read_sheets(files.ods)["Gaps"] == {
        (0, c): cell for c, cell in enumerate(_lines(sheets["Gaps"])[0])
    }  # PARTIAL is no gap: the header alone


def test_an_export_of_the_stored_calculation_writes_what_the_flow_writes(
    tmp_path: Path, db_engine: Engine, example_template: Path
) -> None:
    """The flow writes from what it just stored, `schedcu coverage export` from the database."""
    outcome, loaded = _month(db_engine, example_template)
    flow_file = write_report(outcome, tmp_path / "flow.ods", "ods")
    export_file = write_report(loaded, tmp_path / "export.ods", "ods")

    assert flow_file.read_bytes() == export_file.read_bytes()
    assert read_sheets(flow_file)["Rows"]  # the same file, not two empty ones


def test_the_reports_totals_are_the_stored_calculations(real_month: Month, tmp_path: Path) -> None:
    _, loaded = real_month
    files, _ = write_reports(loaded, tmp_path)
    sheets = read_sheets(files.ods)
    summary = loaded.summary

    headline = label_values(sheets["Summary"])
    assert float(headline["Coverage"].value) * 100 == pytest.approx(summary["overall_percentage"])
    for label, key in (
        ("Covered h", "COVERED"),
        ("Unstaffed h", "UNSTAFFED"),
        ("Without a rule h", "NO_RULE"),
        ("Ruled h", "ruled"),
    ):
        assert float(headline[label].value) == summary["hours"][key], label
    hours_by_status: dict[str, float] = {}
    for line in _lines(sheets["Rows"])[1:]:
        hours_by_status[line[6].text] = hours_by_status.get(line[6].text, 0) + float(line[4].value)
    for status in ("COVERED", "UNSTAFFED", "NO_RULE"):
        assert hours_by_status[status] == pytest.approx(summary["hours"][status], abs=0.01)
    assert len(_lines(sheets["Gaps"])) - 1 == summary["gap_count"] > 0
    assert int(headline["Rows"].value) == len(_lines(sheets["Rows"])) - 1 == len(loaded.rows)


def test_libreoffice_prints_every_sheet_of_the_example_month(
    example_month: Month, libreoffice: str, tmp_path: Path
) -> None:
    _, loaded = example_month
    files, _ = write_reports(loaded, tmp_path / "reports")
    kept = tmp_path / "rendered"  # the PDF stays here for a person to look at
    pdf = _to_pdf(libreoffice, files.ods, kept, tmp_path / "lo-profile")
    seen = f"(rendered report: {pdf})"

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    fields = dict(line.split(":", 1) for line in info.stdout.splitlines() if ":" in line)
    assert int(fields["Pages"]) > 0, seen
    width, _, height = fields["Page size"].split()[:3]
    assert float(width) > float(height), f"pages are not landscape {seen}"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for name in SHEETS:  # each printed page's footer names its sheet
        assert f"· {name} · page" in text, f"no printed page of {name} {seen}"
    for name, too_narrow in _columns_narrower_than_their_header(files.ods).items():
        assert not too_narrow, f"{name}: columns narrower than their header {too_narrow} {seen}"


def _to_pdf(libreoffice: str, ods: Path, outdir: Path, profile: Path) -> Path:
    completed = subprocess.run(
        [
            libreoffice,
            "--headless",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(ods),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    pdf = outdir / f"{ods.stem}.pdf"
    assert completed.returncode == 0 and pdf.is_file(), (
        f"LibreOffice could not open {ods}: {completed.stdout} {completed.stderr}"
    )
    return pdf


def _columns_narrower_than_their_header(ods: Path) -> dict[str, list[str]]:
    """Per sheet, the header texts whose column is narrower than 0.2 cm a character (10 pt
    bold in the widest usual font). Header cells are those of the Header style; the Grid's day
    headers stand upright."""
    content = _content(ods)
    widths = {
        style.get(f"{{{NS['style']}}}name"): float(
            style.find("style:table-column-properties", NS)
            .get(f"{{{NS['style']}}}column-width")
            .removesuffix("cm")
        )
        for style in content.iterfind(".//style:style[@style:family='table-column']", NS)
    }
    narrow: dict[str, list[str]] = {}
    for table in content.iterfind(".//table:table", NS):
        name = table.get(f"{{{NS['table']}}}name")
        columns = [
            widths[c.get(f"{{{NS['table']}}}style-name")]
            for c in table.iterfind(".//table:table-column", NS)
            for _ in range(int(c.get(f"{{{NS['table']}}}number-columns-repeated", "1")))
        ]
        narrow[name] = [
            f"{cell.findtext('{*}p')} ({columns[c]} cm)"
            for row in table.iterfind(".//table:table-row", NS)
            for c, cell in enumerate(row.iterfind("table:table-cell", NS))
            if cell.get(f"{{{NS['table']}}}style-name") == "Header"
            and columns[c] < CM_PER_CHARACTER * len(cell.findtext("{*}p") or "")
        ]
    return narrow
