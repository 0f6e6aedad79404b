"""The assignment list the Amion simulator serves (`schedcu amion-sim --schedule FILE`).

A CSV file with a header line and one assignment per line:

    date,position,name,start,end
    2026-03-14,ON1,"Smith, Jane",0,800
    2026-03-14,MidC,Li Wei,1700,0
    2026-03-15,Mid 3,Ken Okafor,,

`date` is the service date (ISO), `position` and `name` are spelled as Amion shows them (a name
may be `Last, First` or an alias), `start` and `end` are Amion's `HMM` clock times (`0` is
midnight) or both empty for the position's whole window. The simulator adds the staff id from the
roster.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from schedcu.errors import ScheduleFileError

COLUMNS = ("date", "position", "name", "start", "end")


@dataclass(frozen=True, slots=True)
class ScheduleEntry:
    date: dt.date
    position: str
    name: str
    start: str = ""
    end: str = ""


def write_schedule(path: Path, entries: Iterable[ScheduleEntry]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for entry in entries:
            writer.writerow(
                [entry.date.isoformat(), entry.position, entry.name, entry.start, entry.end]
            )
    return path


def load_schedule(path: Path | str) -> list[ScheduleEntry]:
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if tuple(reader.fieldnames or ()) != COLUMNS:
                raise ScheduleFileError(
                    f"{path.name} must start with the header line {','.join(COLUMNS)}."
                )
            return [_entry(row, number, path.name) for number, row in enumerate(reader, 2)]
    except OSError as exc:
        raise ScheduleFileError(f"{path.name} cannot be read ({exc.strerror}).") from exc


def _entry(row: dict[str, str], line: int, source: str) -> ScheduleEntry:
    try:
        date = dt.date.fromisoformat(row["date"].strip())
    except (ValueError, AttributeError):
        raise ScheduleFileError(f"{source} line {line}: '{row['date']}' is not a date.") from None
    if not (row["position"] or "").strip() or not (row["name"] or "").strip():
        raise ScheduleFileError(f"{source} line {line}: a position and a name are needed.")
    return ScheduleEntry(
        date=date,
        position=row["position"].strip(),
        name=row["name"].strip(),
        start=(row["start"] or "").strip(),
        end=(row["end"] or "").strip(),
    )
