"""Download Amion month exports with Playwright's sync API and headless Chromium (AMION.md).

One browser per scrape (or the caller's, for tests), one context per call: open the front page,
type the access code into the password field, submit, and check that the schedule page (no
password field) came back. The exports are then fetched through the context's request API, which
shares the session cookie, several at once (`settings.amion_concurrency`), at a bounded rate
(`settings.amion_requests_per_second`), each with `settings.amion_timeout_s`.

Errors: `AmionLoginFailed`, `AmionBadCode` and `AmionUnexpectedResponse` are permanent;
`AmionTransient` (time-outs, 429, 5xx, resets, a browser that went away) may be retried by the
caller. Playwright's errors become these in `translate_playwright_error` only. A failure carries
`AmionEvidence`: the page's HTML and a screenshot, with the code masked. The code itself never
reaches a log line, a message or an evidence: URLs read `Lo=***`.

The sync API has no way to run several requests at once, so the month downloads run as one
gathered coroutine on Playwright's own event loop (`_run_on_playwright_loop`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import html as html_lib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
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
    from playwright.sync_api import APIRequestContext, Browser, BrowserContext, Page, Response
    from playwright.sync_api import Error as PlaywrightError

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
    browser: Browser | None = None,
) -> list[MonthExport]:
    """Log in to Amion at `base_url` with `code` and download the exports of `months`, in order.

    With `browser` given it is used (and left open); otherwise a headless Chromium is launched
    for this call and closed afterwards.
    """
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    if browser is not None:
        return _download(browser, base_url, code, months, settings)
    from schedcu.amion.browser import launch_browser

    try:
        with sync_playwright() as playwright:
            own_browser = launch_browser(playwright, settings)
            try:
                return _download(own_browser, base_url, code, months, settings)
            finally:
                own_browser.close()
    except PlaywrightError as exc:  # _download translates its own; these are start-up errors
        failure = translate_playwright_error(exc, code=code, action="starting Chromium")
    raise failure


def translate_playwright_error(exc: PlaywrightError, *, code: str, action: str) -> AmionError:
    """The Amion error for a Playwright error met while doing `action` (the one mapping).

    The returned error's `__cause__` is a copy of `exc` of the same class whose text has the
    code masked (and no session cookie), without `exc`'s frames, whose arguments hold the code:
    the chain stays readable and holds no secret. Raise it outside the `except` block, so the
    unmasked original is not kept as context either.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    text = "\n".join(
        line for line in mask(str(exc.message), code).splitlines() if "cookie" not in line.lower()
    )
    first_line = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    error: AmionError
    if isinstance(exc, PlaywrightTimeoutError):
        error = AmionTransient(f"Amion did not answer in time while {action}.")
    elif _is_target_closed(exc):
        error = AmionTransient(f"The browser went away while {action}.")
    elif any(marker in text for marker in _TRANSIENT_MARKERS):
        error = AmionTransient(f"The connection to Amion failed while {action} ({first_line}).")
    else:
        error = AmionError(f"The browser failed while {action}: {first_line}")
    error.__cause__ = type(exc)(text)
    return error


def _is_target_closed(exc: Exception) -> bool:
    from playwright._impl._errors import TargetClosedError

    return isinstance(exc, TargetClosedError)


def _download(
    browser: Browser,
    base_url: str,
    code: str,
    months: Sequence[tuple[int, int]],
    settings: Settings,
) -> list[MonthExport]:
    from playwright.sync_api import Error as PlaywrightError

    masked_base = mask(base_url, code)
    context: BrowserContext | None = None
    page: Page | None = None
    action = "opening a browser page"
    try:
        try:
            context = browser.new_context()
            page = context.new_page()
            action = "logging in to Amion"
            _log_in(page, base_url, code, settings)
            logger.info("Logged in to Amion at %s", masked_base)
            action = "downloading the month exports"
            exports = _fetch_months(context.request, base_url, code, months, settings)
            logger.info("Downloaded %d Amion month exports from %s", len(exports), masked_base)
            return exports
        except PlaywrightError as exc:
            failure: AmionError = translate_playwright_error(exc, code=code, action=action)
        except AmionError as exc:
            failure = exc
        if page is not None:
            failure.evidence = _capture_evidence(page, code, failure.evidence)
        logger.warning("Amion scrape failed: %s: %s", failure.code, failure.message)
        raise failure
    finally:
        if context is not None:
            _close_quietly(context)


