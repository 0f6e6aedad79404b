"""Phase 1 as a Prefect task: import the .ods into a DRAFT version (one transaction).

Critical: its failure fails the flow. Only transient errors (a lost database connection, I/O) are
retried; a spreadsheet that cannot be imported fails at once with its ValidationResult.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from schedcu.config import get_settings
from schedcu.db import get_engine
from schedcu.ods.importer import ImportOutcome, import_schedule
from tasks.retry import transient_retry_policy

TIMEOUT_S = 600


@task(
    name="ods-import",
    task_run_name="ods-import {hospital} {period}",
    timeout_seconds=TIMEOUT_S,
    cache_policy=NO_CACHE,
    **transient_retry_policy(),
)
def import_ods(
    *,
    hospital: str,
    ods_path: Path,
    start: dt.date,
    months: int,
    period: str,
    user_id: str | None = None,
) -> ImportOutcome:
    """Read the template, expand it over the period, store the version and its shifts.

    `period` only names the task run; the period itself is `start` and `months`.
    """
    settings = get_settings()
    return import_schedule(
        engine=get_engine(settings),
        hospital_code=hospital,
        ods_path=ods_path,
        start=start,
        months=months,
        user_id=user_id,
        flow_run_id=flow_run.get_id(),
        settings=settings,
    )
