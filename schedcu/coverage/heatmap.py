"""The heatmap picture: service days across, study types down, colour = share of the day's ruled
hours (flat: required places) that are covered, in the bands of the .ods Grid sheet; grey where
nothing is ruled. The figures are the report's day grid (`figures.day_grid`).

Drawn on a bare `matplotlib.figure.Figure` (Agg canvas), so no pyplot state and no display.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math

from schedcu.coverage.figures import ALL_COVERED, BANDS, NO_RULE_COLOUR, DayGrid

DPI = 100
MAX_DATE_TICKS = 16
# Margins in inches around the picture: 7 pt labels are about 0.055 in a character.
LABEL_INCH_PER_CHAR, BOTTOM_INCH, TOP_INCH, RIGHT_INCH = 0.055, 0.85, 0.4, 1.3


def heatmap_png(grid: DayGrid, *, title: str) -> bytes:
    """The PNG bytes of the heatmap of `grid`."""
    import numpy as np
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.figure import Figure

    days, study_types = grid.days, grid.study_types
    data = np.ma.masked_invalid(
        np.array(
            [[math.nan if v is None else v for v in line] for line in grid.shares], dtype=float
        )
        if grid.shares
        else np.full((1, 1), math.nan)
    )
    width = min(max(6.0, 2.5 + 0.04 * len(days)), 18.0)
    height = min(max(3.0, 1.5 + 0.28 * len(study_types)), 12.0)
    figure = Figure(figsize=(width, height), dpi=DPI)
    # Fixed margins from the label lengths: a layout engine measures every label again and
    # costs more than the drawing itself.
    left = 0.25 + LABEL_INCH_PER_CHAR * max((len(name) for name in study_types), default=4)
    axes = figure.add_axes(
        (
            left / width,
            BOTTOM_INCH / height,
            (width - left - RIGHT_INCH) / width,
            (height - BOTTOM_INCH - TOP_INCH) / height,
        )
    )
    bar_axes = figure.add_axes(
        (
            (width - RIGHT_INCH + 0.15) / width,
            BOTTOM_INCH / height,
            0.15 / width,
            (height - BOTTOM_INCH - TOP_INCH) / height,
        )
    )
    colours = ListedColormap([band.colour for band in BANDS]).with_extremes(bad=NO_RULE_COLOUR)
    # The last band is exactly "all covered": its bin is [1 - epsilon, 1].
    bounds = [band.lowest for band in BANDS[:-1]] + [ALL_COVERED, 1.0]
    image = axes.imshow(
        data,
        aspect="auto",
        interpolation="nearest",
        cmap=colours,
        norm=BoundaryNorm(bounds, len(BANDS)),
    )
    axes.set_yticks(range(len(study_types)), labels=study_types, fontsize=7)
    step = max(1, math.ceil(len(days) / MAX_DATE_TICKS))
    ticks = list(range(0, len(days), step))
    axes.set_xticks(ticks, labels=[_day_label(days[i]) for i in ticks], fontsize=7, rotation=45)
    axes.set_title(title, fontsize=10)
    middles = [(low + high) / 2 for low, high in itertools.pairwise(bounds)]
    colourbar = figure.colorbar(image, cax=bar_axes, ticks=middles)
    colourbar.ax.set_yticklabels([band.label for band in BANDS], fontsize=7)
    colourbar.set_label("share of ruled hours covered", fontsize=8)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _day_label(day: dt.date) -> str:
    return f"{day:%a %d %b}"
