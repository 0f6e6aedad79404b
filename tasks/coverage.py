"""Phase 3 as one Prefect task: compute and store the version's coverage, write the report files
(.csv, .ods, heatmap) and publish them as artifacts. The steps are plain `schedcu.coverage`
functions that work without Prefect.

The artifacts of a flow run: `coverage-<hospital>` (markdown summary), `coverage-gaps-<hospital>`
(table of the longest gaps), `coverage-heatmap-<hospital>` (markdown with the heatmap) and a link
to each report file, `report-{csv,ods,png}-<hospital>` (schedcu/storage/reports.py). The
heatmap is embedded as a `data:image/png` source in markdown: Prefect's UI renders that as a
picture, while an image artifact (a URL) would need a web server for the PNG and prints the URL.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prefect import task
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from schedcu.config import get_settings
from schedcu.db import get_engine
from schedcu.names import slug
from schedcu.validation import ValidationResult
from tasks.retry import transient_only

if TYPE_CHECKING:
    from schedcu.changes.model import Changes
    from schedcu.coverage.service import CoverageOutcome
    from schedcu.storage.reports import PublishedReport


@dataclass(frozen=True, slots=True)
class CoverageReport:
    """What phase 3 did: the calculation's size, summary and messages, the report files, and
    what changed against the calculation it replaced (None: the first for these days)."""

    row_count: int
    summary: dict[str, Any]
    validation: ValidationResult
    reports: list[str]
    changes: Changes | None = None


@task(
    name="coverage",
    task_run_name="coverage {hospital} {period}",
    retries=3,
    retry_delay_seconds=exponential_backoff(backoff_factor=2),
    retry_jitter_factor=0.5,
    retry_condition_fn=transient_only,
    timeout_seconds=600,
    cache_policy=NO_CACHE,
)
def coverage(*, hospital: str, version_id: int, period: str) -> CoverageReport:
    """Compute the version's coverage in place of the previous one, then its reports: written
    in a scratch folder, then each put whole where SCHEDCU_REPORTS_URL says. Inputs unchanged
    since the current calculation: nothing is computed, written or published again (that
    calculation's reports and artifacts stand)."""
    # The calculation and the report writers load with the phase, not with the flow module.
    from schedcu.coverage.reports import report_files, write_reports
    from schedcu.coverage.service import recalculate
    from schedcu.storage.reports import publish_report, report_address

    settings = get_settings()
    outcome = recalculate(engine=get_engine(settings), version_id=version_id, settings=settings)
    target = settings.resolved_reports_url
    if not outcome.stored:
        files = report_files(outcome, Path())
        paths = [
            report_address(target, path.name) for path in (files.csv, files.ods, files.heatmap)
        ]
        return CoverageReport(
            outcome.row_count, outcome.summary, outcome.validation, paths, outcome.changes
        )
    with tempfile.TemporaryDirectory(prefix="schedcu-reports-") as scratch:
        files, png = write_reports(outcome, Path(scratch))
        published = [
            publish_report(path, target, path.name, settings)
            for path in (files.csv, files.ods, files.heatmap)
        ]
    publish_coverage_artifacts(hospital, outcome, published, png)
    paths = [report.where for report in published]
    return CoverageReport(
        outcome.row_count, outcome.summary, outcome.validation, paths, outcome.changes
    )


def publish_coverage_artifacts(
    hospital: str, outcome: CoverageOutcome, published: list[PublishedReport], png: bytes
) -> None:
    """The summary, the gap table, the heatmap, and one link artifact per report file."""
    from schedcu.coverage.reports import gap_table, heatmap_markdown, summary_markdown, title

    for report in published:
        create_link_artifact(
            link=report.link,
            link_text=report.name,
            key=slug("report", report.name.rpartition(".")[2], hospital),
            description=f"{report.name}: {title(outcome)}",
        )
    listing = "\n".join(f"- `{report.where}`" for report in published)
    create_markdown_artifact(
        key=slug("coverage", hospital),
        markdown=f"{summary_markdown(outcome)}\n## Report files\n\n{listing}\n",
        description=f"Coverage summary: {title(outcome)}",
    )
    gaps: list[dict[str, Any]] = gap_table(outcome) or [
        {"gap": "No unstaffed time in this period."}
    ]
    create_table_artifact(
        key=slug("coverage-gaps", hospital),
        table=gaps,
        description=f"Every coverage gap: {title(outcome)}",
    )
    create_markdown_artifact(
        key=slug("coverage-heatmap", hospital),
        markdown=heatmap_markdown(png, caption=f"Heatmap — {title(outcome)}"),
        description="Share of each day's ruled hours covered, per study type",
    )
