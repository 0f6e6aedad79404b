"""Finding and launching the headless Chromium that phase 2 drives.

Lookup order: `settings.chromium` (SCHEDCU_CHROMIUM), then Playwright's own browser when its
executable exists, then a `chromium` on the PATH (Debian's package). Playwright is imported only
by callers that launch, so `schedcu --help` stays light.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from schedcu.config import Settings
from schedcu.errors import ConfigurationError

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


class ChromiumNotFound(ConfigurationError):
    code = "CHROMIUM_NOT_FOUND"


def find_chromium(settings: Settings, playwright: Playwright | None = None) -> Path:
    """The Chromium executable to launch (see the module docstring for the order)."""
    if settings.chromium is not None:
        if settings.chromium.is_file():
            return settings.chromium
        raise ChromiumNotFound(
            f"SCHEDCU_CHROMIUM names {settings.chromium}, which does not exist; "
            "point it at a Chromium executable or unset it."
        )
    if playwright is not None:
        bundled = Path(playwright.chromium.executable_path)
        if bundled.is_file():
            return bundled
    system = shutil.which("chromium") or shutil.which("chromium-browser")
    if system:
        return Path(system)
    raise ChromiumNotFound(
        "No Chromium was found: run `make test` or `make demo` (they install one), "
        "or set SCHEDCU_CHROMIUM to a Chromium executable."
    )


def launch_browser(playwright: Playwright, settings: Settings) -> Browser:
    """A headless Chromium; the caller closes it."""
    return playwright.chromium.launch(
        executable_path=find_chromium(settings, playwright),
        headless=True,
        args=list(CHROMIUM_ARGS),
    )
