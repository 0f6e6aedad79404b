"""The artifacts every run of a known hospital publishes: the merged ValidationResult as a table
and a markdown summary of the run. (Each phase's task publishes its own: tasks/*.)"""

from __future__ import annotations

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from schedcu.names import slug
from schedcu.orchestration import PHASE_TITLES, OrchestrationResult
from schedcu.validation import ValidationResult


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


def run_summary_markdown(result: OrchestrationResult, failure: str | None = None) -> str:
    period = f"{result.period_start} to {result.period_end}" if result.period_start else "-"
    lines = [
        f"# Import for {result.hospital}: {'Failed' if failure else result.state_name}",
        "",
        f"Period: {period}; schedule version: {result.schedule_version_id or '-'}; "
        f"duration {result.duration_s:.1f} s.",
        "",
    ]
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
    severities = [m.severity.value for m in result.validation]
    lines.append(
        f"Messages: {severities.count('ERROR')} errors, {severities.count('WARNING')} warnings, "
        f"{severities.count('INFO')} notes (see the validation table)."
    )
    if result.reports:
        lines += ["", "Reports:", *(f"- `{path}`" for path in result.reports)]
    return "\n".join(lines)


def publish_run_artifacts(result: OrchestrationResult, failure: str | None = None) -> None:
    """The validation table and the summary; `failure` is the reason when the run failed."""
    publish_validation_table(result.hospital, result.validation)
    create_markdown_artifact(
        run_summary_markdown(result, failure),
        key=slug("import-summary", result.hospital),
        description=f"Import for {result.hospital}",
    )
