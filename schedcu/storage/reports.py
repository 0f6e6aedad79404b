"""Putting a report where its readers are: a local folder or any fsspec URL
(SCHEDCU_REPORTS_URL), each file whole, so a reader never sees half a file.

A local folder and a file share (SFTP) get the file under a temporary name, then a rename to its
name (atomic on one filesystem); an object store (S3 and the like) gets one upload, which the
store shows only once complete. Each report also gets a link for the run's artifacts: a presigned
https address where the storage can sign one (S3; valid SCHEDCU_REPORT_LINK_DAYS), else its
address as text.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from schedcu.config import Settings
from schedcu.storage.faults import storage_error
from schedcu.storage.filesystems import open_filesystem, protocol_of
from schedcu.storage.location import location, public_url

# Protocols whose files can be renamed: written under a temporary name first, then moved.
RENAMING = {"sftp", "ssh", "ftp", "smb"}
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True, slots=True)
class PublishedReport:
    """A report where it was put: its name, its address (a local path, or the URL without
    credentials) and the link its artifact shows."""

    name: str
    where: str
    link: str

    @property
    def folder(self) -> str:
        return self.where.rpartition("/")[0]


def _clean(name: str) -> str:
    return "/".join(part for part in name.split("/") if part not in ("", ".", ".."))


def report_address(target: str, name: str) -> str:
    """Where `publish_report` puts `name` in `target`: a local path, or the URL without
    credentials."""
    place = location(target)
    if place.path is not None:
        return str((place.path / _clean(name)).resolve())
    assert place.url is not None
    return f"{public_url(place.url).rstrip('/')}/{_clean(name)}"


def publish_report(local: Path, target: str, name: str, settings: Settings) -> PublishedReport:
    """Put the finished file `local` at `target`/`name` (`name` may hold one `/`-separated
    subfolder; empty, `.` and `..` parts are dropped), whole."""
    name = _clean(name)
    place = location(target)
    if place.path is not None:
        final = place.path / name
        final.parent.mkdir(parents=True, exist_ok=True)
        partial = final.with_name(f".{final.name}.{uuid.uuid4().hex}.partial")
        shutil.copyfile(local, partial)
        partial.replace(final)
        final = final.resolve()
        return PublishedReport(final.name, str(final), final.as_uri())
    assert place.url is not None
    where = report_address(target, name)
    try:
        fs, root = open_filesystem(place.url, timeout=settings.storage_timeout_s)
        path = f"{root.rstrip('/')}/{name}"
        if protocol_of(place.url) in RENAMING:
            folder, _, base = path.rpartition("/")
            fs.makedirs(folder, exist_ok=True)
            partial = f"{folder}/.{base}.{uuid.uuid4().hex}.partial"
            fs.put_file(str(local), partial)
            fs.mv(partial, path)
        else:
            fs.put_file(str(local), path)
        link = _signed(fs, path, settings) or where
    except Exception as exc:
        raise storage_error(exc, what=f"report {Path(name).name}", where=where) from None
    return PublishedReport(Path(name).name, where, link)


def _signed(fs: object, path: str, settings: Settings) -> str | None:
    """A presigned address of `path`, when the filesystem can make one."""
    try:
        return fs.sign(path, expiration=int(settings.report_link_days * SECONDS_PER_DAY))  # type: ignore[attr-defined]
    except NotImplementedError:
        return None
