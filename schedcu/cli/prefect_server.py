"""Whether a command has a Prefect server to talk to, told without importing Prefect.

Importing Prefect takes one to several seconds and starting its temporary server fifteen or
more, so the commands first look at what they can see for nothing: the environment, and the
files through which Prefect's settings could name a server or move the temporary server's
database (`.env`, `prefect.toml`, `pyproject.toml`'s `[tool.prefect]` in the current folder, the
profiles file). When any of those might say something, the command leaves the decision to Prefect
itself, as before; the fast answers are only given where nothing could contradict them.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

START_ONCE = (
    "Run `prefect server start` once (it keeps running) and "
    "export PREFECT_API_URL=http://127.0.0.1:4200/api to have one"
)
# Environment variables that point Prefect at another profile or another database.
_ELSEWHERE_VARIABLES = (
    "PREFECT_PROFILE",
    "PREFECT_PROFILES_PATH",
    "PREFECT_SERVER_DATABASE_CONNECTION_URL",
    "PREFECT_API_DATABASE_CONNECTION_URL",
)
# What, in a settings file, could name a server or move the temporary server's database.
_SETTING_WORDS = ("PREFECT_API_URL", "DATABASE")


def server_named(environ: Mapping[str, str]) -> bool:
    """PREFECT_API_URL is set: the commands use that server (Prefect reports if it is down)."""
    return bool(environ.get("PREFECT_API_URL"))


def _prefect_home(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("PREFECT_HOME") or "~/.prefect").expanduser()


def _mentions(path: Path, words: tuple[str, ...]) -> bool:
    try:
        text = path.read_text(errors="replace")
    except OSError:  # absent (the usual case) or unreadable: Prefect would not read it either
        return False
    return any(word in text for word in words)


def _settings_elsewhere(environ: Mapping[str, str], folder: Path) -> bool:
    """A settings source other than the environment might name a server or a database."""
    if any(environ.get(name) for name in _ELSEWHERE_VARIABLES):
        return True
    if (folder / ".env").exists() or (folder / "prefect.toml").exists():
        return True
    if _mentions(folder / "pyproject.toml", ("tool.prefect",)):
        return True
    return _mentions(_prefect_home(environ) / "profiles.toml", _SETTING_WORDS)


def no_server_configured(environ: Mapping[str, str], folder: Path) -> bool:
    """Certain that Prefect has no server here: a flow would need its temporary one."""
    return not server_named(environ) and not _settings_elsewhere(environ, folder)


def no_run_recorded(environ: Mapping[str, str], folder: Path) -> bool:
    """Certain that no flow run can exist: no server is configured and the temporary server's
    database (`$PREFECT_HOME/prefect.db`, Prefect's default) was never created."""
    return (
        no_server_configured(environ, folder)
        and not (_prefect_home(environ) / "prefect.db").exists()
    )


def say_no_server(situation: str) -> None:
    """One line on stderr, before any slow work: there is no server, and how to have one."""
    print(
        f"schedcu: no Prefect server is set (PREFECT_API_URL): {situation}. {START_ONCE}.",
        file=sys.stderr,
        flush=True,
    )
