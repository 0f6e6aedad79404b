"""What a coverage calculation produces: one record per (service day, segment, study type) in the
matrix layout, one per shift instance in the flat layout, plus the summary and the messages.

Records hold aware UTC datetimes; reports show them in the hospital's zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from schedcu.models import CoverageStatus, TemplateLayout
from schedcu.orchestration import Phase
from schedcu.validation import ValidationResult

PHASE = Phase.COVERAGE.value  # the tag of phase 3's messages, as the flow records them


@dataclass(frozen=True, slots=True)
class CoverageRecord:
    """One row of COVERAGE.md's outputs. `required`, `assigned`, `percentage` and
    `shift_instance_id` are set in the flat layout only."""

    service_date: dt.date
    category: str | None
    start: dt.datetime
    end: dt.datetime
    study_type: str | None
    status: CoverageStatus
    positions: tuple[str, ...] = ()
    persons: tuple[str, ...] = ()
    shift_instance_id: int | None = None
    required: int | None = None
    assigned: int | None = None
    percentage: float | None = None

    @property
    def hours(self) -> float:
        """Elapsed hours (UTC arithmetic, so a night with a clock change has its true length)."""
        return (self.end - self.start).total_seconds() / 3600

    def to_row(self, calculation_id: int) -> dict[str, Any]:
        """The CoverageRow column values, for a bulk insert."""
        return {
            "calculation_id": calculation_id,
            "service_date": self.service_date,
            "category": self.category,
            "segment_start": self.start,
            "segment_end": self.end,
            "study_type": self.study_type,
            "status": self.status,
            "positions": list(self.positions),
            "persons": list(self.persons),
            "shift_instance_id": self.shift_instance_id,
            "required": self.required,
            "assigned": self.assigned,
            "percentage": self.percentage,
        }


@dataclass(frozen=True, slots=True)
class CoverageResult:
    """The outcome of `calculate_coverage`: rows in time order, the JSON summary, messages."""

    layout: TemplateLayout
    timezone: str
    rows: tuple[CoverageRecord, ...]
    summary: dict[str, Any]
    validation: ValidationResult = field(default_factory=ValidationResult)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
