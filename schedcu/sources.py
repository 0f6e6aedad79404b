"""Where a run may read files from: a path is allowed when, resolved (`..` and symlinks
followed), it lies inside one of the allowed sources (SCHEDCU_TEMPLATE_SOURCES).

The check is about the name only: it says neither whether the file exists nor what it is, so a
refusal tells the caller nothing about the worker's files. A later issue adds URL prefixes as
sources; they belong here too.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from schedcu.errors import ConfigurationError, TemplateSourceNotAllowed


def allowed_path(path: str | Path, sources: Sequence[Path], *, what: str) -> Path:
    """`path` resolved, when it lies inside one of `sources`; else TemplateSourceNotAllowed."""
    resolved = Path(path).resolve()
    if not any(resolved.is_relative_to(source.resolve()) for source in sources):
        folders = ", ".join(str(source) for source in sources)
        raise TemplateSourceNotAllowed(
            f"A run started from a deployment may read the {what} only from the template "
            f"sources ({folders}); put the file there or ask an administrator to add its folder "
            "to SCHEDCU_TEMPLATE_SOURCES."
        )
    return resolved


def readable_file(path: str | Path, *, what: str, code: str) -> Path:
    """`path` when it is a regular file this process may read (not a folder, device or FIFO,
    which would block or never end); else a ConfigurationError with `code`."""
    path = Path(path)
    if not path.is_file() or not os.access(path, os.R_OK):
        raise ConfigurationError(
            f"The {what} {path.name!r} is not a readable file at {path.parent}.", code=code
        )
    return path