def _close_quietly(context: BrowserContext) -> None:
    """Close the context; a browser that already went away has nothing left to close."""
    from playwright.sync_api import Error as PlaywrightError

    with contextlib.suppress(PlaywrightError):
        context.close()


def _log_in(page: Page, base_url: str, code: str, settings: Settings) -> None:
    """Type the code into the front page and check the schedule page came back."""
    timeout_ms = settings.amion_login_timeout_s * 1000
    page.set_default_timeout(timeout_ms)
    page.set_default_navigation_timeout(timeout_ms)
    _check_page_status(page.goto(base_url, wait_until="domcontentloaded"), "opening", code)
    password = page.locator(settings.amion_password_selector)
    if password.count() == 0:
        raise AmionUnexpectedResponse(
            f"Amion's front page ('{page.title()}') has no access code field "
            f"({settings.amion_password_selector}); the login page may have changed.",
            evidence=AmionEvidence(url=mask(page.url, code)),
        )
    with page.expect_navigation(wait_until="domcontentloaded") as navigation:
        password.first.fill(code)
        password.first.press("Enter")
    _check_page_status(navigation.value, "logging in to", code)
    if page.locator(settings.amion_password_selector).count() > 0:
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


def _fetch_months(
    request: APIRequestContext,
    base_url: str,
    code: str,
    months: Sequence[tuple[int, int]],
    settings: Settings,
) -> list[MonthExport]:
    from playwright.sync_api import Error as PlaywrightError

    impl = request._impl_obj
    timeout_ms = settings.amion_timeout_s * 1000
    limiter = _RateLimiter(settings.amion_requests_per_second)

    async def fetch_one(semaphore: asyncio.Semaphore, year: int, month: int) -> _RawResponse:
        async with semaphore:
            await limiter.wait()
            response = await impl.get(
                url=export_url(base_url, code, year, month),
                params=None,
                headers=None,
                data=None,
                form=None,
                multipart=None,
                timeout=timeout_ms,
                fail_on_status_code=False,
                ignore_https_errors=None,
                max_redirects=None,
                max_retries=0,
            )
            try:
                return _RawResponse(year, month, response.status, await response.body())
            finally:
                await response.dispose()

    async def fetch_all() -> list[_RawResponse | BaseException]:
        semaphore = asyncio.Semaphore(max(1, settings.amion_concurrency))
        return await asyncio.gather(
            *(fetch_one(semaphore, year, month) for year, month in months),
            return_exceptions=True,
        )

    results = _run_on_playwright_loop(request, fetch_all)
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


def _run_on_playwright_loop(owner: Any, make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine of Playwright's async implementation from the sync API, to completion.

    `owner` is any sync API object; its `_sync` drives Playwright's event loop the way each sync
    call does, which is the only way to have several requests in flight with the sync API.
    """
    return owner._sync(make())


def _capture_evidence(page: Page, code: str, known: AmionEvidence | None) -> AmionEvidence:
    """Screenshot and HTML of what Amion showed, code masked, for the coordinator.

    When the failure came from an export, its body (`known.html`) is what Amion showed, so it is
    rendered in the page for the screenshot. The page's DOM is replaced by its masked HTML before
    the screenshot, so the picture cannot show the code either.
    """
    from playwright.sync_api import Error as PlaywrightError

    evidence = known or AmionEvidence(url=None)
    try:
        url = evidence.url or mask(page.url, code)
        html = evidence.html if evidence.html is not None else mask(page.content(), code)
        shown = html if "<" in html else f"<pre>{html_lib.escape(html)}</pre>"
        page.set_content(mask(shown, code), wait_until="domcontentloaded")
        png = page.screenshot(full_page=True, type="png")
    except PlaywrightError as exc:
        logger.warning("No screenshot of the failed Amion page: %s", mask(exc.message, code))
        return evidence
    return replace(evidence, url=url, html=html, screenshot_png=png)
