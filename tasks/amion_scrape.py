"""Phase 2 as two Prefect tasks: download the month exports (network), then store them (database).

Each retries alone: a 503 from Amion retries the download, a lost database connection retries the
store. A refused code, a wrong code and an unparseable export fail at once. The access code is
looked up inside the download task (tasks/secrets.py): it is never a parameter of a flow or task.
"""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from schedcu.amion.client import MonthExport, download_exports
from schedcu.amion.roster import load_roster
from schedcu.amion.store import ScrapeOutcome, store_assignments
from schedcu.config import get_settings
from schedcu.db import get_engine
from tasks.retry import transient_retry_policy
from tasks.secrets import amion_access_code

DOWNLOAD_TIMEOUT_S = 900
STORE_TIMEOUT_S = 300


@task(
    name="amion-download",
    task_run_name="amion-download {hospital} {period}",
    timeout_seconds=DOWNLOAD_TIMEOUT_S,
    cache_policy=NO_CACHE,
    **transient_retry_policy(),
)
def download_amion_exports(
    *, hospital: str, base_url: str, months: list[tuple[int, int]], period: str
) -> list[MonthExport]:
    """Log in to Amion with the hospital's code and download the month exports of the period."""
    settings = get_settings()
    return download_exports(
        base_url=base_url,
        code=amion_access_code(hospital, settings).get_secret_value(),
        months=months,
        settings=settings,
    )


@task(
    name="amion-store",
    task_run_name="amion-store {hospital} {period}",
    timeout_seconds=STORE_TIMEOUT_S,
    cache_policy=NO_CACHE,
    **transient_retry_policy(),
)
def store_amion_assignments(
    *,
    hospital: str,
    version_id: int,
    exports: list[MonthExport],
    roster_path: Path | None,
    period: str,
    user_id: str | None = None,
) -> ScrapeOutcome:
    """Match the exports to persons and shifts; replace the version's Amion assignments."""
    settings = get_settings()
    return store_assignments(
        engine=get_engine(settings),
        version_id=version_id,
        exports=exports,
        roster=load_roster(roster_path) if roster_path else None,
        settings=settings,
        created_by=user_id,
    )
