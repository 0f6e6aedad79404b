"""The Playwright client against the simulator, with the session's real Chromium."""

from __future__ import annotations

import asyncio
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from schedcu.amion.client import MonthExport, download_exports, translate_playwright_error
from schedcu.amion.simulator import AmionSimulator
from schedcu.errors import (
    AmionBadCode,
    AmionError,
    AmionLoginFailed,
    AmionTransient,
    AmionUnexpectedResponse,
    is_transient,
)
from tests.amion.conftest import CODE, EXAMPLE_MONTHS, fast_settings
from tests.utils.browser import BrowserThread

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def download(
    amion: AmionSimulator,
    chromium: BrowserThread,
    months: list[tuple[int, int]] = EXAMPLE_MONTHS,
    code: str = CODE,
    **settings: object,
) -> list[MonthExport]:
    return chromium.run(
        lambda browser: download_exports(
            base_url=amion.url,
            code=code,
            months=list(months),
            settings=fast_settings(**settings),
            browser=browser,
        )
    )


def assert_secret_free(error: AmionError) -> None:
    texts = ["".join(traceback.format_exception(error)), repr(error), str(error.location)]
    if error.evidence is not None:
        texts += [str(error.evidence.url), error.evidence.html or ""]
        assert CODE.encode() not in (error.evidence.screenshot_png or b"")
    assert all(CODE not in text for text in texts)


def test_a_multi_month_download_returns_each_export_exactly(
    amion: AmionSimulator, chromium: BrowserThread
) -> None:
    exports = download(amion, chromium)
    assert [(e.year, e.month) for e in exports] == EXAMPLE_MONTHS
    for export in exports:
        expected = amion.export_text(export.year, export.month).decode()
        assert export.text == expected
        assert export.url.endswith(f"Lo=***&Rpt=619&Month={export.month}&Year={export.year}")
    assert sorted(amion.export_requests) == EXAMPLE_MONTHS


def test_concurrency_is_bounded_by_the_setting(
    amion: AmionSimulator, chromium: BrowserThread
) -> None:
    amion.configure(delay=0.3, scope="export")
    months = [(2026, m) for m in range(1, 9)]
    started = time.monotonic()
    download(amion, chromium, months=months, amion_concurrency=3)
    elapsed = time.monotonic() - started
    assert amion.max_exports_in_flight == 3
    assert elapsed < 8 * 0.3  # requests overlapped


def test_the_request_rate_is_bounded(amion: AmionSimulator, chromium: BrowserThread) -> None:
    started = time.monotonic()
    download(amion, chromium, months=[(2026, m) for m in range(1, 5)], amion_requests_per_second=5)
    assert time.monotonic() - started >= 3 / 5


def test_a_wrong_code_fails_the_login_with_evidence(
    amion: AmionSimulator, chromium: BrowserThread
) -> None:
    with pytest.raises(AmionLoginFailed) as caught:
        download(amion, chromium, code="not-the-code")
    error = caught.value
    assert not is_transient(error)
    assert amion.export_requests == []
    assert error.evidence is not None and error.evidence.screenshot_png.startswith(PNG_SIGNATURE)
    assert "not valid" in error.evidence.html and 'type="password"' in error.evidence.html
    assert "not-the-code" not in error.evidence.html


def test_no_file_for_the_exports_is_a_bad_code(
    amion: AmionSimulator, chromium: BrowserThread
) -> None:
    amion.configure(wrong_code=True)
    with pytest.raises(AmionBadCode) as caught:
        download(amion, chromium)
    assert not is_transient(caught.value)
    assert caught.value.evidence is not None and "NOFI" in caught.value.evidence.html
    assert_secret_free(caught.value)


def test_503_for_the_first_requests_is_transient_and_a_retry_succeeds(
    amion: AmionSimulator, chromium: BrowserThread
) -> None:
    amion.configure(fail_first=2, scope="export")
    with pytest.raises(AmionTransient, match="HTTP 503") as caught:
        download(amion, chromium)
    assert is_transient(caught.value)
    assert "503 Service Unavailable" in (caught.value.evidence.html or "")
    assert_secret_free(caught.value)
    exports = download(amion, chromium)  # what the task's retry policy does next
    assert [(e.year, e.month) for e in exports] == EXAMPLE_MONTHS


def test_503_on_the_front_page_is_transient(amion: AmionSimulator, chromium: BrowserThread) -> None:
    amion.configure(fail_first=1)
    with pytest.raises(AmionTransient, match="HTTP 503"):
        download(amion, chromium)
    assert len(download(amion, chromium)) == 2


def test_a_delay_beyond_the_timeout_is_transient(
    amion: AmionSimulator, chromium: BrowserThread
) -> None:
    amion.configure(delay=1.0, scope="export")
    started = time.monotonic()
    with pytest.raises(AmionTransient, match="did not answer in time") as caught:
        download(amion, chromium, amion_timeout_s=0.2)
    assert time.monotonic() - started < 1.0 + 2.0
    assert isinstance(caught.value.__cause__, PlaywrightTimeoutError)
    assert_secret_free(caught.value)


