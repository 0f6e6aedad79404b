"""The reports people open: files in the reports folder (.csv, .ods, heatmap .png) and the texts
of the Prefect artifacts (markdown summary, gap table), all from a stored calculation.

No Prefect here: `tasks/coverage.py` turns these texts into artifacts.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from schedcu.coverage.csv_report import write_csv
from schedcu.coverage.figures import ReportFigures, gaps_in_time_order, report_figures
from schedcu.coverage.heatmap import heatmap_png
from schedcu.coverage.service import StoredCoverage
from schedcu.coverage.summary import GROUPS
from schedcu.coverage.table import SEPARATOR
from schedcu.names import slug

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


def write_report(
    coverage: StoredCoverage,
    path: Path,
    report_format: str,
    figures: ReportFigures | None = None,
) -> Path:
    """The .csv or .ods report of a stored calculation at `path`; `figures` when the caller
    already computed them for the other reports."""
    if report_format == "csv":
        return write_csv(
            path, coverage.rows, layout=coverage.layout, tz=ZoneInfo(coverage.timezone)
        )
    if report_format == "ods":
        from schedcu.coverage.ods_report import write_ods

        figures = figures or report_figures(coverage.rows)
        return write_ods(path, coverage, figures, title=title(coverage))
    raise ValueError(f"unknown report format {report_format!r}; use one of {FORMATS}")


def report_files(coverage: StoredCoverage, reports_dir: Path) -> ReportFiles:
    """Where a calculation's report files go in `reports_dir` (one set per version)."""
    stem = reports_dir / report_stem(coverage)
    return ReportFiles(
        csv=stem.with_suffix(".csv"), ods=stem.with_suffix(".ods"), heatmap=stem.with_suffix(".png")
    )


def write_reports(coverage: StoredCoverage, reports_dir: Path) -> tuple[ReportFiles, bytes]:
    """Every report file in `reports_dir`, from one set of figures; also returns the heatmap's
    PNG bytes."""
    figures = report_figures(coverage.rows)
    files = report_files(coverage, reports_dir)
    png = heatmap_png(figures.grid, title=title(coverage))
    files.heatmap.parent.mkdir(parents=True, exist_ok=True)
    files.heatmap.write_bytes(png)
    write_report(coverage, files.csv, "csv")
    write_report(coverage, files.ods, "ods", figures)
    return files, png


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} %"


def gap_table(coverage: StoredCoverage) -> list[dict[str, Any]]:
    """Every gap of the period, earliest first, as rows of the Prefect table artifact: the
    Gaps sheet's figures, with the year in the local times."""
    tz = ZoneInfo(coverage.timezone)
    return [
        {
            "study type": gap.study_type,
            "from": f"{gap.start.astimezone(tz):%a %d %b %Y %H:%M}",
            "to": f"{gap.end.astimezone(tz):%a %d %b %Y %H:%M}",
            "hours": round(gap.hours, 2),
            "positions": SEPARATOR.join(gap.positions),
        }
        for gap in gaps_in_time_order(coverage.rows)
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
    out += [
        "",
        f"## Longest gaps ({summary.get('gap_count', 0)} in all, each in the gap table)",
        "",
    ]
    out += [f"- {gap['label']} ({gap['hours']:.2f} h)" for gap in gaps] or ["No gaps."]
    return "\n".join(out) + "\n"


def heatmap_markdown(png: bytes, *, caption: str) -> str:
    """Markdown that shows the picture itself. The Prefect UI renders `data:image/...` sources
    in markdown (its sanitiser allows them), while an image artifact prints the whole URL."""
    encoded = base64.b64encode(png).decode("ascii")
    return f"## {caption}\n\n![{caption}](data:image/png;base64,{encoded})\n"
