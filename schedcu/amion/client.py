"""Download Amion month exports with Playwright's async API and headless Chromium (AMION.md).

One browser per scrape (`schedcu.amion.browser.open_browser`: connected over CDP or launched),
one context per call: open the front page, type the access code into the password field,
submit, and check that the schedule page (no password field) came back. The exports are then
fetched through the context's request API, which shares the session cookie, several at once
(`settings.amion_concurrency`, one coroutine per month under a semaphore), at a bounded rate
(`settings.amion_requests_per_second`), each with `settings.amion_timeout_s`.

`fetch_exports` is the coroutine, for a browser the caller holds; `download_exports` is the plain
function for synchronous callers (the Prefect task): it opens the browser, runs the coroutine to
completion on an event loop of its own and returns the exports.

Errors: `AmionLoginFailed`, `AmionBadCode` and `AmionUnexpectedResponse` are permanent;
`AmionTransient` (time-outs, 429, 5xx, resets, a browser that went away) may be retried by the
caller. Playwright's errors become these in `translate_playwright_error` only. A failure carries
`AmionEvidence`: a screenshot of the page with the code masked, and the HTML it shows. The code
itself never reaches a log line, a message or an evidence: URLs read `Lo=***`.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hashlib
import html as html_lib
import logging
import time
from collections.abc import Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

from schedcu.amion.export import check_export_body, export_location
from schedcu.amion.masking import mask
from schedcu.config import Settings
from schedcu.errors import (
    AmionError,
    AmionEvidence,
    AmionLoginFailed,
    AmionTransient,
    AmionUnexpectedResponse,
)

if TYPE_CHECKING:
    from playwright.async_api import APIRequestContext, Browser, BrowserContext, Page, Response
    from playwright.async_api import Error as PlaywrightError

logger = logging.getLogger(__name__)

T = TypeVar("T")
EXPORT_PATH = "/cgi-bin/ocs"
_TRANSIENT_MARKERS = (
    "ECONNRESET",
    "ECONNREFUSED",
    "ECONNABORTED",
    "EPIPE",
    "ETIMEDOUT",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "socket hang up",
    "net::ERR_",
    "aborted",
    "Connection closed",
)
# Playwright's messages when the page, context or browser is gone (closed, crashed, killed).
_BROWSER_GONE_MARKERS = (
    "has been closed",
    "Target closed",
    "Target crashed",
    "context disposed",
    "Browser closed",
    "Playwright connection closed",
)


@dataclass(frozen=True, slots=True)
class MonthExport:
    """One downloaded month: the export's text as Amion sent it, and its URL (code masked)."""

    year: int
    month: int
    text: str
    url: str
    sha256: str


def export_url(base_url: str, code: str, year: int, month: int) -> str:
    query = urlencode({"Lo": code, "Rpt": "619", "Month": month, "Year": year})
    return f"{base_url.rstrip('/')}{EXPORT_PATH}?{query}"


def download_exports(
    *,
    base_url: str,
    code: str,
    months: list[tuple[int, int]],
    settings: Settings,
) -> list[MonthExport]:
    """Log in to Amion at `base_url` with `code` and download the exports of `months`, in order.

    The browser is the one `settings` name (SCHEDCU_CHROMIUM_CDP_URL) or one launched for this
    call. A plain function: it runs the download on an event loop of its own, so it may be
    called from any thread, one running an event loop too (a sync Prefect task in an async flow).
    """
    return run_to_completion(_download(base_url, code, months, settings))


