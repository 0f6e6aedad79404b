"""The import flow: ODS import, Amion scrape, coverage, for one hospital and period.

    check the request  -> a refused one fails the run before phase 1 (no task run, no artifact)
    hospital slot      -> one import per hospital at a time (flows/hospital_lock.py)
    1 ods-import       -> critical: its failure fails the run; phases 2 and 3 never start
    2 amion-scrape     -> may fail: the run goes on to phase 3 and ends CompletedWithWarnings
    3 coverage         -> may fail: the version stays; `recalculate-coverage` can redo it

The run's state is its status; its result is the OrchestrationResult as JSON-ready data. The
Amion code is never a parameter: phase 2's task looks it up.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, tags
from prefect.runtime import flow_run
from prefect.states import State

from flows.hospital_lock import hospital_slot
from flows.run import (
    fail_run,
    failure_of,
    finish_run,
    naming_file,
    new_result,
    run_phase,
    tag_run,
    template_sources,
    tolerated_phases,
)
from schedcu.calendar import first_of_next_month
from schedcu.config import get_settings
from schedcu.db import get_engine
from schedcu.errors import SchedcuError
from schedcu.hospitals import known_hospital
from schedcu.orchestration import Phase
from schedcu.request import (
    REQUIRED,
    HospitalCode,
    Months,
    OptionalRosterPath,
    OptionalStartDate,
    OptionalUserId,
    TemplatePath,
    checked,
    given,
    import_request,
)
from tasks.ods_import import ods_import


def _run_name() -> str:
    """`import cumc-radiology 2026-03-01 +1m` (cut short: parameters are not checked yet)."""
    sent = flow_run.parameters
    hospital = str(given(sent.get("hospital")) or "(no hospital)")[:64]
    months = str(sent.get("months", 1))[:4]
    return f"import {hospital} {str(sent.get('start_date') or 'next-month')[:10]} +{months}m"


@flow(
    name="schedule-import",
    flow_run_name=_run_name,
    validate_parameters=False,  # schedcu.request checks them, with coded sentences
    description="Import a coverage template, the Amion schedule and compute coverage.",
)
def schedule_import(
    hospital: HospitalCode = REQUIRED,
    ods_path: TemplatePath = REQUIRED,
    start_date: OptionalStartDate = None,
    months: Months = 1,
    user_id: OptionalUserId = None,
    roster_path: OptionalRosterPath = None,
) -> State[Any]:
    """Import a coverage template for a period, then read Amion and compute coverage.

    Args:
        hospital: The hospital's code, as `schedcu hospital list` shows it (lowercase letters,
            digits and dashes).
        ods_path: The template (.ods) as a path on the worker's machine or a storage address
            (s3://, sftp://, https://; no password in it: the worker has the credentials); for
            a run started from a deployment it must lie under the worker's
            SCHEDCU_TEMPLATE_SOURCES (by default $SCHEDCU_HOME/templates).
        start_date: The first day of the period (YYYY-MM-DD). Empty: the first day of next month.
        months: How many months the period covers, 1 to 24.
        user_id: Who imports, recorded on the schedule version. Empty: nobody named.
        roster_path: The roster (YAML) mapping Amion names to radiologists, as a path on the
            worker's machine or a storage address (under SCHEDCU_TEMPLATE_SOURCES for a
            deployment run). Empty: the
            people and aliases already stored for the hospital.
    """
    settings = get_settings()
    result = new_result(hospital)
    code: str | None = None  # the hospital's, once known to be one
    try:
        code = known_hospital(get_engine(settings), checked(hospital=hospital).hospital).code
        tag = tag_run(code)  # a refused request of a known hospital still shows as its run
        request = import_request(
            default_start=first_of_next_month(settings.timezone),
            sources=template_sources(settings),
            hospital=hospital,
            ods_path=ods_path,
            start_date=start_date,
            months=months,
            user_id=user_id,
            roster_path=roster_path,
        )
    except SchedcuError as error:
        return fail_run(result, error, publish=False, known=code is not None)

    result.period_start, result.period_end = request.start, request.end
    with tags(tag), hospital_slot(code):
        imported = run_phase(result, Phase.ODS_IMPORT, ods_import, request=request)
        if not imported.is_completed():
            failure = naming_file(failure_of(imported, Phase.ODS_IMPORT), request.ods_path)
            return fail_run(result, failure, ods_path=request.ods_path)
        tolerated_phases(result, roster_path=request.roster_path, user_id=request.user_id)
    return finish_run(result, ods_path=request.ods_path)
