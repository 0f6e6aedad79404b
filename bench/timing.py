"""Wall and CPU time of what a benchmark measures, for a machine shared with other work.

On a loaded machine (2 cores, load 15-25) wall time is inflated 5-20x by waiting for a core,
while CPU time (user + system) counts only the work done. Each benchmark prints both; its goals
are judged on ratios measured in the same run, on CPU time where the load dominates wall time.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Timing:
    """Seconds of wall time and of CPU time (user + system) of one measurement."""

    wall: float
    cpu: float


@dataclass(slots=True)
class Clock:
    """Filled in when the `measured()` block ends."""

    timing: Timing = field(default_factory=lambda: Timing(0.0, 0.0))


@contextmanager
def measured() -> Iterator[Clock]:
    """Wall and CPU time of this process (all its threads) over the block."""
    clock = Clock()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield clock
    finally:
        clock.timing = Timing(time.perf_counter() - wall, time.process_time() - cpu)


def run_measured(argv: list[str], **popen: Any) -> Timing:
    """Run a process to its end: its wall time and its CPU time, from `os.wait4`'s rusage
    (the process and the children it waited for)."""
    began = time.perf_counter()
    process = subprocess.Popen(argv, **popen)
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - began
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, argv)
    return Timing(wall, usage.ru_utime + usage.ru_stime)


def spread(values: list[float], unit: str = "s") -> str:
    """`1.23 s (1.10-1.50)`: the median and the range."""
    return f"{statistics.median(values):.2f} {unit} ({min(values):.2f}-{max(values):.2f})"


def load_note() -> str:
    """The load average, and how to read the figures at it."""
    load = os.getloadavg()[0]
    return (
        f"load {load:.1f} on {os.cpu_count()} cores: wall times are inflated by the load; "
        "goals are judged on ratios of one run, on CPU time where the load dominates"
    )


def tree_cpu_seconds() -> float:
    """CPU time (user + system) so far of this process and every process it started that still
    runs (a Prefect server, a browser), read from /proc (Linux): what the work under measure costs
    wherever it runs."""
    total = sum(os.times()[:2])
    pending = _children(os.getpid())
    while pending:
        pid = pending.pop()
        total += process_cpu_seconds(pid)
        pending += _children(pid)
    return total


def process_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) so far of the process `pid` (0 once it has ended), from /proc:
    also another user's process on this machine, such as a PostgreSQL backend."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        threads = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for thread in threads:
        try:
            found += [int(child) for child in (thread / "children").read_text().split()]
        except OSError:
            continue
    return found
