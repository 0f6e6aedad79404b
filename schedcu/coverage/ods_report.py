"""The coverage report as the .ods a coordinator opens and prints:

- Summary: title, the headline figures, coverage per study type, site and category.
- Gaps: every gap of the period in time order, with the positions that should have covered it.
- Grid: study types down, days across, the share of the ruled hours covered, coloured by band.
- Rows: every row of the calculation (the .csv's columns).

Every figure comes from the stored summary or from `ReportFigures`, as in the heatmap and the
Prefect artifacts; nothing here depends on when or where the file is written, so the flow and
`schedcu coverage export` write the same content for the same calculation.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from schedcu.coverage.figures import BANDS, NO_RULE_COLOUR, ReportFigures, band_of
from schedcu.coverage.ods_sheet import (
    DAY,
    HEADER,
    HEADING,
    SUBTITLE,
    TITLE,
    WEEKEND,
    BandStyle,
    Cell,
    RoundShare,
    Share,
    Sheet,
    Styled,
    Workbook,
)
from schedcu.coverage.summary import GROUPS
from schedcu.coverage.table import SEPARATOR, header, lines
from schedcu.models import TemplateLayout

if TYPE_CHECKING:
    from schedcu.coverage.service import StoredCoverage

SHEETS = ("Summary", "Gaps", "Grid", "Rows")
DAYS_PER_PAGE = 31  # the Grid prints a month across one page
NO_RULE = BandStyle("NoRule", "Nothing ruled", NO_RULE_COLOUR)
BAND_STYLES = {band: BandStyle(f"Band{i}", band.label, band.colour) for i, band in enumerate(BANDS)}
# Summary group columns: (heading, key in the stored summary, how the value is shown).
MATRIX_COLUMNS = (
    ("Coverage", "percentage", "share"),
    ("Covered h", "covered_hours", "hours"),
    ("Unstaffed h", "unstaffed_hours", "hours"),
    ("Without a rule h", "no_rule_hours", "hours"),
    ("Ruled h", "ruled_hours", "hours"),
)
FLAT_COLUMNS = (
    ("Coverage", "percentage", "share"),
    ("Required places", "required", "count"),
    ("Staffed places", "staffed", "count"),
    ("Full shifts", "FULL", "count"),
    ("Partial shifts", "PARTIAL", "count"),
    ("Uncovered shifts", "UNCOVERED", "count"),
)


def write_ods(path: Path, coverage: StoredCoverage, figures: ReportFigures, *, title: str) -> Path:
    """The four sheets of `coverage` at `path`."""
    workbook = Workbook(footer=title, bands=(*BAND_STYLES.values(), NO_RULE))
    workbook.add(Sheet("Summary", list(summary_rows(coverage, figures, title=title))))
    workbook.add(Sheet("Gaps", list(gap_rows(coverage, figures)), header_rows=1, filter=True))
    workbook.add(
        Sheet(
            "Grid",
            list(grid_rows(figures)),
            header_rows=1,
            header_columns=1,
            pages_wide=max(1, math.ceil(len(figures.grid.days) / DAYS_PER_PAGE)),
        )
    )
    tz = ZoneInfo(coverage.timezone)
    workbook.add(
        Sheet(
            "Rows",
            [
                _header(header(coverage.layout)),
                *lines(coverage.rows, layout=coverage.layout, tz=tz),
            ],
            header_rows=1,
            filter=True,
            max_chars=40,
        )
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def _header(names: Sequence[str]) -> tuple[Cell, ...]:
    return tuple(Styled(name, HEADER) for name in names)


def _share(percentage: float | None) -> Cell:
    """A stored percentage (0..100) as a share cell; `–` where nothing is ruled."""
    return "–" if percentage is None else Share(percentage / 100)


def _value(value: Any, kind: str) -> Cell:
    if kind == "share":
        return _share(value)
    return float(value) if kind == "hours" else int(value)


def summary_rows(
    coverage: StoredCoverage, figures: ReportFigures, *, title: str
) -> Iterator[Sequence[Cell]]:
    summary = coverage.summary
    yield (Styled(title, TITLE),)
    yield (
        Styled(
            f"Times in {coverage.timezone}. Every gap is on the Gaps sheet, "
            "each day of each study type on the Grid sheet, every row on the Rows sheet.",
            SUBTITLE,
        ),
    )
    yield ()
    yield from _headline(coverage, figures)
    matrix = coverage.layout is TemplateLayout.MATRIX
    columns = MATRIX_COLUMNS if matrix else FLAT_COLUMNS
    for key, label in GROUPS:
        groups: dict[str, dict[str, Any]] = summary.get(key, {})
        if not groups:
            continue
        yield ()
        yield (Styled(f"Per {label.lower()}", HEADING),)
        yield _header((label, *(heading for heading, _, _ in columns)))
        for name in sorted(groups):
            values = groups[name]
            yield (name, *(_value(values[k], kind) for _, k, kind in columns))
    if summary.get("overstaffed"):
        yield ()
        yield (Styled("Shifts with more people than required", HEADING),)
        yield _header(("Study type", "Service day", "Position", "Required", "Assigned"))
        for item in summary["overstaffed"]:
            yield (
                item["study_type"],
                dt.date.fromisoformat(item["service_date"]),
                item["position"],
                item["required"],
                item["assigned"],
            )


def _headline(coverage: StoredCoverage, figures: ReportFigures) -> Iterator[Sequence[Cell]]:
    summary = coverage.summary
    yield (Styled("Coverage", HEADING), _share(summary.get("overall_percentage")))
    hours = summary.get("hours", {})
    if coverage.layout is TemplateLayout.MATRIX:
        yield ("Covered h", float(hours.get("COVERED", 0.0)))
        yield ("Unstaffed h", float(hours.get("UNSTAFFED", 0.0)))
        yield ("Without a rule h", float(hours.get("NO_RULE", 0.0)))
        yield ("Ruled h", float(hours.get("ruled", 0.0)))
    else:
        counts = summary.get("counts", {})
        groups = summary.get("by_category", {}).values()
        yield ("Required places", sum(g["required"] for g in groups))
        yield ("Staffed places", sum(g["staffed"] for g in groups))
        yield ("Full shifts", int(counts.get("FULL", 0)))
        yield ("Partial shifts", int(counts.get("PARTIAL", 0)))
        yield ("Uncovered shifts", int(counts.get("UNCOVERED", 0)))
    yield ("Gaps", len(figures.gaps))
    yield ("Rows", len(coverage.rows))


def gap_rows(coverage: StoredCoverage, figures: ReportFigures) -> Iterator[Sequence[Cell]]:
    tz = ZoneInfo(coverage.timezone)
    yield _header(("Study type", "From", "To", "Hours", "Positions"))
    for gap in figures.gaps:
        yield (
            gap.study_type,
            gap.start.astimezone(tz),
            gap.end.astimezone(tz),
            round(gap.hours, 2),
            SEPARATOR.join(gap.positions),
        )


def grid_rows(figures: ReportFigures) -> Iterator[Sequence[Cell]]:
    grid = figures.grid
    yield (
        Styled("Study type", HEADER),
        *(Styled(day, WEEKEND if day.weekday() >= 5 else DAY) for day in grid.days),
    )
    for study_type, shares in zip(grid.study_types, grid.shares, strict=True):
        yield (
            study_type,
            *(
                Styled(None, NO_RULE.name)
                if share is None
                else Styled(RoundShare(share), BAND_STYLES[band_of(share)].name)
                for share in shares
            ),
        )
    yield ()
    yield (Styled("Share of the ruled hours covered", HEADING),)  # the heatmap's legend
    for band in BANDS:
        yield (Styled(band.label, BAND_STYLES[band].name),)
    yield (Styled(NO_RULE.label, NO_RULE.name),)
