"""Coverage fixtures: one Chromium for the session, driven from its own thread.

Playwright's sync API refuses to start while another sync Playwright runs in the same thread
(other areas keep session browsers too); a dedicated thread keeps this one independent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

import pytest

from schedcu.config import Settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

T = TypeVar("T")


class BrowserThread:
    """A headless Chromium living in one worker thread; `run(fn)` calls `fn(browser)` there."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="coverage-chromium")
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._pool.submit(self._start).result()

    def _start(self) -> None:
        from playwright.sync_api import sync_playwright

        from schedcu.amion.browser import launch_browser

        self._playwright = sync_playwright().start()
        self._browser = launch_browser(self._playwright, Settings())

    def run(self, fn: Callable[[Browser], T]) -> T:
        assert self._browser is not None
        browser = self._browser
        return self._pool.submit(fn, browser).result()

    def close(self) -> None:
        def stop() -> None:
            if self._browser is not None:
                self._browser.close()
            if self._playwright is not None:
                self._playwright.stop()

        self._pool.submit(stop).result()
        self._pool.shutdown()


@pytest.fixture(scope="session")
def chromium_thread() -> Iterator[BrowserThread]:
    browser = BrowserThread()
    yield browser
    browser.close()
