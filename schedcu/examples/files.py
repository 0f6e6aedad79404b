"""The example department as files a person can use: the template, the roster and a schedule
file for the Amion simulator (`schedcu examples write DIR`, `make demo`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from schedcu.examples.amion_month import months_from, write_roster, write_schedule_file
from schedcu.examples.template_ods import write_example_template

TEMPLATE_NAME = "example-template.ods"
ROSTER_NAME = "example-roster.yaml"
SCHEDULE_NAME = "example-schedule.csv"


@dataclass(frozen=True, slots=True)
class ExampleFiles:
    template: Path
    roster: Path
    schedule: Path


def write_examples(folder: Path, *, start: dt.date, months: int) -> ExampleFiles:
    """Write the three files into `folder` (created if missing); the schedule covers `months`
    months from `start`'s month. Existing files of the same names are replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    return ExampleFiles(
        template=write_example_template(folder / TEMPLATE_NAME),
        roster=write_roster(folder / ROSTER_NAME),
        schedule=write_schedule_file(folder / SCHEDULE_NAME, months_from(start, months)),
    )
