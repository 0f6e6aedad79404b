"""A hospital's alerts as Prefect keeps them: one notification block holding the address, and
one automation that sends both alert events of the hospital (flows/alerts.py) through it.

    block       schedcu-alerts-<code>: CustomWebhookNotificationBlock, SlackWebhook or
                MicrosoftTeamsWebhook; the address is a secret of the block
    automation  schedcu-alerts-<code>, tagged `schedcu-alerts` and `hospital:<code>`:
                EventTrigger on `schedcu.coverage.gap-opened` and `schedcu.import.failed` of
                the resource `schedcu.hospital.<code>`, one SendNotification per event

The server renders the action's subject and body (Jinja over the event) and sends the message;
nothing here sends. `setup_alerts` creates or updates (running it again changes nothing else),
`remove_alerts` deletes both. The custom webhook's URL field shows only the origin: the rest of
the address is the block's secret `webhook_path`, put back in when the block sends.
"""

from __future__ import annotations

import datetime as dt
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from prefect.automations import AutomationCore, EventTrigger, Posture, SendNotification
from prefect.blocks.notifications import (
    CustomWebhookNotificationBlock,
    MicrosoftTeamsWebhook,
    NotificationBlock,
    SlackWebhook,
)
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.events.filters import AutomationFilter, AutomationFilterTags
from prefect.events.schemas.automations import Automation
from prefect.exceptions import ObjectNotFound

from flows.alerts import ALERT_EVENTS, hospital_resource_id
from flows.status import hospital_tag
from schedcu.errors import ConfigurationError
from schedcu.webhooks import Channel, WebhookTarget

ALERTS_TAG = "schedcu-alerts"
SECRET_PATH = "webhook_path"
BLOCKS: dict[Channel, type[NotificationBlock]] = {
    Channel.WEBHOOK: CustomWebhookNotificationBlock,
    Channel.SLACK: SlackWebhook,
    Channel.TEAMS: MicrosoftTeamsWebhook,
}
CHANNELS = {cls.get_block_type_slug(): channel for channel, cls in BLOCKS.items()}

# The message, as Jinja templates the server renders over the event (Prefect's automation
# templates: `event` is the triggering event); the same text is in the README for the UI.
SUBJECT = (
    '{% if event.event == "schedcu.import.failed" %}'
    "schedcu: a run for {{ event.resource.name }} failed"
    "{% else %}schedcu: coverage gaps opened at {{ event.resource.name }}{% endif %}"
)
BODY = """\
{% if event.event == "schedcu.import.failed" -%}
The {{ event.payload.flow_name }} run for {{ event.payload.hospital }} failed: \
{{ event.payload.code }}: {{ event.payload.message }}
{% else -%}
New gaps in reading coverage at {{ event.payload.hospital }} \
(next {{ event.payload.horizon_days }} days):
{% for gap in event.payload.gaps %}- {{ gap.sentence }}
{% endfor %}{% if event.payload.more_gaps %}- and {{ event.payload.more_gaps }} more
{% endif %}{% endif -%}
Flow run: {{ event.payload.flow_run_name }} ({{ event.payload.flow_run_id }})"""


@dataclass(frozen=True, slots=True)
class AlertRoute:
    """A hospital's alerts as `schedcu alerts list` shows them (never the whole address)."""

    hospital: str
    automation_id: str
    enabled: bool
    channel: str | None
    destination: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "hospital": self.hospital,
            "automation_id": self.automation_id,
            "enabled": self.enabled,
            "channel": self.channel,
            "destination": self.destination,
        }


def alerts_name(hospital: str) -> str:
    """The block's and the automation's name (a hospital code fits a block name's rules)."""
    return f"{ALERTS_TAG}-{hospital}"


