"""The rows as a .csv file (UTF-8, one header line; times ISO 8601 with their UTC offset)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from schedcu.coverage.result import CoverageRecord
from schedcu.coverage.table import header, lines
from schedcu.models import TemplateLayout


def write_csv(
    path: Path, rows: Sequence[CoverageRecord], *, layout: TemplateLayout, tz: ZoneInfo
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header(layout))
        iso: dict[dt.date, str] = {}  # the rows of a segment share its times
        for values in lines(rows, layout=layout, tz=tz):
            writer.writerow(
                [
                    (iso.get(v) or iso.setdefault(v, v.isoformat()))
                    if isinstance(v, dt.date)
                    else ("" if v is None else v)
                    for v in values
                ]
            )
    return path
