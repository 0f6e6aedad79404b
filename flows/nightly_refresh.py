"""Nightly refresh: phases 2 and 3 for the schedule version a hospital works from.

Amion changes every day; the template does not. This re-reads Amion for the version's period
(replacing its Amion assignments) and recalculates coverage, under the hospital's slot. The
version is the hospital's ACTIVE one covering today and the coming weeks; with none, the newest
DRAFT, with a NO_ACTIVE_VERSION warning in the result and the log (schedcu.versions). A refused
request or no version at all fails the run; a failed phase ends it CompletedWithWarnings.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, tags
from prefect.runtime import flow_run
from prefect.states import State

from flows.hospital_lock import hospital_slot
from flows.run import (
    fail_run,
    finish_run,
    new_result,
    tag_run,
    template_sources,
    tolerated_phases,
)
from schedcu.calendar import service_day_at
from schedcu.config import get_settings
from schedcu.db import get_engine
from schedcu.errors import ConfigurationError, SchedcuError
from schedcu.hospitals import known_hospital
from schedcu.models import utcnow
from schedcu.request import (
    REQUIRED,
    HospitalCode,
    OptionalRosterPath,
    checked,
    given,
    input_file,
)
from schedcu.versions import followed_version


def _run_name() -> str:
    """`refresh cumc-radiology` (cut short: the parameter is not checked yet)."""
    return f"refresh {str(given(flow_run.parameters.get('hospital')) or '(no hospital)')[:64]}"


@flow(name="nightly-refresh", flow_run_name=_run_name, validate_parameters=False)
def nightly_refresh(
    hospital: HospitalCode = REQUIRED, roster_path: OptionalRosterPath = None
) -> State[Any]:
    """Read Amion again and recalculate coverage for the hospital's ACTIVE schedule version
    covering today and the coming weeks (with none, its newest draft, with a warning).

    Args:
        hospital: The hospital's code, as `schedcu hospital list` shows it (lowercase letters,
            digits and dashes).
        roster_path: The roster (YAML) mapping Amion names to radiologists, as a path on the
            worker's machine (under SCHEDCU_TEMPLATE_SOURCES for a deployment run). Empty: the
            people and aliases already stored for the hospital.
    """
    settings = get_settings()
    engine = get_engine(settings)
    result = new_result(hospital)
    code: str | None = None  # the hospital's, once known to be one
    try:
        values = checked(hospital=hospital, roster_path=roster_path)
        known = known_hospital(engine, str(values.hospital))
        code = known.code
        tag = tag_run(code)  # a refused request of a known hospital still shows as its run
        roster = (
            input_file(
                values.roster_path,
                template_sources(settings),
                what="roster",
                code="ROSTER_NOT_READABLE",
            )
            if values.roster_path
            else None
        )
        today = service_day_at(utcnow(), day_start=settings.day_start, tz=ZoneInfo(known.timezone))
        followed = followed_version(engine, code, today=today)
        if followed is None:
            raise ConfigurationError(
                f"Hospital {code} has no ACTIVE or draft schedule version to refresh; import a "
                "template first (the schedule-import flow).",
                code="NO_VERSION",
            )
    except SchedcuError as error:
        return fail_run(result, error, publish=False, known=code is not None)
    for warning in followed.validation:
        get_run_logger().warning("%s: %s", warning.code, warning.message)
    result.validation = result.validation.merge(followed.validation)
    version = followed.version
    result.schedule_version_id = version.id
    result.period_start, result.period_end = version.effective_start, version.effective_end
    with tags(tag), hospital_slot(code):
        tolerated_phases(result, roster_path=roster)
    return finish_run(result)
