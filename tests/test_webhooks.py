"""Webhook addresses are checked before anything is stored, and never shown beyond their host."""

from __future__ import annotations

import pytest

from schedcu.errors import ConfigurationError
from schedcu.webhooks import Channel, webhook_target

TOKEN = "XoXb8secretT0ken"
SLACK = f"https://hooks.slack.com/services/T0AB12/B0CD34/{TOKEN}"


@pytest.mark.parametrize(
    ("channel", "url", "origin"),
    [
        (Channel.SLACK, SLACK, "https://hooks.slack.com"),
        (Channel.SLACK, f"https://hooks.slack-gov.com/services/T1/B2/{TOKEN}", None),
        (Channel.WEBHOOK, f"http://127.0.0.1:8123/hook?token={TOKEN}", "http://127.0.0.1:8123"),
        (Channel.WEBHOOK, f"HTTPS://Alerts.Example.org/{TOKEN}", "https://alerts.example.org"),
        (Channel.TEAMS, f"https://prod-01.westus.logic.azure.com/workflows/{TOKEN}", None),
    ],
)
def test_an_address_is_kept_whole_and_shown_by_its_host(
    channel: Channel, url: str, origin: str | None
) -> None:
    target = webhook_target(channel, f"  {url}\n")
    assert target.url.get_secret_value().lower() == url.lower()
    assert TOKEN not in target.masked and TOKEN not in repr(target)
    if origin:
        assert target.masked == f"{origin}/…"


@pytest.mark.parametrize(
    ("channel", "url"),
    [
        (Channel.WEBHOOK, ""),
        (Channel.WEBHOOK, "not a url"),
        (Channel.WEBHOOK, "ftp://example.org/hook"),
        (Channel.WEBHOOK, "example.org/hook"),
        (Channel.WEBHOOK, f"https://alerts:{TOKEN}@example.org/hook"),
        (Channel.WEBHOOK, "https://example.org:99999/hook"),
        (Channel.WEBHOOK, "https://example.org/{{subject}}"),
        (Channel.WEBHOOK, "https://example.org/" + "a" * 2_000),
        (Channel.SLACK, f"http://hooks.slack.com/services/T0/B0/{TOKEN}"),
        (Channel.SLACK, f"https://hooks.slack.com.evil.example/services/T0/B0/{TOKEN}"),
        (Channel.SLACK, f"https://hooks.slack.com/workflows/{TOKEN}"),
        (Channel.TEAMS, f"http://prod-01.westus.logic.azure.com/workflows/{TOKEN}"),
    ],
)
def test_a_bad_address_is_refused_without_showing_it(channel: Channel, url: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        webhook_target(channel, url)
    assert refused.value.code == "INVALID_WEBHOOK_URL"
    assert TOKEN not in refused.value.message
    assert "cannot be used" in refused.value.message
