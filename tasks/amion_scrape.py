"""Phase 2 as one Prefect task: download the version's Amion months and store them as its
assignments (`schedcu.amion.store.scrape_version`, which also records a failed scrape).

May fail without failing the flow. Transient errors (a 503, a reset, a lost database connection)
retry the whole phase, download included; a refused code, a wrong code and an unparseable export
fail at once, and what Amion showed is published as an artifact. The access code is looked up
here (tasks/secrets.py): it is never a parameter of a flow or task.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from schedcu.config import Settings, get_settings
from schedcu.db import get_engine
from schedcu.errors import AmionError
from schedcu.names import slug
from schedcu.storage.location import Location
from schedcu.storage.reports import publish_report
from tasks.retry import transient_only
from tasks.secrets import amion_access_code

if TYPE_CHECKING:
    from schedcu.amion.store import ScrapeOutcome

HTML_EXCERPT_CHARS = 20_000


@task(
    name="amion-scrape",
    task_run_name="amion-scrape {hospital} {period}",
    retries=3,
    retry_delay_seconds=exponential_backoff(backoff_factor=2),
    retry_jitter_factor=0.5,
    retry_condition_fn=transient_only,
    timeout_seconds=900,
    cache_policy=NO_CACHE,
)
def amion_scrape(
    *,
    hospital: str,
    version_id: int,
    period: str,
    roster_path: Path | Location | None = None,
    user_id: str | None = None,
) -> ScrapeOutcome:
    """Log in to Amion with the hospital's code, download the version's months, store them."""
    # The scraper, the export parser and the roster's YAML load with the phase, not with the
    # flow module: the flow process starts before phase 1 and may never reach phase 2.
    from schedcu.amion.roster import load_roster
    from schedcu.amion.store import scrape_version

    settings = get_settings()
    try:
        return scrape_version(
            engine=get_engine(settings),
            version_id=version_id,
            code=amion_access_code(hospital, settings).get_secret_value(),
            settings=settings,
            roster=load_roster(roster_path, settings) if roster_path else None,
            created_by=user_id,
        )
    except AmionError as error:
        publish_amion_evidence(hospital, error, settings)
        raise


def publish_amion_evidence(hospital: str, error: AmionError, settings: Settings) -> None:
    """What Amion showed when phase 2 failed: masked URL and HTML in markdown, the screenshot
    written to the reports folder (a markdown artifact cannot hold a file)."""
    evidence = error.evidence
    if evidence is None:
        return
    lines = [f"# Amion failure for {hospital}: {error.code}", "", error.message, ""]
    if evidence.url:
        lines += [f"Page: `{evidence.url}`", ""]
    if evidence.screenshot_png:
        name = f"amion-failure-{slug(error.code)}.png"
        with tempfile.TemporaryDirectory(prefix="schedcu-evidence-") as scratch:
            shot = Path(scratch) / name
            shot.write_bytes(evidence.screenshot_png)
            published = publish_report(
                shot, settings.resolved_reports_url, f"{slug(hospital)}/{name}", settings
            )
        lines += [f"Screenshot: `{published.where}`", ""]
    if evidence.html:
        excerpt = evidence.html[:HTML_EXCERPT_CHARS].replace("```", "` ` `")
        lines += ["HTML of the page:", "", "```html", excerpt, "```"]
    create_markdown_artifact(
        "\n".join(lines),
        key=slug("amion-failure", hospital),
        description=f"What Amion showed when the scrape for {hospital} failed",
    )
