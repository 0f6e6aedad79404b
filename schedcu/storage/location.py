"""Where a file is: a local path or a URL that fsspec opens (`s3://`, `sftp://`, `https://`, ...).

A `file://` URL is a local path. A URL keeps what was given (to open it) and shows only its
public form: no user name, password, query or fragment, so a presigned URL's signature or a
token in a query never reaches a log, an error, an artifact or the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit, urlunsplit
from urllib.request import url2pathname

from schedcu.errors import StorageCredentialsInUrl

# A scheme of two or more characters: `C:\templates` is a Windows path, not a URL.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")


@dataclass(frozen=True, slots=True)
class Location:
    """A local `path`, or a `url` (as given, to open it) with its `public` form."""

    path: Path | None = None
    url: str | None = None

    @property
    def is_local(self) -> bool:
        return self.path is not None

    @property
    def public(self) -> str:
        """Where the file is, safe to show and store: the path, or the URL without credentials,
        query or fragment."""
        if self.path is not None:
            return str(self.path)
        assert self.url is not None
        return public_url(self.url)

    @property
    def as_url(self) -> str:
        """The public form as a URL (`file:///...` for a local file), as a version records it."""
        if self.path is not None:
            return self.path.absolute().as_uri()
        return self.public

    @property
    def name(self) -> str:
        """The file's name, as a coordinator knows it (the last segment of the URL's path)."""
        if self.path is not None:
            return self.path.name
        assert self.url is not None
        return PurePosixPath(unquote(urlsplit(self.url).path)).name or self.public

    def __str__(self) -> str:
        return self.public


def is_url(text: str) -> bool:
    return bool(_URL.match(text))


def location(text: str | Path) -> Location:
    """A path or a URL as a Location; `file://` URLs become paths."""
    if isinstance(text, Path) or not is_url(text):
        return Location(path=Path(text))
    parts = urlsplit(text)
    if parts.scheme.lower() == "file":
        return Location(path=Path(url2pathname(parts.path)))
    return Location(url=text)


def without_password(text: str | Path, *, what: str) -> Location:
    """A Location, refusing a URL with a password in it: credentials come from the storage's
    usual places, never from a parameter (which Prefect stores with the flow run)."""
    found = location(text)
    if found.url is not None and _has_password(found.url):
        raise StorageCredentialsInUrl(
            f"The {what}'s address {found.public} holds a password; remove it from the address "
            "and give the credentials as the storage expects them (environment, configuration "
            'file or instance role, see the README\'s "Templates and reports on storage").'
        )
    return found


def _has_password(url: str) -> bool:
    try:
        return urlsplit(url).password is not None
    except ValueError:  # a port that is not a number: treat the whole userinfo as suspect
        return "@" in urlsplit(url).netloc


def public_url(url: str) -> str:
    """`url` without user name, password, query and fragment."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
