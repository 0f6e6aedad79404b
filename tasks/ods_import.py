"""Phase 1 as a Prefect task: import the .ods into a DRAFT version (one transaction).

Critical: its failure fails the flow. Only transient errors (a lost database connection, I/O) are
retried; a spreadsheet that cannot be imported fails at once with its ValidationResult.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.tasks import exponential_backoff

from schedcu.config import get_settings
from schedcu.db import get_engine
from schedcu.request import ImportRequest
from tasks.retry import transient_only

if TYPE_CHECKING:
    from schedcu.ods.importer import ImportOutcome


@task(
    name="ods-import",
    task_run_name="ods-import {request.hospital} {request.period}",
    retries=3,
    retry_delay_seconds=exponential_backoff(backoff_factor=2),
    retry_jitter_factor=0.5,
    retry_condition_fn=transient_only,
    timeout_seconds=600,
    cache_policy=NO_CACHE,
)
def ods_import(*, request: ImportRequest) -> ImportOutcome:
    """Read the template, expand it over the period, store the version and its shifts."""
    # The reader (lxml) loads with the phase, not with every flow module that imports the task.
    from schedcu.ods.importer import import_schedule

    settings = get_settings()
    return import_schedule(
        engine=get_engine(settings),
        hospital_code=request.hospital,
        ods_path=request.ods_path,
        start=request.start,
        months=request.months,
        user_id=request.user_id,
        flow_run_id=flow_run.get_id(),
        settings=settings,
    )
