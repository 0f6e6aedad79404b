"""`make demo`: the whole job on a fresh machine, said in plain words as it goes.

It writes the project's example template and roster to SCHEDCU_HOME, starts the bundled Amion
simulator on a free port of 127.0.0.1 (with a random access code, given to the import through
SCHEDCU_AMION_CODE), runs `schedcu import` for next month, prints where the reports are, and
stops the simulator. Prefect runs in-process: a temporary local server (about 10 s to start)
unless PREFECT_API_URL names a running one. Telemetry is off.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sys
from zoneinfo import ZoneInfo

from schedcu.calendar import add_months, months_in, period_end
from schedcu.config import get_settings
from schedcu.db import get_engine, masked_url


def _next_month(timezone: str) -> dt.date:
    today = dt.datetime.now(ZoneInfo(timezone)).date()
    return add_months(today.replace(day=1), 1)


def main() -> int:
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ["SCHEDCU_AMION_CODE"] = f"demo-{secrets.token_urlsafe(9)}"
    get_settings.cache_clear()

    from schedcu.amion.simulator import AmionSimulator
    from schedcu.cli import main as schedcu
    from schedcu.examples.amion_month import example_roster, schedule_for
    from schedcu.examples.data import HOSPITAL_CODE
    from schedcu.examples.template_ods import write_example_template
    from schedcu.hospitals import point_at_amion

    settings = get_settings()
    examples = settings.home / "examples"
    template = write_example_template(examples / "example-template.ods")
    roster = example_roster().dump(examples / "demo-roster.yaml")
    start = _next_month(settings.timezone)
    period = months_in(start, period_end(start, 1))
    print(f"schedcu demo: database {masked_url(settings.resolved_database_url)}")
    print(f"schedcu demo: example template {template.resolve()}")
    print(f"schedcu demo: importing {HOSPITAL_CODE} for {start:%B %Y}")
    assert settings.amion_code is not None
    with AmionSimulator(
        roster=example_roster(),
        schedule=schedule_for(period),
        code=settings.amion_code.get_secret_value(),
    ) as amion:
        print(f"schedcu demo: simulated Amion at {amion.url}")
        point_at_amion(get_engine(settings), code=HOSPITAL_CODE, amion_base_url=amion.url)
        if not os.environ.get("PREFECT_API_URL"):
            print("schedcu demo: starting a temporary Prefect server (about 10 s)...")
        sys.stdout.flush()
        code = schedcu(
            [
                "import",
                "--ods", str(template),
                "--hospital", HOSPITAL_CODE,
                "--start", start.isoformat(),
                "--months", "1",
                "--roster", str(roster),
                "--user", "demo",
            ]
        )  # fmt: skip
    print(f"schedcu demo: reports folder {settings.resolved_reports_dir.resolve()}")
    outcome = "done" if code == 0 else "the import failed (see the messages above)"
    print(f"schedcu demo: the simulated Amion is stopped; {outcome}.")
    if not os.environ.get("PREFECT_API_URL"):
        print(
            "schedcu demo: to follow runs in the Prefect UI, keep a server that asks who you are: "
            "PREFECT_SERVER_API_AUTH_STRING=user:password .venv/bin/prefect server start "
            "(README, 'A real Prefect server')."
        )
    return code


if __name__ == "__main__":
    raise SystemExit(main())
