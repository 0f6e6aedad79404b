"""The artifacts every run of a known hospital publishes: the merged ValidationResult as a table
and a markdown summary of the run, and "What changed" when phase 3 compared its calculation with
the one it replaced. (Each phase's task publishes its own: tasks/*.)"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from schedcu.changes.model import Changes
from schedcu.changes.report import changes_line, changes_markdown
from schedcu.config import get_settings
from schedcu.db import get_engine
from schedcu.hospitals import version_hospital
from schedcu.names import slug
from schedcu.orchestration import PHASE_TITLES, OrchestrationResult
from schedcu.storage.location import Location
from schedcu.validation import ValidationResult
from schedcu.wording import plural


def publish_validation_table(hospital: str, validation: ValidationResult) -> None:
    rows = [
        {
            "severity": m.severity.value,
            "code": m.code,
            "message": m.message,
            "location": m.location or "",
            "phase": m.phase or "",
        }
        for m in validation
    ]
    create_table_artifact(
        rows
        or [{"severity": "", "code": "", "message": "No messages.", "location": "", "phase": ""}],
        key=slug("validation", hospital),
        description=f"Messages of the import for {hospital}, all phases",
    )


@dataclass(frozen=True, slots=True)
class TemplateNote:
    """The template a run is about, as its summary names it."""

    name: str
    source: Path | Location | None = None  # what the import read (a URL shows no credentials)
    sha256: str | None = None  # None until phase 1 stored the version

    def markdown(self) -> str:
        where = f" from `{self.source}`" if self.source else ""
        digest = f", SHA-256 `{self.sha256}`" if self.sha256 else ""
        return f"Template: **{self.name}**{where}{digest}."


def template_note(version_id: int | None, ods_path: Path | Location | None) -> TemplateNote | None:
    """The run's template: the stored version's file name and SHA-256, and the path it was read
    from when the run imported it (a refresh or a recalculation only has the version)."""
    found = version_hospital(get_engine(get_settings()), version_id) if version_id else None
    if found is not None:
        version = found[0]
        return TemplateNote(version.source_filename, ods_path, version.source_sha256)
    return TemplateNote(ods_path.name, ods_path) if ods_path else None


def run_summary_markdown(
    result: OrchestrationResult, failure: str | None = None, template: TemplateNote | None = None
) -> str:
    period = f"{result.period_start} to {result.period_end}" if result.period_start else "-"
    lines = [
        f"# Import for {result.hospital}: {'Failed' if failure else result.state_name}",
        "",
        f"Period: {period}; schedule version: {result.schedule_version_id or '-'}; "
        f"duration {result.duration_s:.1f} s.",
        "",
    ]
    if template:
        lines += [template.markdown(), ""]
    if failure:
        lines += [f"**{failure}**", ""]
    lines += ["| phase | outcome | duration (s) | error |", "|---|---|---|---|"]
    for phase, report in result.phases.items():
        lines.append(
            f"| {PHASE_TITLES[phase]} | {report.outcome.value} | {report.duration_s:.2f} "
            f"| {report.error_code or ''} |"
        )
    counts = (
        f"Shifts: {result.shift_instances}; Amion assignments: {result.assignments}; "
        f"coverage rows: {result.coverage_rows}."
    )
    lines += ["", counts]
    if result.coverage and result.coverage.overall_pct is not None:
        c = result.coverage
        lines.append(
            f"Coverage {c.overall_pct:.1f}%: {c.covered_hours:.1f} h covered, "
            f"{c.unstaffed_hours:.1f} h unstaffed, {c.no_rule_hours:.1f} h without a rule."
        )
    if result.changes is not None:
        lines.append(f"{changes_line(result.changes)} (see the What changed artifact)")
    severities = [m.severity.value for m in result.validation]
    lines.append(
        f"Messages: {plural(severities.count('ERROR'), 'error')}, "
        f"{plural(severities.count('WARNING'), 'warning')}, "
        f"{plural(severities.count('INFO'), 'note')} (see the validation table)."
    )
    if result.reports:
        lines += ["", "Reports (each also linked as an artifact of its own):"]
        lines += [
            f"- **{where.rpartition('/')[2]}** in `{where.rpartition('/')[0]}`"
            for where in result.reports
        ]
    return "\n".join(lines)


def publish_run_artifacts(
    result: OrchestrationResult,
    failure: str | None = None,
    ods_path: Path | Location | None = None,
) -> None:
    """The validation table and the summary; `failure` is the reason when the run failed,
    `ods_path` the template the run imported (if it imported one)."""
    publish_validation_table(result.hospital, result.validation)
    template = template_note(result.schedule_version_id, ods_path)
    create_markdown_artifact(
        run_summary_markdown(result, failure, template),
        key=slug("import-summary", result.hospital),
        description=f"Import for {result.hospital}",
    )
    if result.changes is not None:
        publish_changes(result.hospital, result.changes)


def publish_changes(hospital: str, changes: Changes) -> None:
    """The "What changed" markdown artifact (`what-changed-<hospital>`)."""
    create_markdown_artifact(
        changes_markdown(changes, hospital=hospital),
        key=slug("what-changed", hospital),
        description=f"What changed in {hospital}'s coverage since the calculation it replaced",
    )
