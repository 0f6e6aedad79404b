"""The test session's one headless Chromium, served over the Chrome DevTools Protocol.

Started once, as a shared browser service would be, with the product's own flags; every scrape
of the session connects to it through the product's setting `chromium_cdp_url`
(SCHEDCU_CHROMIUM_CDP_URL), so it saves Chromium's start-up and nothing is shared behind the
product's back. The benchmarks use it the same way; `with_browser` lends it to a test that
drives a page itself.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from schedcu.amion.browser import CHROMIUM_ARGS, find_chromium
from schedcu.config import Settings
from tests.utils.processes import stop_process_group

if TYPE_CHECKING:
    from playwright.sync_api import Browser

T = TypeVar("T")
START_TIMEOUT_S = 60.0


@contextmanager
def chromium_service(user_data_dir: Path) -> Iterator[str]:
    """A headless Chromium listening for DevTools connections on 127.0.0.1; yields its
    endpoint (`ws://127.0.0.1:<port>/devtools/browser/<id>`) and stops it at the end."""
    user_data_dir.mkdir(parents=True, exist_ok=True)
    port_file = user_data_dir / "DevToolsActivePort"
    port_file.unlink(missing_ok=True)  # a reused folder's is stale
    command = [
        str(asyncio.run(_executable())),
        "--headless",
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        f"--user-data-dir={user_data_dir}",
        *CHROMIUM_ARGS,
        "about:blank",
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield _endpoint(process, port_file)
    finally:
        stop_process_group(process, timeout=10)


async def _executable() -> Path:
    """The Chromium the product would launch (Playwright's own is known to a running one)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        return find_chromium(Settings(), playwright)


def _endpoint(process: subprocess.Popen[bytes], port_file: Path) -> str:
    """Chromium writes its port and browser path to `DevToolsActivePort` once it listens (the
    file behind the `DevTools listening on ws://...` line of its stderr)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Chromium ended with {process.returncode} before listening")
        lines = port_file.read_text().splitlines() if port_file.is_file() else []
        if len(lines) >= 2:
            return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        time.sleep(0.05)
    raise RuntimeError(f"Chromium did not listen within {START_TIMEOUT_S:.0f} s")


def with_browser(cdp_url: str, fn: Callable[[Browser], T]) -> T:
    """`fn(browser)` with the Chromium at `cdp_url` through Playwright's sync API, in a thread
    of its own (the sync API makes its thread look as if it ran an event loop)."""

    def connected() -> T:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.connect_over_cdp(cdp_url)
            try:
                return fn(browser)
            finally:
                browser.close()

    with ThreadPoolExecutor(1, thread_name_prefix="chromium") as pool:
        return pool.submit(connected).result()
