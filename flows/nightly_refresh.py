"""Nightly refresh: phases 2 and 3 for a hospital's latest schedule version.

Amion changes every day; the template does not. This re-reads Amion for the latest version's
period (replacing its Amion assignments) and recalculates coverage, under the hospital's slot.
A refused request or no version yet fails the run; a failed phase ends it CompletedWithWarnings.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, tags
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
from schedcu.config import get_settings
from schedcu.db import get_engine
from schedcu.errors import ConfigurationError, SchedcuError
from schedcu.hospitals import known_hospital, latest_version
from schedcu.request import (
    REQUIRED,
    HospitalCode,
    OptionalRosterPath,
    checked,
    given,
    input_file,
)


def _run_name() -> str:
    """`refresh cumc-radiology` (cut short: the parameter is not checked yet)."""
    return f"refresh {str(given(flow_run.parameters.get('hospital')) or '(no hospital)')[:64]}"


@flow(name="nightly-refresh", flow_run_name=_run_name, validate_parameters=False)
def nightly_refresh(
    hospital: HospitalCode = REQUIRED, roster_path: OptionalRosterPath = None
) -> State[Any]:
    """Read Amion again and recalculate coverage for the hospital's latest schedule version.

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
    try:
        values = checked(hospital=hospital, roster_path=roster_path)
        code = known_hospital(engine, str(values.hospital)).code
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
        version = latest_version(engine, code)
        if version is None:
            raise ConfigurationError(
                f"Hospital {code} has no schedule version to refresh; import a template first "
                "(the schedule-import flow).",
                code="NO_VERSION",
            )
    except SchedcuError as error:
        return fail_run(result, error, publish=False)
    result.schedule_version_id = version.id
    result.period_start, result.period_end = version.effective_start, version.effective_end
    with tags(tag), hospital_slot(code):
        tolerated_phases(result, roster_path=roster)
    return finish_run(result)
