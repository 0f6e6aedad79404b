"""Reading the real template from S3 (moto) and SFTP (OpenSSH) against reading it from disk.

Each round downloads (or opens) the template through `schedcu.storage.fetch.opened` and parses
it, as phase 1 does before it writes; best of ROUNDS, printed with the ratio to the local read
measured in the same run. Run from the checkout: `.venv/bin/python bench/storage_import.py`.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import fsspec.config

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from schedcu.config import Settings
from schedcu.ods.parse import parse_template
from schedcu.storage.fetch import opened
from schedcu.storage.location import location
from tests.utils.storage_servers import running_moto, running_sshd

TEMPLATE = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "cuSchedNormalized.ods"
ROUNDS = 7


def best(where: str, settings: Settings) -> float:
    times = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        with opened(location(where), settings, what="template", limit=200 * 2**20) as file:
            parse_template(file.stream, settings=settings)
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    settings = Settings()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "moto").mkdir()
        (folder / "sshd").mkdir()
        with (
            running_moto(folder / "moto", check_credentials=False) as s3,
            running_sshd(folder / "sshd") as sftp,
        ):
            os.environ.update(s3.environment())
            s3.client().put_object(Bucket=s3.bucket, Key="t.ods", Body=TEMPLATE.read_bytes())
            fsspec.config.conf["sftp"] = {"key_filename": str(sftp.key_file)}
            local = best(str(TEMPLATE), settings)
            print(f"local   {local * 1000:7.1f} ms  1.0x")
            for name, url in (("s3", s3.url("t.ods")), ("sftp", sftp.url(TEMPLATE))):
                took = best(url, settings)
                print(f"{name:7} {took * 1000:7.1f} ms  {took / local:.1f}x the local read")


if __name__ == "__main__":
    main()
