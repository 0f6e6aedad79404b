"""Benchmark: how long a department waits for an alert, from the run's end to the message.

    .venv/bin/python bench/alert_latency.py [--runs 5]

A Prefect server started here on 127.0.0.1 (its automation services as shipped), a hospital's
alerts set up as `schedcu alerts setup --webhook` does, and a webhook receiver on 127.0.0.1.
Each round runs a flow that emits `schedcu.coverage.gap-opened` as its last step (as a refresh
does), then waits for the message: measured from the emission and from the flow call's return
(the run's end as its caller sees it) to the message's arrival. Baseline, measured in the same
run: the same notification block sending directly from this process (one HTTP POST), so the
ratio is what the event, the trigger and the action add.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TZ = "America/New_York"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from tests.utils.prefect_server import (
        isolated_bench_environment,
        prefect_environment,
        running_prefect_server,
    )
    from tests.utils.receiver import webhook_receiver

    home = isolated_bench_environment(ROOT / ".bench" / "alert_latency", "unused")
    with running_prefect_server(home / "prefect-server") as api_url, webhook_receiver() as inbox:
        os.environ |= prefect_environment(home / "prefect-client", api_url)
        emitted, ended, direct = _measure(inbox, args.runs)

    e, r, d = (statistics.median(values) for values in (emitted, ended, direct))
    print(
        f"alert latency, median of {args.runs} (s): emission -> message {e:.2f} "
        f"(max {max(emitted):.2f}); run's end -> message {r:+.2f} (max {max(ended):+.2f}; "
        "negative: the message came before the flow call returned)"
    )
    print(f"  direct notify from the client {d:.3f} s; ratio alert/direct {e / d:.1f}x")
    return 0


def _measure(inbox, runs: int) -> tuple[list[float], list[float], list[float]]:
    from prefect import flow
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    from flows.alert_automations import alerts_name, setup_alerts
    from flows.alerts import emit_gap_opened
    from schedcu.config import get_settings
    from schedcu.coverage.summary import Gap
    from schedcu.db import get_engine, upgrade
    from schedcu.hospitals import add_hospital
    from schedcu.models import CoverageStatus
    from schedcu.webhooks import Channel, webhook_target

    engine = get_engine(get_settings())
    upgrade(engine)
    code = f"bench-{uuid.uuid4().hex[:6]}"
    add_hospital(engine, code=code, timezone=TZ)
    setup_alerts(code, webhook_target(Channel.WEBHOOK, f"{inbox.url}/{code}"))
    emitted_at: list[float] = []

    @flow(name="bench-alert")
    def refresh_end(index: int) -> None:
        start = dt.datetime.now(dt.UTC) + dt.timedelta(days=2, hours=index)
        gap = Gap("Allen MR Neuro", start, start + dt.timedelta(hours=2), CoverageStatus.UNSTAFFED)
        emitted_at.append(time.monotonic())
        emit_gap_opened(code, [gap], TZ)

    refresh_end(-1)  # the automation is in the triggers' cache, the flow imported
    inbox.until(lambda message: True, 120)
    emitted, ended, direct = [], [], []
    for index in range(runs):
        refresh_end(index)
        returned = time.monotonic()
        message = inbox.until(lambda message: True, 120)[-1]
        emitted.append(message.arrived - emitted_at[-1])
        ended.append(message.arrived - returned)
    block = CustomWebhookNotificationBlock.load(alerts_name(code))
    for _ in range(runs):
        began = time.monotonic()
        block.notify("direct", subject="direct")
        direct.append(inbox.until(lambda message: True, 30)[-1].arrived - began)
    return emitted, ended, direct


if __name__ == "__main__":
    raise SystemExit(main())
