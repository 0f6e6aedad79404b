"""The test session's one headless Chromium, owned by a thread of its own.

Playwright's sync API allows one instance per thread, and the thread it runs in then looks as if
it ran an event loop, which turns Prefect's sync calls there into coroutines. So the browser lives
in a worker thread and tests hand it work: `run(fn)` calls `fn(browser)` in that thread, in a copy
of the caller's context (which carries the Prefect API settings).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from schedcu.config import Settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser

T = TypeVar("T")


class BrowserThread:
    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="chromium")
        self._playwright, self._browser = self._pool.submit(self._start).result()

    @staticmethod
    def _start() -> tuple[Any, Browser]:
        from playwright.sync_api import sync_playwright

        from schedcu.amion.browser import launch_browser

        playwright = sync_playwright().start()
        return playwright, launch_browser(playwright, Settings())

    def run(self, fn: Callable[[Browser], T]) -> T:
        """`fn(browser)`, called in the browser's thread; its result or its exception."""
        context = contextvars.copy_context()
        return self._pool.submit(context.run, fn, self._browser).result()

    def close(self) -> None:
        def stop() -> None:
            self._browser.close()
            self._playwright.stop()

        self._pool.submit(stop).result()
        self._pool.shutdown()
