"""Reading a template or a roster from a local path or a URL, bounded like a local file.

A URL's file is downloaded in chunks into a spooled temporary file (memory up to `SPOOL_BYTES`,
then disk), at most `limit` bytes and within the settings' time-out, and hashed on the way. The
caller gets a seekable stream: phase 1's archive checks (schedcu/ods/archive.py) run on those
bytes before anything is parsed or written, exactly as on a local file.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from schedcu.config import MB, Settings
from schedcu.errors import StorageUnavailable, TemplateTooLarge
from schedcu.storage.faults import storage_error
from schedcu.storage.filesystems import open_filesystem
from schedcu.storage.location import Location

CHUNK = 1 * MB
SPOOL_BYTES = 16 * MB


@dataclass(frozen=True, slots=True)
class Opened:
    """An opened file: its bytes from the start, SHA-256 and size."""

    stream: BinaryIO
    sha256: str
    size: int


@contextmanager
def opened(where: Location, settings: Settings, *, what: str, limit: int) -> Iterator[Opened]:
    """The file at `where`, read whole (at most `limit` bytes) and hashed, rewound."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        if where.path is not None:
            with where.path.open("rb") as handle:
                digest, size = _copy(handle, spool, where, what=what, limit=limit)
        else:
            digest, size = _download(where, spool, settings, what=what, limit=limit)
        spool.seek(0)
        yield Opened(spool, digest, size)  # type: ignore[arg-type]


def _download(
    where: Location, spool: BinaryIO, settings: Settings, *, what: str, limit: int
) -> tuple[str, int]:
    assert where.url is not None
    timeout = settings.storage_timeout_s
    try:
        fs, path = open_filesystem(where.url, timeout=timeout)
        with fs.open(path, "rb") as remote:
            return _copy(remote, spool, where, what=what, limit=limit, deadline=timeout)
    except Exception as exc:
        raise storage_error(exc, what=what, where=where.public) from None


def _copy(
    source: BinaryIO,
    target: BinaryIO,
    where: Location,
    *,
    what: str,
    limit: int,
    deadline: float | None = None,
) -> tuple[str, int]:
    """Copy at most `limit` bytes, hashing them; a longer file is TemplateTooLarge, a download
    taking longer than `deadline` seconds (each read is bounded by the protocol's own time-out)
    StorageUnavailable."""
    digest = hashlib.sha256()
    size = 0
    began = time.monotonic()
    while chunk := source.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise TemplateTooLarge(
                f"The {what} {where.name} is larger than the limit of {limit:,} bytes "
                "(SCHEDCU_ODS_MAX_CONTENT_BYTES)."
            )
        digest.update(chunk)
        target.write(chunk)
        if deadline is not None and time.monotonic() - began > deadline:
            raise StorageUnavailable(
                f"The download of the {what} from {where.public} took longer than {deadline:g} s "
                "(SCHEDCU_STORAGE_TIMEOUT_S); the run tries again.",
                code="STORAGE_TIMEOUT",
            )
    return digest.hexdigest(), size
