"""Where a hospital's alerts go: a webhook address of one channel, checked before anything is
stored, and kept as a secret (a Slack address carries its token; any webhook's path may).

Only `masked` (scheme and host, `https://hooks.slack.com/…`) is ever shown: in sentences,
listings and the automation's description. The whole address lives in the notification block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import SplitResult, urlsplit

from pydantic import SecretStr

from schedcu.errors import ConfigurationError

MAX_URL_CHARS = 2_000
# Slack's incoming webhooks (and GovCloud's), the shape Prefect's SlackWebhook block sends to.
SLACK_HOSTS = frozenset({"hooks.slack.com", "hooks.slack-gov.com"})
SLACK_PATH = re.compile(r"/services/[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]+/?")


class Channel(StrEnum):
    WEBHOOK = "webhook"
    SLACK = "slack"
    TEAMS = "teams"

    @property
    def title(self) -> str:
        return {"webhook": "webhook", "slack": "Slack webhook", "teams": "Teams workflow"}[self]


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    channel: Channel
    origin: str  # `https://host[:port]`: the part of the address that is not secret
    rest: SecretStr  # path, query and fragment: may hold a token

    @property
    def url(self) -> SecretStr:
        return SecretStr(self.origin + self.rest.get_secret_value())

    @property
    def masked(self) -> str:
        return f"{self.origin}/…"


def _origin(parts: SplitResult) -> str:
    """Scheme, host and port (never a user name or password)."""
    return f"{parts.scheme.lower()}://{parts.netloc.rpartition('@')[2].lower()}"


def _masked(parts: SplitResult) -> str:
    return f"{_origin(parts)}/…"


def _refused(channel: Channel, shown: str, why: str) -> ConfigurationError:
    return ConfigurationError(
        f"The {channel.title} address {shown} cannot be used: {why}.", code="INVALID_WEBHOOK_URL"
    )


def webhook_target(channel: Channel, url: str) -> WebhookTarget:
    """The checked target, or INVALID_WEBHOOK_URL with a sentence that never shows the address
    beyond its host."""
    text = url.strip()
    if not text or len(text) > MAX_URL_CHARS or any(c.isspace() or ord(c) < 32 for c in text):
        raise _refused(channel, "given", "it is empty, too long or has spaces in it")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        raise _refused(channel, "given", "it is not a web address") from None
    https_only = channel is not Channel.WEBHOOK
    if parts.scheme not in ({"https"} if https_only else {"http", "https"}) or not parts.hostname:
        expected = "https://..." if https_only else "http:// or https://..."
        raise _refused(channel, "given", f"it is not a web address ({expected})")
    if parts.username is not None or parts.password is not None:
        raise _refused(channel, _masked(parts), "it has a user name or password in it")
    if "{" in text or "}" in text:
        raise _refused(channel, _masked(parts), "it has braces in it")
    if channel is Channel.SLACK and (
        parts.hostname not in SLACK_HOSTS or not SLACK_PATH.fullmatch(parts.path)
    ):
        raise _refused(
            channel,
            _masked(parts),
            "a Slack incoming webhook is https://hooks.slack.com/services/ and three codes",
        )
    rest = text[len(f"{parts.scheme}://{parts.netloc}") :]
    return WebhookTarget(channel, _origin(parts), SecretStr(rest))
