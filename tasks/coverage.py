"""Phase 3 as two Prefect tasks: calculate and store (database), then publish the reports (files
and artifacts). Each retries alone, transient errors only; both wrap plain `schedcu.coverage`
functions that work without Prefect.

The artifacts of a flow run: `coverage-<hospital>` (markdown summary), `coverage-gaps-<hospital>`
(table of the longest gaps) and `coverage-heatmap-<hospital>` (markdown with the heatmap). The
heatmap is embedded as a `data:image/png` source in markdown: Prefect's UI renders that as a
picture, while an image artifact (a URL) would need a web server for the PNG and prints the URL.
"""

from __future__ import annotations

from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import task_run

from schedcu.config import get_settings
from schedcu.coverage.reports import (
    gap_table,
    heatmap_markdown,
    summary_markdown,
    title,
    write_reports,
)
from schedcu.coverage.service import CoverageOutcome, load_coverage, recalculate
from schedcu.db import get_engine
from schedcu.names import slug
from tasks.retry import transient_retry_policy

CALCULATE_TIMEOUT_S = 600
PUBLISH_TIMEOUT_S = 600


def _publish_run_name() -> str:
    parameters = task_run.parameters
    outcome = parameters.get("outcome")
    version = outcome.version_id if outcome is not None else parameters.get("version_id")
    return f"coverage-reports {parameters.get('hospital')} version {version}"


@task(
    name="coverage-calculate",
    task_run_name="coverage-calculate {hospital} version {version_id} {period}",
    timeout_seconds=CALCULATE_TIMEOUT_S,
    cache_policy=NO_CACHE,
    **transient_retry_policy(),
)
def calculate_coverage(*, hospital: str, version_id: int, period: str = "") -> CoverageOutcome:
    """Compute the version's coverage and store it in place of the previous calculation."""
    settings = get_settings()
    return recalculate(engine=get_engine(settings), version_id=version_id, settings=settings)


@task(
    name="coverage-reports",
    task_run_name=_publish_run_name,
    timeout_seconds=PUBLISH_TIMEOUT_S,
    cache_policy=NO_CACHE,
    **transient_retry_policy(),
)
def publish_coverage_reports(
    *,
    hospital: str,
    outcome: CoverageOutcome | None = None,
    version_id: int | None = None,
    period: str = "",
) -> list[str]:
    """Write the .csv, .ods and heatmap to the reports folder and publish the artifacts.

    Takes the outcome of `calculate_coverage`, or reads the version's stored calculation.
    Returns the paths of the files written.
    """
    settings = get_settings()
    coverage = (
        outcome
        if outcome is not None
        else load_coverage(engine=get_engine(settings), version_id=version_id)
    )
    files, png = write_reports(coverage, settings.resolved_reports_dir)
    paths = [str(files.csv), str(files.ods), str(files.heatmap)]
    listing = "\n".join(f"- `{path}`" for path in paths)
    create_markdown_artifact(
        key=slug("coverage", hospital),
        markdown=f"{summary_markdown(coverage)}\n## Report files\n\n{listing}\n",
        description=f"Coverage summary: {title(coverage)}",
    )
    gaps: list[dict[str, Any]] = gap_table(coverage) or [
        {"gap": "No unstaffed time in this period."}
    ]
    create_table_artifact(
        key=slug("coverage-gaps", hospital),
        table=gaps,
        description=f"Every coverage gap: {title(coverage)}",
    )
    create_markdown_artifact(
        key=slug("coverage-heatmap", hospital),
        markdown=heatmap_markdown(png, caption=f"Heatmap — {title(coverage)}"),
        description="Share of each day's ruled hours covered, per study type",
    )
    return paths