def test_a_truncated_export_is_transient(amion: AmionSimulator, chromium: BrowserThread) -> None:
    amion.configure(truncate=True)
    with pytest.raises(AmionTransient) as caught:
        download(amion, chromium)
    assert caught.value.location in {"Amion 2026-03", "Amion 2026-04"}
    assert_secret_free(caught.value)


def test_html_instead_of_the_export_is_unexpected_with_the_title(
    amion: AmionSimulator, chromium: BrowserThread
) -> None:
    amion.configure(html_instead=True)
    with pytest.raises(AmionUnexpectedResponse, match="Scheduled maintenance") as caught:
        download(amion, chromium)
    assert not is_transient(caught.value)
    evidence = caught.value.evidence
    assert evidence is not None and "down for scheduled maintenance" in evidence.html
    assert evidence.screenshot_png.startswith(PNG_SIGNATURE)
    assert evidence.url is not None and "Lo=***" in evidence.url


def test_the_tab_variant_downloads_too(amion: AmionSimulator, chromium: BrowserThread) -> None:
    amion.configure(tab_separated=True)
    exports = download(amion, chromium, months=[(2026, 3)])
    assert "\t" in exports[0].text


def test_an_unreachable_amion_is_transient(chromium: BrowserThread) -> None:
    from tests.utils.prefect_server import free_port

    with pytest.raises(AmionTransient):
        chromium.run(
            lambda browser: download_exports(
                base_url=f"http://127.0.0.1:{free_port()}",
                code=CODE,
                months=[(2026, 3)],
                settings=fast_settings(),
                browser=browser,
            )
        )


def test_without_a_browser_one_is_launched_and_closed(amion: AmionSimulator) -> None:
    """As a Prefect task runs it: in a worker thread, with a browser of its own."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        exports = pool.submit(
            download_exports,
            base_url=amion.url,
            code=CODE,
            months=[(2026, 3)],
            settings=fast_settings(),
        ).result()
    assert len(exports) == 1


def test_sync_playwright_inside_a_running_event_loop_is_an_amion_error(
    amion: AmionSimulator,
) -> None:
    async def inside_a_loop() -> None:
        download_exports(
            base_url=amion.url, code=CODE, months=[(2026, 3)], settings=fast_settings()
        )

    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(asyncio.run, inside_a_loop())
        with pytest.raises(AmionError, match="starting Chromium"):
            future.result()


@pytest.mark.parametrize(
    ("playwright_error", "expected", "transient"),
    [
        (
            PlaywrightTimeoutError(f"Timeout 200ms exceeded. GET /cgi-bin/ocs?Lo={CODE}"),
            AmionTransient,
            True,
        ),
        (
            PlaywrightError(f"apiRequestContext.get: read ECONNRESET Lo={CODE}"),
            AmionTransient,
            True,
        ),
        (
            PlaywrightError("page.goto: net::ERR_CONNECTION_REFUSED at http://x/"),
            AmionTransient,
            True,
        ),
        (PlaywrightError("Target page, context or browser has been closed"), AmionError, False),
        (PlaywrightError(f"Unknown failure for {CODE}"), AmionError, False),
    ],
)
def test_every_playwright_error_maps_to_an_amion_error_without_the_code(
    playwright_error: PlaywrightError, expected: type[AmionError], transient: bool
) -> None:
    error = translate_playwright_error(playwright_error, code=CODE, action="testing")
    assert type(error) is expected and error.transient is transient
    assert type(error.__cause__) is type(playwright_error)
    assert CODE not in str(error) and CODE not in str(error.__cause__)


def test_a_closed_browser_is_transient() -> None:
    from playwright._impl._errors import TargetClosedError

    error = translate_playwright_error(TargetClosedError(), code=CODE, action="testing")
    assert isinstance(error, AmionTransient)


def test_the_playwright_error_classes_are_all_mapped() -> None:
    """A new public Playwright error class must be added to the mapping and to this test."""
    import playwright.sync_api as api

    public = {
        name
        for name in api.__all__
        if isinstance(getattr(api, name), type) and issubclass(getattr(api, name), Exception)
    }
    assert public == {"Error", "TimeoutError"}


def test_a_closed_browser_is_an_amion_error_not_a_playwright_one(amion: AmionSimulator) -> None:
    from playwright.sync_api import sync_playwright

    from schedcu.amion.browser import launch_browser

    def scrape_with_a_closed_browser() -> None:
        with sync_playwright() as playwright:
            browser = launch_browser(playwright, fast_settings())
            browser.close()
            download_exports(
                base_url=amion.url,
                code=CODE,
                months=[(2026, 3)],
                settings=fast_settings(),
                browser=browser,
            )

    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(scrape_with_a_closed_browser)
        with pytest.raises(AmionTransient, match="browser went away while opening"):
            future.result()
