"""The result of one import flow run (DOMAIN.md's OrchestrationResult), as a plain value.

Pure: no Prefect, no database. The flow fills it phase by phase (`succeeded` / `failed`); the
CLI, the artifacts and the REST caller read its JSON form (`to_dict`), which `from_dict` turns
back into the value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from schedcu.errors import SchedcuError
from schedcu.validation import ValidationResult
from schedcu.wording import plural

if TYPE_CHECKING:
    from schedcu.changes.model import Changes

COMPLETED = "Completed"
COMPLETED_WITH_WARNINGS = "CompletedWithWarnings"


class Phase(StrEnum):
    ODS_IMPORT = "ods_import"
    AMION_SCRAPE = "amion_scrape"
    COVERAGE = "coverage"


PHASE_TITLES = {
    Phase.ODS_IMPORT: "ODS import",
    Phase.AMION_SCRAPE: "Amion scrape",
    Phase.COVERAGE: "coverage",
}


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class PhaseReport:
    outcome: Outcome = Outcome.SKIPPED
    duration_s: float = 0.0
    error_code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "duration_s": round(self.duration_s, 3),
            "error_code": self.error_code,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PhaseReport:
        return cls(Outcome(data["outcome"]), float(data["duration_s"]), data.get("error_code"))


@dataclass(frozen=True, slots=True)
class CoverageFigures:
    """The headline numbers of a coverage calculation."""

    overall_pct: float | None = None
    covered_hours: float = 0.0
    unstaffed_hours: float = 0.0
    no_rule_hours: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall_pct": self.overall_pct,
            "covered_hours": self.covered_hours,
            "unstaffed_hours": self.unstaffed_hours,
            "no_rule_hours": self.no_rule_hours,
        }

    @classmethod
    def from_summary(cls, summary: dict[str, Any]) -> CoverageFigures:
        """From a CoverageCalculation's summary (COVERAGE.md): matrix statuses, or the flat
        layout's FULL / UNCOVERED hours in their place."""
        hours = summary.get("hours", {})
        return cls(
            overall_pct=summary.get("overall_percentage"),
            covered_hours=float(hours.get("COVERED", hours.get("FULL", 0.0))),
            unstaffed_hours=float(hours.get("UNSTAFFED", hours.get("UNCOVERED", 0.0))),
            no_rule_hours=float(hours.get("NO_RULE", 0.0)),
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CoverageFigures:
        return cls(
            overall_pct=data.get("overall_pct"),
            covered_hours=float(data.get("covered_hours") or 0.0),
            unstaffed_hours=float(data.get("unstaffed_hours") or 0.0),
            no_rule_hours=float(data.get("no_rule_hours") or 0.0),
        )


def _skipped_phases() -> dict[Phase, PhaseReport]:
    return {phase: PhaseReport() for phase in Phase}


@dataclass(slots=True)
class OrchestrationResult:
    """What one run did: the version, counts, merged messages, and each phase's outcome."""

    hospital: str
    period_start: dt.date | None
    period_end: dt.date | None
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    flow_run_id: str | None = None
    schedule_version_id: int | None = None
    shift_instances: int = 0
    assignments: int = 0
    coverage_rows: int = 0
    coverage: CoverageFigures | None = None
    phases: dict[Phase, PhaseReport] = field(default_factory=_skipped_phases)
    validation: ValidationResult = field(default_factory=ValidationResult)
    reports: list[str] = field(default_factory=list)
    changes: Changes | None = None  # phase 3's comparison with the calculation it replaced

    def record(
        self,
        phase: Phase,
        outcome: Outcome,
        duration_s: float,
        *,
        validation: ValidationResult | None = None,
        error: SchedcuError | None = None,
    ) -> None:
        """Note a phase's outcome and merge its messages, tagged with the phase."""
        self.phases[phase] = PhaseReport(outcome, duration_s, error.code if error else None)
        messages = error.validation if error is not None else validation
        if messages is not None:
            self.validation = self.validation.merge(messages.with_phase(phase.value))

    def succeeded(self, phase: Phase, outcome: Any, duration_s: float) -> None:
        """Note what a phase's task returned: phase 1 an ImportOutcome, phase 2 a ScrapeOutcome,
        phase 3 a CoverageReport (each has `validation`)."""
        if phase is Phase.ODS_IMPORT:
            self.schedule_version_id = outcome.version_id
            self.shift_instances = outcome.shift_instance_count
        elif phase is Phase.AMION_SCRAPE:
            self.assignments = outcome.assignment_count
        else:
            self.coverage_rows = outcome.row_count
            self.coverage = CoverageFigures.from_summary(outcome.summary)
            self.reports.extend(outcome.reports)
            self.changes = outcome.changes
        self.record(phase, Outcome.SUCCEEDED, duration_s, validation=outcome.validation)

    def finish(self, finished_at: dt.datetime) -> OrchestrationResult:
        return replace(self, finished_at=finished_at)

    @property
    def duration_s(self) -> float:
        if self.finished_at is None:
            return 0.0
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def failed_phases(self) -> list[Phase]:
        return [p for p in Phase if self.phases[p].outcome is Outcome.FAILED]

    @property
    def state_name(self) -> str:
        """`Completed` when no phase failed, else `CompletedWithWarnings` (phase 1 never gets
        here: its failure fails the run)."""
        return COMPLETED_WITH_WARNINGS if self.failed_phases else COMPLETED

    @property
    def summary_line(self) -> str:
        """One sentence for the run's state message."""
        failed = self.failed_phases
        if not failed:
            return (
                f"Imported {plural(self.shift_instances, 'shift')}, "
                f"{plural(self.assignments, 'Amion assignment')}, "
                f"{plural(self.coverage_rows, 'coverage row')}."
            )
        names = " and ".join(PHASE_TITLES[p] for p in failed)
        return f"Finished with warnings: {names} failed; the schedule version was kept."

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (only str, int, float, bool, None, lists and dicts)."""
        return {
            "hospital": self.hospital,
            "flow_run_id": self.flow_run_id,
            "schedule_version_id": self.schedule_version_id,
            "period_start": self.period_start.isoformat() if self.period_start else None,
            "period_end": self.period_end.isoformat() if self.period_end else None,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "duration_s": round(self.duration_s, 3),
            "state_name": self.state_name,
            "phases": {p.value: r.to_dict() for p, r in self.phases.items()},
            "counts": {
                "shift_instances": self.shift_instances,
                "assignments": self.assignments,
                "coverage_rows": self.coverage_rows,
            },
            "coverage": (self.coverage or CoverageFigures()).to_dict(),
            "validation": self.validation.to_list(),
            "reports": list(self.reports),
            "changes": self.changes.to_dict() if self.changes else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OrchestrationResult:
        from schedcu.changes.model import Changes

        def date_or_none(value: str | None) -> dt.date | None:
            return dt.date.fromisoformat(value) if value else None

        counts = data.get("counts", {})
        return cls(
            hospital=data["hospital"],
            flow_run_id=data.get("flow_run_id"),
            schedule_version_id=data.get("schedule_version_id"),
            period_start=date_or_none(data.get("period_start")),
            period_end=date_or_none(data.get("period_end")),
            started_at=dt.datetime.fromisoformat(data["started_at"]),
            finished_at=(
                dt.datetime.fromisoformat(data["finished_at"]) if data.get("finished_at") else None
            ),
            shift_instances=int(counts.get("shift_instances", 0)),
            assignments=int(counts.get("assignments", 0)),
            coverage_rows=int(counts.get("coverage_rows", 0)),
            coverage=CoverageFigures.from_dict(data["coverage"]) if data.get("coverage") else None,
            phases={Phase(k): PhaseReport.from_dict(v) for k, v in data["phases"].items()},
            validation=ValidationResult.from_list(data.get("validation", [])),
            reports=list(data.get("reports", [])),
            changes=Changes.from_dict(data["changes"]) if data.get("changes") else None,
        )


def period_label(start: dt.date, end: dt.date) -> str:
    """`2026-03-01..2026-03-31`: a period as task-run names show it."""
    return f"{start.isoformat()}..{end.isoformat()}"
