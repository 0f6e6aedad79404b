"""Where a run may read files from (SCHEDCU_TEMPLATE_SOURCES): folders and URL prefixes.

A path is allowed when, resolved (`..` and symlinks followed), it lies inside one of the source
folders. A URL is allowed when it has a source prefix's scheme, host and port, and its path is
the prefix's path or lies below it segment by segment (`s3://bucket/templates` allows
`s3://bucket/templates/cumc.ods`, not `s3://bucket/templates-old/x.ods`); a URL whose path has a
`.` or `..` segment (percent-encoded or not) is never allowed, and the user name in a URL plays
no part (`https://allowed.example@evil.example/` is evil.example's).

The check is about the name only: it says neither whether the file exists nor what it is, so a
refusal tells the caller nothing about the worker's files.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit

from schedcu.errors import ConfigurationError, TemplateSourceNotAllowed
from schedcu.storage.location import Location, location

_DEFAULT_PORTS = {"http": 80, "https": 443, "sftp": 22, "ssh": 22}


def allowed_location(where: Location, sources: Sequence[str], *, what: str) -> Location:
    """`where` (a local path resolved) when it lies inside one of `sources`; else
    TemplateSourceNotAllowed."""
    given = [location(source) for source in sources]
    if where.path is not None:
        resolved = where.path.resolve()
        folders = [source.path.resolve() for source in given if source.path is not None]
        if any(resolved.is_relative_to(folder) for folder in folders):
            return Location(path=resolved)
    elif where.url is not None:
        prefixes = [source.url for source in given if source.url is not None]
        if any(_url_inside(where.url, prefix) for prefix in prefixes):
            return where
    shown = ", ".join(source.public for source in given)
    raise TemplateSourceNotAllowed(
        f"A run started from a deployment may read the {what} only from the template sources "
        f"({shown}); put the file there or ask an administrator to add its folder or address "
        "to SCHEDCU_TEMPLATE_SOURCES."
    )


def _url_inside(url: str, prefix: str) -> bool:
    try:
        candidate, source = urlsplit(url), urlsplit(prefix)
        if _origin(candidate) != _origin(source):
            return False
    except ValueError:  # a port that is not a number
        return False
    segments = _segments(candidate.path)
    allowed = _segments(source.path)
    if segments is None or allowed is None:
        return False
    return segments[: len(allowed)] == allowed


def _origin(parts: SplitResult) -> tuple[str, str, int | None]:
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(scheme)


def _segments(path: str) -> list[str] | None:
    """The path's segments, decoded (a leading and a trailing `/` aside); None when one is empty,
    `.` or `..`, or holds a `/` or a backslash once decoded (ways around the segment check)."""
    segments = [unquote(raw) for raw in path.removeprefix("/").removesuffix("/").split("/")]
    if segments == [""]:
        return []
    if any(s in ("", ".", "..") or "/" in s or "\\" in s for s in segments):
        return None
    return segments


def readable_file(path: str | Path, *, what: str, code: str) -> Path:
    """`path` when it is a regular file this process may read (not a folder, device or FIFO,
    which would block or never end); else a ConfigurationError with `code`."""
    path = Path(path)
    if not path.is_file() or not os.access(path, os.R_OK):
        raise ConfigurationError(
            f"The {what} {path.name!r} is not a readable file at {path.parent}.", code=code
        )
    return path
