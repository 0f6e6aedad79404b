"""The matrix layout's rules (COVERAGE.md): for each service day and category, the scenario, the
applicable sheets, the elementary segments with the narrowest window's sheet, and per study type
COVERED / UNSTAFFED / NO_RULE with the positions and persons behind it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from zoneinfo import ZoneInfo

from schedcu.calendar import day_type, place_window
from schedcu.coverage.inputs import Staffing
from schedcu.coverage.result import CoverageRecord
from schedcu.models import CoverageStatus
from schedcu.names import name_key, position_key
from schedcu.template import SheetRule
from schedcu.validation import ValidationResult

BODY = "body"
NEURO = "neuro"


@dataclass(frozen=True, slots=True)
class _Sheet:
    """A SheetRule with its names normalised and its marks indexed by study type key."""

    rule: SheetRule
    day_type_key: str | None
    scenario_key: str | None
    position_keys: frozenset[str]
    marks: dict[str, tuple[tuple[str, str], ...]]  # study type key -> ((position, key), ...)

    @classmethod
    def of(cls, rule: SheetRule) -> _Sheet:
        marks: dict[str, list[tuple[str, str]]] = {}
        for position in rule.positions:
            for study_type in rule.marks.get(position, ()):
                entries = marks.setdefault(name_key(study_type), [])
                if all(position != seen for seen, _ in entries):
                    entries.append((position, position_key(position)))
        return cls(
            rule=rule,
            day_type_key=name_key(rule.day_type) if rule.day_type else None,
            scenario_key=name_key(rule.scenario) if rule.scenario else None,
            position_keys=frozenset(position_key(p) for p in rule.positions),
            marks={key: tuple(entries) for key, entries in marks.items()},
        )


@dataclass(frozen=True, slots=True)
class _Category:
    name: str
    sheets: tuple[_Sheet, ...]
    splittable: frozenset[str]
    has_scenarios: bool
    body_key: str  # effective position of a BODY_ONLY person in the Body scenario
    neuro_key: str


@dataclass(frozen=True, slots=True)
class _Segment:
    start: dt.datetime
    end: dt.datetime
    category: _Category
    sheet: _Sheet
    body_scenario: bool  # match this sheet's positions by effective position


def _categories(
    rules: Iterable[SheetRule], splittable: Mapping[str, frozenset[str]]
) -> list[_Category]:
    grouped: dict[str, list[_Sheet]] = {}
    for rule in sorted(rules, key=lambda r: r.order):
        grouped.setdefault(name_key(rule.category), []).append(_Sheet.of(rule))
    categories = []
    for key, sheets in grouped.items():
        name = sheets[0].rule.category
        scenarios = {sheet.scenario_key for sheet in sheets}
        categories.append(
            _Category(
                name=name,
                sheets=tuple(sheets),
                splittable=splittable.get(key, frozenset()),
                has_scenarios={BODY, NEURO} <= scenarios,
                body_key=position_key(f"{name} Body"),
                neuro_key=position_key(f"{name} Neuro"),
            )
        )
    return categories


class MatrixCalculator:
    """Computes the rows of a matrix template; one instance per calculation.

    `AMBIGUOUS_WINDOW` is reported once per set of tied sheets, however many days it affects.
    """

    def __init__(
        self,
        *,
        rules: Sequence[SheetRule],
        study_types: Mapping[str, str],
        splittable: Mapping[str, frozenset[str]],
        day_start: dt.time,
        holidays: Iterable[dt.date],
        tz: ZoneInfo,
        validation: ValidationResult,
    ) -> None:
        self._categories = _categories(rules, splittable)
        self._study_types = tuple(study_types.items())
        self._day_start = day_start
        self._holidays = frozenset(holidays)
        self._tz = tz
        self._validation = validation
        self._ambiguities: set[tuple[str, ...]] = set()

    def rows(
        self, service_dates: Iterable[dt.date], staffing: Mapping[dt.date, Sequence[Staffing]]
    ) -> list[CoverageRecord]:
        records: list[CoverageRecord] = []
        for service_date in service_dates:
            day_staffing = staffing.get(service_date, ())
            segments: list[tuple[dt.datetime, int, _Segment]] = []
            for index, category in enumerate(self._categories):
                segments.extend(
                    (segment.start, index, segment)
                    for segment in self._segments(service_date, category, day_staffing)
                )
            segments.sort(key=lambda item: item[:2])
            for _, _, segment in segments:
                records.extend(self._statuses(service_date, segment, day_staffing))
        return records

    def _scenario(self, category: _Category, day_staffing: Sequence[Staffing]) -> str | None:
        if not category.has_scenarios:
            return None
        body = any(s.body_only and s.position_key in category.splittable for s in day_staffing)
        return BODY if body else NEURO

    def _segments(
        self, service_date: dt.date, category: _Category, day_staffing: Sequence[Staffing]
    ) -> list[_Segment]:
        scenario = self._scenario(category, day_staffing)
        kind = name_key(day_type(service_date, self._holidays))
        windows: list[tuple[dt.datetime, dt.datetime, _Sheet]] = []
        for sheet in category.sheets:
            if sheet.day_type_key not in (None, kind):
                continue
            if scenario is not None and sheet.scenario_key not in (None, scenario):
                continue
            start, end = place_window(
                service_date,
                sheet.rule.start,
                sheet.rule.end,
                day_start=self._day_start,
                tz=self._tz,
            )
            windows.append((start.astimezone(dt.UTC), end.astimezone(dt.UTC), sheet))
        cuts = sorted({moment for start, end, _ in windows for moment in (start, end)})
        segments = []
        for start, end in pairwise(cuts):
            containing = [w for w in windows if w[0] <= start and w[1] >= end]
            if not containing:
                continue  # outside the template: not counted in any status
            containing.sort(key=_precedence)
            if (
                len(containing) > 1
                and _precedence(containing[0])[:2] == _precedence(containing[1])[:2]
            ):
                self._report_ambiguity(containing)
            sheet = containing[0][2]
            segments.append(
                _Segment(
                    start, end, category, sheet, scenario == BODY and sheet.scenario_key == BODY
                )
            )
        return segments

    def _report_ambiguity(self, containing: list[tuple[dt.datetime, dt.datetime, _Sheet]]) -> None:
        best = _precedence(containing[0])[:2]
        tied = tuple(w[2].rule.name for w in containing if _precedence(w)[:2] == best)
        if tied in self._ambiguities:
            return
        self._ambiguities.add(tied)
        others = ", ".join(f"'{name}'" for name in tied[1:])
        self._validation.warning(
            "AMBIGUOUS_WINDOW",
            f"Sheets '{tied[0]}' and {others} cover the same time with equally narrow windows; "
            f"'{tied[0]}' (first in the file) is used.",
            f"'{tied[0]}'",
        )

    def _statuses(
        self,
        service_date: dt.date,
        segment: _Segment,
        day_staffing: Sequence[Staffing],
    ) -> list[CoverageRecord]:
        sheet, category = segment.sheet, segment.category
        staffed: dict[str, list[str]] = {}
        for s in day_staffing:
            key = s.position_key
            if segment.body_scenario and key in category.splittable:
                key = category.body_key if s.body_only else category.neuro_key
            if key in sheet.position_keys and s.overlaps(segment.start, segment.end):
                names = staffed.setdefault(key, [])
                if s.person not in names:
                    names.append(s.person)
        # Study types marked for the same positions share their status: decide each set once.
        decided: dict[tuple[tuple[str, str], ...], _Status] = {}
        records = []
        for type_key, type_name in self._study_types:
            marked = sheet.marks.get(type_key, ())
            status = decided.get(marked)
            if status is None:
                status = decided[marked] = _status(marked, staffed)
            records.append(
                CoverageRecord(
                    service_date,
                    category.name,
                    segment.start,
                    segment.end,
                    type_name,
                    *status,
                )
            )
        return records


_Status = tuple[CoverageStatus, tuple[str, ...], tuple[str, ...]]
_NO_RULE: _Status = (CoverageStatus.NO_RULE, (), ())


def _status(marked: tuple[tuple[str, str], ...], staffed: dict[str, list[str]]) -> _Status:
    """COVERED with who covers it, UNSTAFFED with the positions that should, or NO_RULE."""
    if not marked:
        return _NO_RULE
    covering = [(position, key) for position, key in marked if key in staffed]
    if not covering:
        return CoverageStatus.UNSTAFFED, tuple(position for position, _ in marked), ()
    persons = dict.fromkeys(name for _, key in covering for name in staffed[key])
    return CoverageStatus.COVERED, tuple(position for position, _ in covering), tuple(persons)


def _precedence(window: tuple[dt.datetime, dt.datetime, _Sheet]) -> tuple[dt.timedelta, bool, int]:
    """Narrowest window first; then a sheet with a specialty; then file order."""
    start, end, sheet = window
    return end - start, sheet.scenario_key is None, sheet.rule.order
