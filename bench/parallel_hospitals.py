"""Benchmark: imports of different hospitals at once against the same number one after another.

    .venv/bin/python bench/parallel_hospitals.py [--hospitals 4]

Each import is a whole `schedcu import --json` process (the example template, one month; the
hospitals have no Amion address, so phase 2 ends at once with a warning) against a Prefect server
started here and a PostgreSQL database created here on 127.0.0.1:5432 (user postgres;
SCHEDCU_BENCH_POSTGRES_URL to change), dropped afterwards. Prints the wall time of N hospitals'
imports started together, of N more started one after the other, and their ratio: on 2 cores
CPU-bound work gains 2x at best. tests/reliability/test_concurrency.py shows that such runs
overlap (no lock shared between hospitals); this measures what the overlap is worth.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SCHEDCU = str(Path(sys.executable).parent / "schedcu")
START_ARGS = ("--start", "2026-03-01", "--json")


def imports_at_once(env: dict[str, str], hospitals: list[str], template: Path) -> float:
    """Wall seconds from starting one import process per hospital to the last one's end."""
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            [SCHEDCU, "import", "--hospital", code, "--ods", str(template), *START_ARGS],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for code in hospitals
    ]
    for process in processes:
        out, err = process.communicate(timeout=600)
        if process.returncode != 0 or json.loads(out)["status"] != "COMPLETED":
            raise RuntimeError(f"an import did not complete:\n{err.decode()[-3000:]}")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hospitals", type=int, default=4)
    args = parser.parse_args()

    from schedcu.db import create_db_engine
    from schedcu.examples.template_ods import write_example_template
    from schedcu.hospitals import add_hospital
    from tests.utils.databases import scratch_postgres_url
    from tests.utils.prefect_server import prefect_environment, running_prefect_server

    admin = os.environ.get("SCHEDCU_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    with (
        tempfile.TemporaryDirectory() as folder,
        scratch_postgres_url(admin, "schedcu_bench") as url,
        running_prefect_server(Path(folder) / "prefect-server") as api_url,
    ):
        home = Path(folder)
        env = prefect_environment(home / "prefect-client", api_url) | {
            "SCHEDCU_DATABASE_URL": url,
            "SCHEDCU_HOME": str(home / "schedcu"),
            "PREFECT_LOGGING_LEVEL": "WARNING",
        }
        template = write_example_template(home / "template.ods")
        engine = create_db_engine(url)
        codes = [f"bench-{uuid.uuid4().hex[:8]}" for _ in range(2 * args.hospitals)]
        for code in codes:
            add_hospital(engine, code=code)
        engine.dispose()
        parallel = imports_at_once(env, codes[: args.hospitals], template)
        serial = sum(imports_at_once(env, [code], template) for code in codes[args.hospitals :])
    print(
        f"{args.hospitals} hospitals at once: {parallel:.1f} s; one after the other: "
        f"{serial:.1f} s; ratio {parallel / serial:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
