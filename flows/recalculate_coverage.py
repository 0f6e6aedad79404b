"""Recalculate coverage (phase 3) for one schedule version, e.g. after phase 3 failed in an
import or after manual assignments changed. Here phase 3 is the whole job: its failure fails
the run."""

from __future__ import annotations

from typing import Any

from prefect import flow, tags
from prefect.runtime import flow_run
from prefect.states import State

from flows.run import fail_run, failure_of, finish_run, new_result, run_phase, tag_run
from schedcu.config import get_settings
from schedcu.db import get_engine
from schedcu.errors import ConfigurationError, SchedcuError
from schedcu.hospitals import version_hospital
from schedcu.orchestration import Phase, period_label
from schedcu.request import REQUIRED, VersionId, checked, given
from tasks.coverage import coverage


def _run_name() -> str:
    """`recalculate coverage of version 12` (cut short: the parameter is not checked yet)."""
    number = given(flow_run.parameters.get("version_id"))
    return f"recalculate coverage of version {str(number)[:12]}"


@flow(name="recalculate-coverage", flow_run_name=_run_name, validate_parameters=False)
def recalculate_coverage(version_id: VersionId = REQUIRED) -> State[Any]:
    """Recalculate coverage for one schedule version.

    Args:
        version_id: The schedule version's number, as the import's summary shows it.
    """
    try:
        number = checked(version_id=version_id).version_id
        found = version_hospital(get_engine(get_settings()), number) if number else None
        if found is None:
            raise ConfigurationError(f"There is no schedule version {number}.", code="NO_VERSION")
    except SchedcuError as error:
        return fail_run(new_result("?"), error, publish=False)
    version, hospital = found
    result = new_result(hospital.code, schedule_version_id=version.id)
    result.period_start, result.period_end = version.effective_start, version.effective_end
    with tags(tag_run(hospital.code)):
        state = run_phase(
            result,
            Phase.COVERAGE,
            coverage,
            hospital=hospital.code,
            version_id=version.id,
            period=period_label(version.effective_start, version.effective_end),
        )
    if not state.is_completed():
        return fail_run(result, failure_of(state, Phase.COVERAGE))
    return finish_run(result)
