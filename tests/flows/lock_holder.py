"""Run in a separate process by test_hospital_lock: hold a hospital's slot inside a flow run and
write when it was entered and left (wall clock) to a file."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from prefect import flow

from flows.hospital_lock import hospital_slot


@flow(name="hold-hospital-slot")
def hold_hospital_slot(hospital: str, seconds: float, out: str) -> None:
    with hospital_slot(hospital):
        entered = time.time()
        time.sleep(seconds)
        left = time.time()
    Path(out).write_text(f"{entered} {left}")


if __name__ == "__main__":
    hold_hospital_slot(sys.argv[1], float(sys.argv[2]), sys.argv[3])
