"""Reading the real template from S3 (moto), SFTP (OpenSSH) and https (a stdlib server with its
own CA and a netrc login) against reading it from disk.

Each round downloads (or opens) the template through `schedcu.storage.fetch.opened` and parses
it, as phase 1 does before it writes. The sources take turns within each round (so a burst of
load on the machine hits them alike); best of ROUNDS each, printed with the ratio to the local
read measured in the same run. Run from the checkout: `.venv/bin/python bench/storage_import.py`.
"""

from __future__ import annotations

import os
import shutil
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
from tests.utils.storage_servers import running_https, running_moto, running_sshd

TEMPLATE = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "cuSchedNormalized.ods"
ROUNDS = 7


def read_once(where: str, settings: Settings) -> float:
    began = time.perf_counter()
    with opened(location(where), settings, what="template", limit=200 * 2**20) as file:
        parse_template(file.stream, settings=settings)
    return time.perf_counter() - began


def best_of_rounds(sources: dict[str, str], settings: Settings) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in sources}
    for _ in range(ROUNDS):
        for name, where in sources.items():
            times[name].append(read_once(where, settings))
    return {name: min(taken) for name, taken in times.items()}


def main() -> None:
    settings = Settings()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for name in ("moto", "sshd", "https", "files"):
            (folder / name).mkdir()
        shutil.copyfile(TEMPLATE, folder / "files" / "t.ods")
        with (
            running_https(folder / "files", folder / "https", user="bench", password="b") as web,
            running_moto(folder / "moto", check_credentials=False) as s3,
            running_sshd(folder / "sshd") as sftp,
        ):
            # aiohttp reads SSL_CERT_FILE once, when it is imported (by the first s3 or https
            # read): the CA must be in the environment before that.
            if "aiohttp" in sys.modules:
                raise RuntimeError("aiohttp was imported before SSL_CERT_FILE was set")
            os.environ["SSL_CERT_FILE"] = str(web.ca_file)
            os.environ["NETRC"] = str(web.netrc(folder / "netrc"))
            os.environ.update(s3.environment())
            s3.client().put_object(Bucket=s3.bucket, Key="t.ods", Body=TEMPLATE.read_bytes())
            fsspec.config.conf["sftp"] = {"key_filename": str(sftp.key_file)}
            sources = {
                "local": str(TEMPLATE),
                "s3": s3.url("t.ods"),
                "sftp": sftp.url(TEMPLATE),
                "https": web.url("t.ods"),
            }
            took = best_of_rounds(sources, settings)
            for name, seconds in took.items():
                ratio = seconds / took["local"]
                print(f"{name:7} {seconds * 1000:7.1f} ms  {ratio:.1f}x the local read")


if __name__ == "__main__":
    main()
