"""Benchmark: how long `parse_template` takes to refuse each hostile file of issue 3.

    .venv/bin/python bench/ods_hostile.py [--repeat 5]

The tests (tests/ods/test_hostile.py) bound the work by counting lines of Python and the memory
with tracemalloc; the time, which a loaded machine stretches, is measured here: best wall and CPU
time of `--repeat` refusals per file (the goal of issue 3: each well under 2 s).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from schedcu.errors import SpreadsheetError  # noqa: E402
from schedcu.ods import parse_template  # noqa: E402
from tests.ods.hostile import HOSTILE  # noqa: E402


def best_refusal(path: Path, repeat: int) -> tuple[float, float, str]:
    """Best wall and CPU seconds of `repeat` refusals, and the code refused with."""
    walls, cpus, code = [], [], ""
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            parse_template(path)
        except SpreadsheetError as err:
            code = err.code
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus), code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'file':32} {'code':20} {'wall ms':>8} {'cpu ms':>8}")
        for case, (build, _code) in HOSTILE.items():
            wall, cpu, code = best_refusal(build(Path(folder) / f"{case}.ods"), args.repeat)
            print(f"{case:32} {code:20} {wall * 1000:8.2f} {cpu * 1000:8.2f}")


if __name__ == "__main__":
    main()