def _block(hospital: str, target: WebhookTarget) -> NotificationBlock:
    """The channel's notification block; a Teams address Prefect cannot read is refused."""
    if target.channel is Channel.WEBHOOK:
        return CustomWebhookNotificationBlock(
            name=alerts_name(hospital),
            url=f"{target.origin}{{{{{SECRET_PATH}}}}}",
            json_data={"subject": "{{subject}}", "text": "{{body}}"},
            secrets={SECRET_PATH: target.rest.get_secret_value()},
        )
    try:
        return BLOCKS[target.channel](url=target.url)
    except ValueError:
        raise ConfigurationError(
            f"The {target.channel.title} address {target.masked} cannot be used: it is not an "
            "address Teams gives a workflow (Workflows app: 'Post to a channel when a webhook "
            "request is received').",
            code="INVALID_WEBHOOK_URL",
        ) from None


def _automation(hospital: str, target: WebhookTarget, block_id: Any) -> AutomationCore:
    return AutomationCore(
        name=alerts_name(hospital),
        description=f"{hospital}: gaps opened and failed runs, to a {target.channel.title} at "
        f"{target.masked}",
        enabled=True,
        tags=[ALERTS_TAG, hospital_tag(hospital)],
        trigger=EventTrigger(
            expect=set(ALERT_EVENTS),
            match={"prefect.resource.id": hospital_resource_id(hospital)},
            posture=Posture.Reactive,
            threshold=1,
            within=dt.timedelta(0),
        ),
        actions=[SendNotification(block_document_id=block_id, subject=SUBJECT, body=BODY)],
    )


def _hospital_automations(client: SyncPrefectClient, hospital: str | None) -> list[Automation]:
    tags = [ALERTS_TAG] + ([hospital_tag(hospital)] if hospital else [])
    found = client.read_automations(
        automations=AutomationFilter(tags=AutomationFilterTags(all_=tags))
    )
    return sorted(found, key=lambda automation: automation.name)


def _delete_blocks(client: SyncPrefectClient, hospital: str, keep: Channel | None) -> None:
    """Delete the hospital's alert blocks of every channel but `keep`."""
    for channel, cls in BLOCKS.items():
        if channel is keep:
            continue
        with suppress(ObjectNotFound):
            document = client.read_block_document_by_name(
                alerts_name(hospital), cls.get_block_type_slug(), include_secrets=False
            )
            client.delete_block_document(document.id)


def setup_alerts(hospital: str, target: WebhookTarget) -> tuple[AlertRoute, bool]:
    """Create or update the hospital's block and automation; the route and whether it is new."""
    block = _block(hospital, target)
    block_id = block.save(alerts_name(hospital), overwrite=True)
    automation = _automation(hospital, target, block_id)
    with get_client(sync_client=True) as client:
        _delete_blocks(client, hospital, keep=target.channel)
        existing = _hospital_automations(client, hospital)
        if existing:
            automation_id = existing[0].id
            client.update_automation(automation_id, automation)
            for extra in existing[1:]:  # one left by a setup that raced this one
                client.delete_automation(extra.id)
        else:
            automation_id = client.create_automation(automation)
    route = AlertRoute(hospital, str(automation_id), True, target.channel.value, target.masked)
    return route, not existing


def _destination(description: str) -> str:
    return description.rpartition(" at ")[2] or "?"


def list_alerts() -> list[AlertRoute]:
    """Every hospital's alerts, by hospital."""
    routes = []
    with get_client(sync_client=True) as client:
        for automation in _hospital_automations(client, None):
            hospital = next(
                (tag.split(":", 1)[1] for tag in automation.tags if tag.startswith("hospital:")),
                "?",
            )
            channel = None
            for action in automation.actions:
                if isinstance(action, SendNotification):
                    with suppress(ObjectNotFound):
                        document = client.read_block_document(
                            action.block_document_id, include_secrets=False
                        )
                        slug = document.block_type.slug if document.block_type else None
                        channel = CHANNELS.get(slug or "")
            routes.append(
                AlertRoute(
                    hospital,
                    str(automation.id),
                    automation.enabled,
                    channel.value if channel else None,
                    _destination(automation.description),
                )
            )
    return sorted(routes, key=lambda route: route.hospital)


def remove_alerts(hospital: str) -> int:
    """Delete the hospital's automations and blocks; how many automations there were."""
    with get_client(sync_client=True) as client:
        existing = _hospital_automations(client, hospital)
        for automation in existing:
            client.delete_automation(automation.id)
        _delete_blocks(client, hospital, keep=None)
    return len(existing)
