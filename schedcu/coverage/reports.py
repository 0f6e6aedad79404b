"""The reports people open: files in the reports folder (.csv, .ods, heatmap .png) and the texts
of the Prefect artifacts (markdown summary, gap table), all from a stored calculation.

No Prefect here: `tasks/coverage.py` turns these texts into artifacts.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from schedcu.coverage.csv_report import write_csv
from schedcu.coverage.heatmap import heatmap_png
from schedcu.coverage.service import StoredCoverage
from schedcu.coverage.table import Cell, header, lines
from schedcu.names import slug

GROUPS = (("by_study_type", "Study type"), ("by_site", "Site"), ("by_category", "Category"))
FORMATS = ("csv", "ods")


@dataclass(frozen=True, slots=True)
class ReportFiles:
    csv: Path
    ods: Path
    heatmap: Path

    def to_dict(self) -> dict[str, str]:
        return {"csv": str(self.csv), "ods": str(self.ods), "heatmap": str(self.heatmap)}


def report_stem(coverage: StoredCoverage) -> str:
    """`coverage-<hospital>-v<version>`, one file name inside the reports folder whatever the
    stored code holds (`slug` keeps letters, digits and dashes: no `/`, `..` or NUL)."""
    return f"{slug('coverage', coverage.hospital_code)}-v{coverage.version_id}"


def title(coverage: StoredCoverage) -> str:
    return (
        f"Coverage of {coverage.hospital_code}, version {coverage.version_id}, "
        f"{coverage.period_start:%d %b %Y} – {coverage.period_end:%d %b %Y}"
    )


def write_report(coverage: StoredCoverage, path: Path, report_format: str) -> Path:
    """The .csv or .ods report of a stored calculation at `path`."""
    tz = ZoneInfo(coverage.timezone)
    if report_format == "csv":
        return write_csv(path, coverage.rows, layout=coverage.layout, tz=tz)
    if report_format == "ods":
        from schedcu.coverage.ods_report import write_ods

        return write_ods(
            path,
            summary_rows=summary_lines(coverage),
            header=header(coverage.layout),
            rows=lines(coverage.rows, layout=coverage.layout, tz=tz),
        )
    raise ValueError(f"unknown report format {report_format!r}; use one of {FORMATS}")


def write_reports(coverage: StoredCoverage, reports_dir: Path) -> tuple[ReportFiles, bytes]:
    """Every report file in `reports_dir`; also returns the heatmap's PNG bytes."""
    stem = reports_dir / report_stem(coverage)
    png = heatmap_png(coverage.rows, title=title(coverage))
    heatmap = stem.with_suffix(".png")
    heatmap.parent.mkdir(parents=True, exist_ok=True)
    heatmap.write_bytes(png)
    files = ReportFiles(
        csv=write_report(coverage, stem.with_suffix(".csv"), "csv"),
        ods=write_report(coverage, stem.with_suffix(".ods"), "ods"),
        heatmap=heatmap,
    )
    return files, png


def _local(iso: str) -> str:
    """`2026-03-14T22:00:00-04:00` -> `Sat 14 Mar 22:00` (already in the hospital's zone)."""
    return f"{dt.datetime.fromisoformat(iso):%a %d %b %H:%M}"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} %"


def summary_lines(coverage: StoredCoverage) -> Iterator[Sequence[Cell]]:
    """The Summary sheet: a one-value line is a heading, the others label then values."""
    summary = coverage.summary
    yield (title(coverage),)
    yield ("Time zone", coverage.timezone)
    yield ("Overall coverage (%)", summary.get("overall_percentage"))
    yield ()
    yield ("Hours per status",)
    yield from summary.get("hours", {}).items()
    for key, label in GROUPS:
        groups: dict[str, dict[str, Any]] = summary.get(key, {})
        if not groups:
            continue
        yield ()
        yield (f"Per {label.lower()}",)
        columns = list(next(iter(groups.values())))
        yield (label, *columns)
        for name, values in groups.items():
            yield (name, *(values[c] for c in columns))
    yield ()
    yield (f"Longest gaps ({summary.get('gap_count', 0)} in all)",)
    yield ("Study type", "Start", "End", "Hours", "Status")
    for gap in summary.get("gaps", []):
        yield (gap["study_type"], gap["start"], gap["end"], gap["hours"], gap["status"])
    if summary.get("overstaffed"):
        yield ()
        yield ("Overstaffed shifts",)
        yield ("Service day", "Position", "Study type", "Required", "Assigned")
        for item in summary["overstaffed"]:
            yield (
                item["service_date"],
                item["position"],
                item["study_type"],
                item["required"],
                item["assigned"],
            )


def gap_table(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The longest gaps as table rows for the Prefect table artifact."""
    return [
        {
            "study type": gap["study_type"],
            "from": _local(gap["start"]),
            "to": _local(gap["end"]),
            "hours": gap["hours"],
            "status": gap["status"],
        }
        for gap in summary.get("gaps", [])
    ]


def summary_markdown(coverage: StoredCoverage) -> str:
    """The markdown artifact: overall figure, hours per status, per site and category, gaps."""
    summary = coverage.summary
    out = [
        f"# {title(coverage)}",
        "",
        f"**Overall coverage: {_percent(summary.get('overall_percentage'))}** "
        f"({summary.get('row_count', 0)} rows, times in {coverage.timezone}).",
        "",
        "| Status | Hours |",
        "|---|---:|",
        *(f"| {status} | {hours:.2f} |" for status, hours in summary.get("hours", {}).items()),
    ]
    for key, label in GROUPS[1:] + GROUPS[:1]:
        groups = summary.get(key, {})
        if groups:
            out += ["", f"## Per {label.lower()}", "", f"| {label} | Coverage |", "|---|---:|"]
            out += [f"| {name} | {_percent(v['percentage'])} |" for name, v in groups.items()]
    gaps = summary.get("gaps", [])
    out += ["", f"## Longest gaps ({summary.get('gap_count', 0)} in all)", ""]
    out += [f"- {gap['label']} ({gap['hours']:.2f} h)" for gap in gaps] or ["No gaps."]
    return "\n".join(out) + "\n"


def heatmap_markdown(png: bytes, *, caption: str) -> str:
    """Markdown that shows the picture itself. The Prefect UI renders `data:image/...` sources
    in markdown (its sanitiser allows them), while an image artifact prints the whole URL."""
    encoded = base64.b64encode(png).decode("ascii")
    return f"## {caption}\n\n![{caption}](data:image/png;base64,{encoded})\n"