def run_to_completion(coroutine: Coroutine[Any, Any, T]) -> T:
    """`coroutine`'s result, run on a new event loop: in this thread, or in a thread of its own
    when this one already runs a loop (asyncio allows one running loop per thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(1, thread_name_prefix="amion") as pool:
        return pool.submit(contextvars.copy_context().run, asyncio.run, coroutine).result()


async def _download(
    base_url: str, code: str, months: list[tuple[int, int]], settings: Settings
) -> list[MonthExport]:
    from playwright.async_api import Error as PlaywrightError

    from schedcu.amion.browser import open_browser, opening_action

    try:
        async with open_browser(settings) as browser:
            return await fetch_exports(
                browser, base_url=base_url, code=code, months=months, settings=settings
            )
    except PlaywrightError as exc:  # fetch_exports translates its own; these are the browser's
        failure = translate_playwright_error(exc, code=code, action=opening_action(settings))
    raise failure


def translate_playwright_error(exc: PlaywrightError, *, code: str, action: str) -> AmionError:
    """The Amion error for a Playwright error met while doing `action` (the one mapping).

    The returned error's `__cause__` is a copy of `exc` of the same class whose text has the
    code masked (and no session cookie), without `exc`'s frames, whose arguments hold the code:
    the chain stays readable and holds no secret. Raise it outside the `except` block, so the
    unmasked original is not kept as context either.
    """
    from playwright.async_api import TimeoutError as PlaywrightTimeoutError

    text = "\n".join(
        line for line in mask(str(exc.message), code).splitlines() if "cookie" not in line.lower()
    )
    first_line = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    error: AmionError
    if isinstance(exc, PlaywrightTimeoutError):
        error = AmionTransient(f"Amion did not answer in time while {action}.")
    elif any(marker in text for marker in _BROWSER_GONE_MARKERS):
        error = AmionTransient(f"The browser went away while {action}.")
    elif any(marker in text for marker in _TRANSIENT_MARKERS):
        error = AmionTransient(f"A connection failed while {action} ({first_line}).")
    else:
        error = AmionError(f"The browser failed while {action}: {first_line}")
    error.__cause__ = type(exc)(text)
    return error


async def fetch_exports(
    browser: Browser,
    *,
    base_url: str,
    code: str,
    months: Sequence[tuple[int, int]],
    settings: Settings,
) -> list[MonthExport]:
    """Log in and download the exports of `months`, in order, in a new context of `browser`
    (which stays open). Raises AmionError (see the module docstring), never a Playwright error."""
    from playwright.async_api import Error as PlaywrightError

    masked_base = mask(base_url, code)
    context: BrowserContext | None = None
    page: Page | None = None
    action = "opening a browser page"
    try:
        try:
            context = await browser.new_context()
            page = await context.new_page()
            action = "logging in to Amion"
            await log_in(page, base_url, code, settings)
            logger.info("Logged in to Amion at %s", masked_base)
            action = "downloading the month exports"
            exports = await fetch_months(context.request, base_url, code, months, settings)
            logger.info("Downloaded %d Amion month exports from %s", len(exports), masked_base)
            return exports
        except PlaywrightError as exc:
            failure: AmionError = translate_playwright_error(exc, code=code, action=action)
        except AmionError as exc:
            failure = exc
        if page is not None:
            failure.evidence = await _capture_evidence(
                browser, page, code, failure.evidence, settings
            )
        logger.warning("Amion scrape failed: %s: %s", failure.code, failure.message)
        raise failure
    finally:
        if context is not None:
            with contextlib.suppress(PlaywrightError):  # a browser that went away is closed
                await context.close()


async def log_in(page: Page, base_url: str, code: str, settings: Settings) -> None:
    """Type the code into the front page and check the schedule page came back."""
    timeout_ms = settings.amion_login_timeout_s * 1000
    page.set_default_timeout(timeout_ms)
    page.set_default_navigation_timeout(timeout_ms)
    _check_page_status(await page.goto(base_url, wait_until="domcontentloaded"), "opening", code)
    password = page.locator(settings.amion_password_selector)
    if await password.count() == 0:
        raise AmionUnexpectedResponse(
            f"Amion's front page ('{await page.title()}') has no access code field "
            f"({settings.amion_password_selector}); the login page may have changed.",
            evidence=AmionEvidence(url=mask(page.url, code)),
        )
    async with page.expect_navigation(wait_until="domcontentloaded") as navigation:
        await password.first.fill(code)
        await password.first.press("Enter")
    _check_page_status(await navigation.value, "logging in to", code)
    if await page.locator(settings.amion_password_selector).count() > 0:
        raise AmionLoginFailed(
            "Amion refused the access code: the login page came back. Check the hospital's "
            "Amion access code.",
            evidence=AmionEvidence(url=mask(page.url, code)),
        )


def _check_page_status(response: Response | None, doing: str, code: str) -> None:
    if response is None:
        return
    _check_status(response.status, f"{doing} Amion's page", mask(response.url, code))


def _check_status(status: int, what: str, masked_url: str) -> None:
    if status == 429 or status >= 500:
        raise AmionTransient(
            f"Amion is busy or unavailable (HTTP {status}) while {what}; it will be tried again.",
            location=masked_url,
        )
    if status >= 400:
        raise AmionUnexpectedResponse(
            f"Amion answered HTTP {status} while {what}.", location=masked_url
        )


@dataclass(frozen=True, slots=True)
class _RawResponse:
    year: int
    month: int
    status: int
    body: bytes


async def fetch_months(
    request: APIRequestContext,
    base_url: str,
    code: str,
    months: Sequence[tuple[int, int]],
    settings: Settings,
) -> list[MonthExport]:
    """The exports of `months` through `request` (a logged-in context's), in order: at most
    `amion_concurrency` in flight, starts spaced by the rate limit, each with the time-out."""
    from playwright.async_api import Error as PlaywrightError

    timeout_ms = settings.amion_timeout_s * 1000
    limiter = _RateLimiter(settings.amion_requests_per_second)
    semaphore = asyncio.Semaphore(max(1, settings.amion_concurrency))

    async def fetch_one(year: int, month: int) -> _RawResponse:
        async with semaphore:
            await limiter.wait()
            response = await request.get(
                export_url(base_url, code, year, month),
                timeout=timeout_ms,
                fail_on_status_code=False,
                max_retries=0,
            )
            try:
                return _RawResponse(year, month, response.status, await response.body())
            finally:
                await response.dispose()

    results = await asyncio.gather(
        *(fetch_one(year, month) for year, month in months), return_exceptions=True
    )
    exports: list[MonthExport] = []
    for (year, month), result in zip(months, results, strict=True):
        where = export_location(year, month)
        if isinstance(result, PlaywrightError):
            failure = translate_playwright_error(
                result, code=code, action=f"downloading the {where} export"
            )
            failure.location = where
            raise failure
        if isinstance(result, BaseException):
            raise result
        exports.append(_month_export(result, base_url, code))
    return exports


def _month_export(raw: _RawResponse, base_url: str, code: str) -> MonthExport:
    url = mask(export_url(base_url, code, raw.year, raw.month), code)
    text = raw.body.decode("utf-8", errors="replace")
    try:
        where = export_location(raw.year, raw.month)
        _check_status(raw.status, f"downloading the {where} export", url)
        check_export_body(text, year=raw.year, month=raw.month)
    except AmionError as exc:  # what Amion sent instead is the evidence
        exc.evidence = AmionEvidence(url=url, html=mask(text, code))
        raise
    return MonthExport(
        year=raw.year,
        month=raw.month,
        text=text,
        url=url,
        sha256=hashlib.sha256(raw.body).hexdigest(),
    )


class _RateLimiter:
    """Request starts at least 1/rate seconds apart (no limit when rate <= 0)."""

    def __init__(self, per_second: float) -> None:
        self._interval = 1.0 / per_second if per_second > 0 else 0.0
        self._next = 0.0

    async def wait(self) -> None:
        now = time.monotonic()
        start = max(now, self._next)
        self._next = start + self._interval
        if start > now:
            await asyncio.sleep(start - now)


async def _capture_evidence(
    browser: Browser, page: Page, code: str, known: AmionEvidence | None, settings: Settings
) -> AmionEvidence:
    """Screenshot and HTML of what Amion showed, code masked, for the coordinator.

    What Amion showed is the page's HTML, or, when the failure came from an export, its body
    (`known.html`). Its masked text is what the screenshot is taken of, and the evidence's HTML
    is that page's DOM at the moment of the screenshot.
    """
    from playwright.async_api import Error as PlaywrightError

    evidence = known or AmionEvidence(url=None)
    try:
        url = evidence.url or mask(page.url, code)
        sent = evidence.html if evidence.html is not None else await page.content()
        shown = sent if "<" in sent else f"<pre>{html_lib.escape(sent)}</pre>"
        timeout_ms = settings.amion_login_timeout_s * 1000
        html, png = await _screenshot(browser, mask(shown, code), timeout_ms)
    except PlaywrightError as exc:
        logger.warning("No screenshot of the failed Amion page: %s", mask(exc.message, code))
        return evidence
    return replace(evidence, url=url, html=html, screenshot_png=png)


async def _screenshot(browser: Browser, html: str, timeout_ms: float) -> tuple[str, bytes]:
    """`html` shown in a new context with JavaScript off, so that no script of Amion's page can
    write the code back: the page's DOM at the moment of the screenshot, and the screenshot."""
    context = await browser.new_context(java_script_enabled=False)
    try:
        context.set_default_timeout(timeout_ms)
        page = await context.new_page()
        await page.set_content(html, wait_until="domcontentloaded")
        png = await page.screenshot(full_page=True, type="png")
        return await page.content(), png
    finally:
        await context.close()
