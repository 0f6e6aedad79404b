"""The headless Chromium that phase 2 drives: connected to, or found and launched.

With `settings.chromium_cdp_url` (SCHEDCU_CHROMIUM_CDP_URL) a scrape connects to that running
Chromium over the Chrome DevTools Protocol (a shared browser service, or a warm browser that
saves the start-up) and only disconnects at the end. Otherwise it launches its own and closes it;
the executable: `settings.chromium` (SCHEDCU_CHROMIUM), then Playwright's own browser when its
executable exists, then a `chromium` on the PATH (Debian's package). Playwright is imported only
when a browser is opened, so `schedcu --help` stays light.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

from schedcu.config import Settings
from schedcu.errors import ChromiumNotFound

if TYPE_CHECKING:
    from playwright.async_api import Browser, Playwright

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


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


def opening_action(settings: Settings) -> str:
    """What opening the browser is, in a coordinator's error sentence."""
    if settings.chromium_cdp_url:
        return "connecting to the Chromium of SCHEDCU_CHROMIUM_CDP_URL"
    return "starting Chromium"


@contextlib.asynccontextmanager
async def open_browser(settings: Settings) -> AsyncIterator[Browser]:
    """A Chromium for one scrape: connected over CDP or launched (see the module docstring).

    At the end a launched browser is closed; a connected one keeps running, and only the
    contexts made through this connection are closed with it.
    """
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        if settings.chromium_cdp_url:
            browser = await playwright.chromium.connect_over_cdp(settings.chromium_cdp_url)
        else:
            browser = await playwright.chromium.launch(
                executable_path=find_chromium(settings, playwright),
                headless=True,
                args=list(CHROMIUM_ARGS),
            )
        try:
            yield browser
        finally:
            with contextlib.suppress(PlaywrightError):  # a browser that went away is closed
                await browser.close()
