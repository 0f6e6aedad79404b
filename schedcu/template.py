"""The parsed coverage template: what phase 1 reads and phase 3 computes from.

It is stored as JSON on the ScheduleVersion, so coverage can be recalculated without the file.
Display spellings are kept; `schedcu.names` gives the keys used for comparison.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from schedcu.enums import TemplateLayout


@dataclass(frozen=True, slots=True)
class SheetRule:
    """One matrix sheet: a time window and which position reads which study type in it.

    `marks` maps each position (display spelling, header order) to the study types it reads;
    `study_types` lists every study type the sheet names, marked or not. `order` is the sheet's
    place in the file, which breaks ties between equally narrow windows.
    """

    name: str
    category: str
    day_type: str | None
    scenario: str | None
    start: dt.time
    end: dt.time
    positions: tuple[str, ...]
    study_types: tuple[str, ...]
    marks: dict[str, tuple[str, ...]]
    order: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "category": self.category,
            "day_type": self.day_type,
            "scenario": self.scenario,
            "start": self.start.isoformat("minutes"),
            "end": self.end.isoformat("minutes"),
            "positions": list(self.positions),
            "study_types": list(self.study_types),
            "marks": {position: list(types) for position, types in self.marks.items()},
            "order": self.order,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SheetRule:
        return cls(
            name=data["name"],
            category=data["category"],
            day_type=data["day_type"],
            scenario=data["scenario"],
            start=dt.time.fromisoformat(data["start"]),
            end=dt.time.fromisoformat(data["end"]),
            positions=tuple(data["positions"]),
            study_types=tuple(data["study_types"]),
            marks={position: tuple(types) for position, types in data["marks"].items()},
            order=data["order"],
        )


@dataclass(frozen=True, slots=True)
class FlatShift:
    """One row of the flat layout: a required shift on a date."""

    date: dt.date
    shift_type: str
    required_staffing: int
    specialty_constraint: str | None
    study_type: str
    start: dt.time | None
    end: dt.time | None
    location: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "shift_type": self.shift_type,
            "required_staffing": self.required_staffing,
            "specialty_constraint": self.specialty_constraint,
            "study_type": self.study_type,
            "start": self.start.isoformat("minutes") if self.start else None,
            "end": self.end.isoformat("minutes") if self.end else None,
            "location": self.location,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FlatShift:
        return cls(
            date=dt.date.fromisoformat(data["date"]),
            shift_type=data["shift_type"],
            required_staffing=data["required_staffing"],
            specialty_constraint=data["specialty_constraint"],
            study_type=data["study_type"],
            start=dt.time.fromisoformat(data["start"]) if data["start"] else None,
            end=dt.time.fromisoformat(data["end"]) if data["end"] else None,
            location=data["location"],
        )


@dataclass(frozen=True, slots=True)
class Template:
    """A whole template: matrix `sheets`, or flat `shifts`; `study_types` in first-seen order."""

    layout: TemplateLayout
    sheets: tuple[SheetRule, ...] = ()
    shifts: tuple[FlatShift, ...] = ()
    study_types: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "layout": self.layout.value,
            "sheets": [sheet.to_dict() for sheet in self.sheets],
            "shifts": [shift.to_dict() for shift in self.shifts],
            "study_types": list(self.study_types),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Template:
        return cls(
            layout=TemplateLayout(data["layout"]),
            sheets=tuple(SheetRule.from_dict(sheet) for sheet in data.get("sheets", [])),
            shifts=tuple(FlatShift.from_dict(shift) for shift in data.get("shifts", [])),
            study_types=tuple(data.get("study_types", [])),
        )
