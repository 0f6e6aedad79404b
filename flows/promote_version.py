"""Promote a schedule version from the Prefect UI or the REST API: the same promotion as
`schedcu version promote` (schedcu.versions), with who and why in the version's history and the
flow run's id beside them. A refused request (a bad parameter, an unknown version, the ACTIVE
version again) fails the run with the coded sentence and changes nothing."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.states import Completed, Failed, State

from flows.run import tag_run
from schedcu.config import get_settings
from schedcu.db import get_engine
from schedcu.errors import SchedcuError
from schedcu.hospitals import version_hospital
from schedcu.request import (
    REQUIRED,
    OptionalReason,
    UserId,
    VersionId,
    checked,
    given,
    promotion_request,
)
from schedcu.versions import no_version, promote


def _run_name() -> str:
    """`promote version 12` (cut short: the parameter is not checked yet)."""
    return f"promote version {str(given(flow_run.parameters.get('version_id')))[:12]}"


@flow(
    name="promote-version",
    flow_run_name=_run_name,
    validate_parameters=False,  # schedcu.request checks them, with coded sentences
)
def promote_version(
    version_id: VersionId = REQUIRED,
    promoted_by: UserId = REQUIRED,
    reason: OptionalReason = None,
) -> State[Any]:
    """Make a schedule version its hospital's ACTIVE one for its period; the ACTIVE versions it
    overlaps become ARCHIVED.

    Args:
        version_id: The schedule version's number, as `schedcu version list` and the import's
            summary show it.
        promoted_by: Who promotes it (your user id), recorded in the version's history.
        reason: Why, in a sentence, recorded in the version's history. Empty: no reason given.
    """
    logger = get_run_logger()
    try:
        engine = get_engine(get_settings())
        # The version first: a refused request of a known version still shows among its
        # hospital's runs (the UI's filter by the tag hospital:<code>).
        number = checked(version_id=version_id).version_id
        found = version_hospital(engine, number) if number else None
        if found is not None:
            tag_run(found[1].code)
        request = promotion_request(version_id=version_id, promoted_by=promoted_by, reason=reason)
        if found is None:
            raise no_version(request.version_id)
        promotion = promote(
            engine,
            version_id=request.version_id,
            by=request.promoted_by,
            reason=request.reason,
            flow_run_id=flow_run.get_id(),
        )
    except SchedcuError as error:
        logger.error("Promotion refused: %s: %s", error.code, error.message)
        return Failed(message=f"{error.code}: {error.message}", data=error)
    logger.info("%s", promotion.sentence)
    return Completed(message=promotion.sentence, data=promotion.to_dict())
