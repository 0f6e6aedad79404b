"""`make demo`: the whole job on a fresh machine, said in plain words as it goes.

It writes the project's example template and roster to SCHEDCU_HOME, starts the bundled Amion
simulator on a free port of 127.0.0.1 (with a random access code, given to the import through
SCHEDCU_AMION_CODE), runs `schedcu import` for next month, prints where the reports are; then, as
on a second day, a person drops a shift in Amion and `schedcu refresh` says what changed. It stops
the simulator at the end. Prefect runs in-process: a temporary local server (about 10 s to start)
unless PREFECT_API_URL names a running one. Telemetry is off.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

from schedcu.amion.schedule_file import ScheduleEntry
from schedcu.amion.simulator import AmionSimulator
from schedcu.calendar import first_of_next_month
from schedcu.config import get_settings
from schedcu.db import get_engine, masked_url
from schedcu.examples.data import HOSPITAL_CODE


def main() -> int:
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ["SCHEDCU_AMION_CODE"] = f"demo-{secrets.token_urlsafe(9)}"
    get_settings.cache_clear()

    from schedcu.amion.roster import load_roster
    from schedcu.amion.schedule_file import load_schedule
    from schedcu.cli import main as schedcu
    from schedcu.examples.files import write_examples
    from schedcu.hospitals import point_at_amion

    settings = get_settings()
    start = first_of_next_month(settings.timezone)
    files = write_examples(settings.home / "examples", start=start, months=1)
    print(f"schedcu demo: database {masked_url(settings.resolved_database_url)}")
    print(f"schedcu demo: example template {files.template.resolve()}")
    print(f"schedcu demo: importing {HOSPITAL_CODE} for {start:%B %Y}")
    assert settings.amion_code is not None
    schedule = load_schedule(files.schedule)
    with AmionSimulator(
        roster=load_roster(files.roster),
        schedule=schedule,
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
                "--ods", str(files.template),
                "--hospital", HOSPITAL_CODE,
                "--start", start.isoformat(),
                "--months", "1",
                "--roster", str(files.roster),
                "--user", "demo",
            ]
        )  # fmt: skip
        if code == 0:
            code = _second_day(schedcu, amion, schedule, files.roster, start)
    print(f"schedcu demo: reports in {settings.resolved_reports_url}")
    outcome = "done" if code == 0 else "the import failed (see the messages above)"
    print(f"schedcu demo: the simulated Amion is stopped; {outcome}.")
    if not os.environ.get("PREFECT_API_URL"):
        print(
            "schedcu demo: to follow runs in the Prefect UI, keep a server that asks who you are: "
            "PREFECT_SERVER_API_AUTH_STRING=user:password .venv/bin/prefect server start "
            "(README, 'A real Prefect server')."
        )
    return code


def _second_day(
    schedcu: Callable[[list[str]], int],
    amion: AmionSimulator,
    schedule: list[ScheduleEntry],
    roster: Path,
    start: dt.date,
) -> int:
    """A day later: someone drops their MidC shift in the period's second week; the refresh
    reads Amion again and prints what changed."""
    week_two = start + dt.timedelta(days=7)
    dropped = next(e for e in schedule if e.position == "MidC" and e.date >= week_two)
    print(
        f"\nschedcu demo: a day later, {dropped.name} drops {dropped.position} on "
        f"{dropped.date:%a %d %b} in Amion; refreshing..."
    )
    amion.serve_schedule([entry for entry in schedule if entry is not dropped])
    sys.stdout.flush()
    return schedcu(["refresh", "--hospital", HOSPITAL_CODE, "--roster", str(roster)])


if __name__ == "__main__":
    raise SystemExit(main())
