"""Run by test_amion_faults in a child process: the Amion simulator with every export delayed, so
the test can SIGKILL the whole process while an export is on its way.

Prints the simulator's URL, then `EXPORT IN FLIGHT` once an export request is being served.
The access code comes from SCHEDCU_AMION_CODE (never the command line).
"""

from __future__ import annotations

import os
import sys
import time

from schedcu.amion.simulator import AmionSimulator, Faults
from schedcu.examples.amion_month import example_roster, schedule_for

POLL_S = 0.01


def main(delay: float) -> None:
    simulator = AmionSimulator(
        roster=example_roster(),
        schedule=schedule_for([(2026, 3)]),
        code=os.environ["SCHEDCU_AMION_CODE"],
        faults=Faults(delay=delay, scope="export"),
    )
    with simulator:
        print(simulator.url, flush=True)
        while simulator.max_exports_in_flight == 0:
            time.sleep(POLL_S)
        print("EXPORT IN FLIGHT", flush=True)
        time.sleep(delay * 10)


if __name__ == "__main__":
    main(float(sys.argv[1]))
