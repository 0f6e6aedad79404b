"""The two Prefect events a department's alerts listen to, about one known hospital:

- `schedcu.coverage.gap-opened`: a run opened or grew gap time within the alert horizon; the
  payload lists those gaps (study type, local start and end, hours, positions, the sentence).
- `schedcu.import.failed`: a run failed; the payload has the coded sentence.

Both name the hospital as their resource, `schedcu.hospital.<code>`, which is what an
automation (`schedcu alerts setup`, flows/alert_automations.py) matches on, and the flow run's
id; emitted from inside a run, Prefect relates the event to the flow run, its flow and
deployment as well. Only for a hospital schedcu knows: an unknown code names no resource (as it
names no artifact). Nothing here carries a secret: error sentences never hold the access code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from prefect.events import Event, emit_event
from prefect.runtime import flow_run

from schedcu.alerts import gap_alerts
from schedcu.config import get_settings
from schedcu.coverage.summary import Gap
from schedcu.errors import SchedcuError

GAP_OPENED = "schedcu.coverage.gap-opened"
IMPORT_FAILED = "schedcu.import.failed"
ALERT_EVENTS = (GAP_OPENED, IMPORT_FAILED)
RESOURCE_PREFIX = "schedcu.hospital."


def hospital_resource_id(code: str) -> str:
    return f"{RESOURCE_PREFIX}{code}"


def _resource(code: str) -> dict[str, str]:
    return {"prefect.resource.id": hospital_resource_id(code), "prefect.resource.name": code}


def _run() -> dict[str, str | None]:
    """The flow run the event comes from (None outside a run)."""
    return {"flow_run_id": flow_run.get_id(), "flow_run_name": flow_run.get_name()}


def emit_gap_opened(
    hospital_code: str, gaps: Iterable[Gap], timezone: str, *, now: dt.datetime | None = None
) -> Event | None:
    """Emit `schedcu.coverage.gap-opened` for the opened or grown `gaps` (as they are now) that
    reach into the alert horizon from `now` (default: this moment); times in `timezone`, the
    hospital's. Nothing is emitted when none does. Returns the event (None when not emitted)."""
    settings = get_settings()
    moment = now or dt.datetime.now(dt.UTC)
    alerts, count = gap_alerts(
        gaps, tz=ZoneInfo(timezone), now=moment, horizon=settings.alert_horizon
    )
    if not alerts:
        return None
    return emit_event(
        GAP_OPENED,
        resource=_resource(hospital_code),
        payload={
            "hospital": hospital_code,
            "gaps": alerts,
            "gap_count": count,
            "more_gaps": count - len(alerts),
            "horizon_days": settings.alert_horizon_days,
            **_run(),
        },
    )


def emit_import_failed(hospital_code: str, error: SchedcuError) -> Event | None:
    """Emit `schedcu.import.failed` for a failed run of the known hospital `hospital_code`."""
    return emit_event(
        IMPORT_FAILED,
        resource=_resource(hospital_code),
        payload={
            "hospital": hospital_code,
            "code": error.code,
            "message": error.message,
            "flow_name": flow_run.get_flow_name(),
            **_run(),
        },
    )
