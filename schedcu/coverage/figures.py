"""The figures the reports show beyond the stored summary, computed once from a calculation's rows
and handed to the heatmap, the .ods sheets and the Prefect artifacts alike: every gap of the
period in time order, and the day grid (per study type and service day, the share of the ruled
hours, flat: required places, that is covered), coloured in the same bands everywhere.

The grid is a pandas pivot of the rows; pandas is imported here, when a report is made, never at
CLI start-up.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from schedcu.coverage.result import CoverageRecord
from schedcu.coverage.summary import Gap, merged_gaps, study_type_of
from schedcu.models import CoverageStatus


@dataclass(frozen=True, slots=True)
class Band:
    """Shares from `lowest` up to the next band's lowest."""

    lowest: float
    colour: str
    label: str


BANDS = (
    Band(0.0, "#d73027", "under 50 %"),
    Band(0.5, "#fc8d59", "50 to 80 %"),
    Band(0.8, "#fee08b", "80 to 99 %"),
    Band(1.0, "#66bd63", "100 %"),
)
NO_RULE_COLOUR = "#d9d9d9"
ALL_COVERED = 1 - 1e-9  # 0.9999999999 of the ruled hours is all of them


_LOWEST = [band.lowest for band in BANDS[:-1]] + [ALL_COVERED]


def band_of(share: float) -> Band:
    """The band `share` (0..1) falls in."""
    return BANDS[max(0, bisect.bisect_right(_LOWEST, share) - 1)]


@dataclass(frozen=True, slots=True)
class DayGrid:
    """`shares[i][j]`: study type i on day j, None where nothing is ruled."""

    days: tuple[dt.date, ...]
    study_types: tuple[str, ...]
    shares: tuple[tuple[float | None, ...], ...]


@dataclass(frozen=True, slots=True)
class ReportFigures:
    gaps: tuple[Gap, ...]  # in time order
    grid: DayGrid


def report_figures(rows: Sequence[CoverageRecord]) -> ReportFigures:
    return ReportFigures(gaps=gaps_in_time_order(rows), grid=day_grid(rows))


def gaps_in_time_order(rows: Sequence[CoverageRecord]) -> tuple[Gap, ...]:
    """Every gap of the period, the earliest first (the summary keeps the longest)."""
    return tuple(sorted(merged_gaps(rows), key=lambda gap: (gap.start, gap.study_type)))


def day_grid(rows: Sequence[CoverageRecord]) -> DayGrid:
    """The pivot of the rows: study types (alphabetical, so a site's types stand together) down,
    service days across. Matrix rows weigh by their hours, flat rows by their required places."""
    import pandas as pd

    if not rows:
        return DayGrid((), (), ())
    ruled, covered = [], []
    for row in rows:
        if row.required is not None:
            ruled.append(float(row.required))
            covered.append(float(min(row.assigned or 0, row.required)))
        elif row.status is CoverageStatus.NO_RULE:
            ruled.append(0.0)
            covered.append(0.0)
        else:
            hours = row.hours
            ruled.append(hours)
            covered.append(hours if row.status is CoverageStatus.COVERED else 0.0)
    frame = pd.DataFrame(
        {
            "day": [row.service_date for row in rows],
            "study_type": [study_type_of(row) for row in rows],
            "ruled": ruled,
            "covered": covered,
        }
    )
    sums = frame.pivot_table(
        index="study_type",
        columns="day",
        values=["ruled", "covered"],
        aggfunc="sum",
        fill_value=0.0,
    )
    shares = (sums["covered"] / sums["ruled"].where(sums["ruled"] > 0)).astype(object)
    shares = shares.where(shares.notna(), None)
    return DayGrid(
        days=tuple(shares.columns),
        study_types=tuple(shares.index),
        shares=tuple(
            tuple(None if v is None else float(v) for v in line)
            for line in shares.itertuples(index=False)
        ),
    )
