"""`calculate_coverage`: a pure function of the template, the shift instances, the assignments,
the roster and the settings. No database session, no Prefect: the service and the tasks call it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from schedcu.config import Settings
from schedcu.coverage.flat import FlatShiftInstance, flat_rows
from schedcu.coverage.inputs import (
    AssignmentLike,
    PersonLike,
    prepare_staffing,
    splittable_keys,
    study_type_catalogue,
)
from schedcu.coverage.matrix import MatrixCalculator
from schedcu.coverage.result import PHASE, CoverageResult
from schedcu.coverage.summary import summarise
from schedcu.errors import CoverageError
from schedcu.models import TemplateLayout
from schedcu.template import Template
from schedcu.validation import ValidationResult


def zone(tz: ZoneInfo | str) -> ZoneInfo:
    """The hospital's time zone; an unknown name is a coverage error, not a traceback."""
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CoverageError(
            f"The hospital's time zone '{tz}' is unknown; use a name like America/New_York.",
            code="UNKNOWN_TIMEZONE",
        ) from exc


def calculate_coverage(
    *,
    template: Template | dict[str, Any],
    shift_instances: Sequence[FlatShiftInstance],
    assignments: Iterable[AssignmentLike],
    persons: Iterable[PersonLike],
    settings: Settings,
    tz: ZoneInfo | str,
    period: tuple[dt.date, dt.date] | None = None,
) -> CoverageResult:
    """Coverage of every service day of the shift instances (or of `period` when given).

    The matrix layout recomputes the windows from the template's sheets, so the rules of
    COVERAGE.md (scenario, precedence) apply on each day; the flat layout rates each instance.
    """
    if isinstance(template, dict):
        template = Template.from_dict(template)
    tz = zone(tz)
    validation = ValidationResult()
    staffing = prepare_staffing(assignments, persons, validation)
    dates = sorted({instance.service_date for instance in shift_instances})
    if period is not None:
        dates = [d for d in dates if period[0] <= d <= period[1]]
    if not dates:
        validation.warning(
            "NO_SHIFT_INSTANCES",
            "The schedule version has no shift instances in its period; there is no coverage "
            "to compute.",
        )
    if template.layout is TemplateLayout.MATRIX:
        calculator = MatrixCalculator(
            rules=template.sheets,
            study_types=study_type_catalogue(template),
            splittable=splittable_keys(settings.splittable),
            day_start=settings.day_start,
            holidays=settings.holidays,
            tz=tz,
            validation=validation,
        )
        rows = calculator.rows(dates, staffing)
    else:
        wanted = set(dates)
        rows = flat_rows((i for i in shift_instances if i.service_date in wanted), staffing)
    period_start, period_end = period or ((dates[0], dates[-1]) if dates else (None, None))
    summary = summarise(
        rows, layout=template.layout, tz=tz, period_start=period_start, period_end=period_end
    )
    return CoverageResult(
        layout=template.layout,
        timezone=tz.key,
        rows=tuple(rows),
        summary=summary,
        validation=validation.with_phase(PHASE),
        period_start=period_start,
        period_end=period_end,
    )
