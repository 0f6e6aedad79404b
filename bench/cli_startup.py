"""Benchmark: how long a coordinator waits for the CLI when no Prefect server runs.

    .venv/bin/python bench/cli_startup.py [--runs 5]

Each command runs as its own process (the installed `schedcu`), with a fresh PREFECT_HOME and no
PREFECT_API_URL. Baselines measured in the same run: `python -c pass` (the interpreter's own
start) and `python -c "import prefect"` (what any command that talks to Prefect pays first).
Measured: every `--help`, `schedcu status` for a hospital with no run, and how long
`schedcu import` takes to say that it must start a temporary server (the process is stopped
once it has said so). Goal: each under 1 s (status and --help), the hint at once.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEDCU = str(Path(sys.executable).parent / "schedcu")
GOAL_S = 1.0
COMMANDS = {
    "schedcu --help": ["--help"],
    "schedcu status --help": ["status", "--help"],
    "schedcu import --help": ["import", "--help"],
    "schedcu hospital --help": ["hospital", "--help"],
    "schedcu coverage --help": ["coverage", "--help"],
    "schedcu ods --help": ["ods", "--help"],
    "schedcu status (no run)": ["status", "--hospital", "cumc-radiology"],
}


def _environment(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    return env | {
        "PREFECT_HOME": str(work / "prefect-home"),
        "SCHEDCU_HOME": str(work / "home"),
        "DO_NOT_TRACK": "1",
    }


def _timed(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    began = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - began


def _time_to_hint(env: dict[str, str], work: Path) -> float:
    """Seconds until `schedcu import` prints its no-server line; then it is stopped."""
    from schedcu.examples.template_ods import write_example_template

    template = write_example_template(work / "template.ods")
    argv = [SCHEDCU, "import", "--ods", str(template), "--hospital", "bench-cli",
            "--start", "2026-03-01", "--amion-url", "http://127.0.0.1:9"]  # fmt: skip
    began = time.perf_counter()
    process = subprocess.Popen(argv, env=env, cwd=work, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        for line in process.stderr:
            if "no Prefect server" in line:
                return time.perf_counter() - began
        raise SystemExit("schedcu import never said that it starts a temporary server")
    finally:
        process.kill()  # the one process started here; its temporary server goes with it
        process.wait()


def _spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} s (range {min(values):.2f}-{max(values):.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    with tempfile.TemporaryDirectory(prefix="cli-startup-") as folder:
        work = Path(folder)
        env = _environment(work)
        python = [sys.executable, "-c"]
        timings: dict[str, list[float]] = {"python -c pass": [], "python -c 'import prefect'": []}
        timings |= {name: [] for name in COMMANDS}
        for _ in range(args.runs):  # in turns, so that a burst of load touches every command
            timings["python -c pass"].append(_timed([*python, "pass"], env, work))
            timings["python -c 'import prefect'"].append(
                _timed([*python, "import prefect"], env, work)
            )
            for name, argv in COMMANDS.items():
                timings[name].append(_timed([SCHEDCU, *argv], env, work))
        hint = [_time_to_hint(env, work) for _ in range(min(args.runs, 3))]

    load = os.getloadavg()[0]
    print(f"CLI start-up without a Prefect server, {args.runs} runs each (load {load:.1f}):")
    base = statistics.median(timings["python -c pass"])
    for name, values in timings.items():
        median = statistics.median(values)
        verdict = "" if name.startswith("python") else (
            f"  goal < {GOAL_S:.0f} s: {'met' if median < GOAL_S else 'NOT met'}"
        )  # fmt: skip
        print(f"  {name:<30} {_spread(values)}  {median / base:5.1f}x python{verdict}")
    print(f"  {'import: the no-server line':<30} {_spread(hint)}  (then it starts the server)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
