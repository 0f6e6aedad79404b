"""Benchmark: reading the flat layout with our streaming reader vs pandas-odf and calamine.

    .venv/bin/python bench/ods_read.py [--sizes 10000 50000 200000] [--pandas-max 50000]

Inputs are generated once and cached under .bench/. Each reader runs in its own child process,
which reports its best wall and CPU times of five runs (one for pandas) and its peak resident
memory (ru_maxrss, the whole process), so one reader's garbage never counts against another.
Ratios use CPU time, which other work on a shared machine disturbs less than wall time.
Goals (issue 17): at least 20x pandas-odf at 50k rows, and `parse_template` within 2.5x of lxml's
own parse of the same stream (`lxml-floor`); under 100 MB at 200k rows (issue 3). Issue 3's
"within 5x of calamine" is retired (out of reach for an lxml reader); its ratios are still shown.
`schedcu` is the whole `parse_template` (rows into validated FlatShifts); `schedcu-rows` only
the streaming reader's rows of cells, like calamine's lists; `lxml-floor` only the same checked,
counted stream through lxml `iterparse` with each row cleared and no cell read: what any
lxml-based reader pays before its first line of Python per cell; `lxml-cells` that stream plus
the least any cell reader must touch per cell (its repeat count, its value type and its first
paragraph's text), building nothing. The row cap is raised to let 200k rows through (the default
cap is 200,000 rows, header included).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".bench"
MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
HEADER = ("Date", "ShiftType", "RequiredStaffing", "SpecialtyConstraint", "StudyType")
SHIFT_TYPES = ("ON1", "ON2", "MidC", "MidL", "Mid 3")
STUDY_TYPES = ("CPMC CT Neuro", "CPMC US", "Allen MR Body", "NYPLH Neuro CT", "CHONY Neuro")
SPECIALTIES = ("NEURO_ONLY", "BODY_ONLY", "")
REPEATS = 5


def _string(text: str) -> str:
    if not text:
        return "<table:table-cell/>"
    return (
        f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'
    )


def _row(index: int) -> str:
    day = dt.date(2026, 1, 1) + dt.timedelta(days=index // 20)
    cells = (
        f'<table:table-cell office:value-type="date" office:date-value="{day.isoformat()}">'
        f"<text:p>{day:%m/%d/%y}</text:p></table:table-cell>",
        _string(SHIFT_TYPES[index % 5]),
        f'<table:table-cell office:value-type="float" office:value="{index % 3 + 1}">'
        f"<text:p>{index % 3 + 1}</text:p></table:table-cell>",
        _string(SPECIALTIES[index % 3]),
        _string(STUDY_TYPES[index % 5]),
        '<table:table-cell table:number-columns-repeated="16379"/>',
    )
    return "<table:table-row>" + "".join(cells) + "</table:table-row>"


def flat_ods(rows: int) -> Path:
    """A LibreOffice-like flat shift list of `rows` rows, cached under .bench/."""
    path = CACHE / f"flat-{rows}.ods"
    if path.exists():
        return path
    CACHE.mkdir(exist_ok=True)
    head = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
        '<office:body><office:spreadsheet><table:table table:name="Shifts">'
        "<table:table-row>" + "".join(_string(name) for name in HEADER) + "</table:table-row>"
    )
    tail = (
        '<table:table-row table:number-rows-repeated="1048000">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{MIMETYPE}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    partial = path.with_suffix(".tmp")
    with zipfile.ZipFile(partial, "w") as archive:
        archive.writestr("mimetype", MIMETYPE, zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        with archive.open(zipfile.ZipInfo("content.xml"), "w") as content:
            content._compress_type = zipfile.ZIP_DEFLATED  # type: ignore[attr-defined]
            content.write(head.encode())
            for start in range(0, rows, 10_000):
                block = "".join(_row(i) for i in range(start, min(rows, start + 10_000)))
                content.write(block.encode())
            content.write(tail.encode())
    partial.rename(path)
    return path


def _read(reader: str, path: Path) -> int:
    """Read all rows of `path` with `reader`; the number of data rows."""
    if reader == "schedcu":
        from schedcu.config import Settings
        from schedcu.ods import parse_template

        template, _ = parse_template(path, settings=Settings(ods_max_rows=1_048_576))
        return len(template.shifts)
    if reader == "schedcu-rows":
        from schedcu.config import Settings
        from schedcu.ods.archive import open_content
        from schedcu.ods.reader import iter_sheets
        from schedcu.validation import ValidationResult

        settings = Settings(ods_max_rows=1_048_576)
        with open_content(path, settings, ValidationResult()) as stream:
            sheet = next(iter_sheets(stream, settings))
            return sum(1 for _ in sheet.rows) - 1
    if reader == "lxml-floor":
        from lxml import etree

        from schedcu.config import Settings
        from schedcu.ods.archive import open_content
        from schedcu.ods.reader import T_ROW
        from schedcu.validation import ValidationResult

        settings = Settings(ods_max_rows=1_048_576)
        rows = 0
        with open_content(path, settings, ValidationResult()) as stream:
            parsed = etree.iterparse(
                stream, events=("end",), tag=T_ROW, resolve_entities=False, no_network=True
            )
            for _, row in parsed:
                rows += 1
                row.clear(keep_tail=False)
                parent = row.getparent()
                while row.getprevious() is not None:
                    del parent[0]
        return rows - 2  # the header and LibreOffice's trailing empty rows
    if reader == "lxml-cells":
        from lxml import etree

        from schedcu.config import Settings
        from schedcu.ods.archive import open_content
        from schedcu.ods.reader import A_COLS_REPEATED, A_VALUE_TYPE, T_ROW
        from schedcu.validation import ValidationResult

        settings = Settings(ods_max_rows=1_048_576)
        rows = touched = 0
        with open_content(path, settings, ValidationResult()) as stream:
            parsed = etree.iterparse(
                stream, events=("end",), tag=T_ROW, resolve_entities=False, no_network=True
            )
            for _, row in parsed:
                rows += 1
                for cell in row:
                    touched += cell.get(A_COLS_REPEATED) is not None
                    touched += cell.get(A_VALUE_TYPE) is not None
                    if len(cell):
                        touched += bool(cell[0].text)
                row.clear(keep_tail=False)
                parent = row.getparent()
                while row.getprevious() is not None:
                    del parent[0]
        assert touched
        return rows - 2
    if reader == "pandas-odf":
        import pandas as pd

        return len(pd.read_excel(path, engine="odf"))
    if reader == "calamine":
        from python_calamine import CalamineWorkbook

        return len(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()) - 1
    raise ValueError(reader)


def _child(reader: str, path: Path) -> None:
    import resource

    _read(reader, flat_ods(10)) if reader != "pandas-odf" else None  # warm the imports
    runs = 1 if reader == "pandas-odf" else REPEATS
    seconds = cpu = float("inf")
    for _ in range(runs):  # best of a few: the machine is shared
        started, started_cpu = time.perf_counter(), time.process_time()
        rows = _read(reader, path)
        seconds = min(seconds, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": rows, "seconds": seconds, "cpu": cpu, "peak_mb": peak_mb}))


def measure(reader: str, path: Path) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", reader, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 200_000])
    parser.add_argument("--pandas-max", type=int, default=50_000)
    parser.add_argument("--child", nargs=2, metavar=("READER", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], Path(args.child[1]))
        return 0
    flat_ods(10)
    print(f"{'rows':>8} {'reader':>12} {'wall s':>7} {'CPU s':>7} {'rows/s':>10} {'peak MB':>8}")
    for size in args.sizes:
        path = flat_ods(size)
        readers = ["schedcu", "schedcu-rows", "lxml-cells", "lxml-floor", "calamine"]
        readers += ["pandas-odf"] if size <= args.pandas_max else []
        results = {}
        for reader in readers:
            result = measure(reader, path)
            assert result["rows"] == size, (reader, result)
            results[reader] = result
            print(
                f"{size:>8} {reader:>12} {result['seconds']:>7.2f} {result['cpu']:>7.2f} "
                f"{size / result['seconds']:>10,.0f} {result['peak_mb']:>8.1f}"
            )
        # Ratios of CPU time: steadier than wall time on a shared machine.
        ours = results["schedcu"]["cpu"]
        floor = ours / results["lxml-floor"]["cpu"]
        print(f"{'':>8} -> parse_template / lxml's own parse: {floor:.2f}x (goal <= 2.5x: "
              f"{'met' if floor <= 2.5 else 'NOT met'})")  # fmt: skip
        if "pandas-odf" in results:
            pandas = results["pandas-odf"]["cpu"] / ours
            print(f"{'':>8} -> ours is {pandas:.1f}x pandas-odf (goal >= 20x at 50k rows: "
                  f"{'met' if pandas >= 20 else 'NOT met'})")  # fmt: skip
        calamine = results["calamine"]["cpu"]
        print(
            f"{'':>8} -> retired goal (<= 5x calamine): calamine is {ours / calamine:.1f}x faster "
            f"than our parse_template, {results['schedcu-rows']['cpu'] / calamine:.1f}x than our "
            f"row reader, {results['lxml-cells']['cpu'] / calamine:.1f}x than lxml touching each "
            f"cell, {results['lxml-floor']['cpu'] / calamine:.1f}x than lxml parsing alone"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
