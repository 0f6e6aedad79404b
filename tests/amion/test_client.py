"""The Playwright client against the simulator, with the session's real Chromium (over CDP)."""

from __future__ import annotations

import asyncio
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from schedcu.amion.browser import open_browser
from schedcu.amion.client import (
    MonthExport,
    download_exports,
    fetch_exports,
    translate_playwright_error,
)
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
from tests.utils.browser import chromium_service
from tests.utils.prefect_server import free_port

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WRONG_CODE = "not-the-code"
HELD_S = 60.0  # how long a test waits for held exports at most (a failing client, not a slow one)
FOURTH_S = 1.0  # how long a fourth export, sent with the first three if at all, is given


def download(
    amion: AmionSimulator,
    chromium: str,
    months: list[tuple[int, int]] = EXAMPLE_MONTHS,
    code: str = CODE,
    **settings: object,
) -> list[MonthExport]:
    return download_exports(
        base_url=amion.url,
        code=code,
        months=list(months),
        settings=fast_settings(chromium_cdp_url=chromium, **settings),
    )


def assert_secret_free(error: AmionError, code: str = CODE) -> None:
    """No spelling of `code` in the error, its chain, its URL, or the page the screenshot shows
    (`evidence.html` is that page's DOM at the moment of the screenshot)."""
    texts = ["".join(traceback.format_exception(error)), repr(error), str(error.location)]
    if error.evidence is not None:
        texts += [str(error.evidence.url), error.evidence.html or ""]
    assert all(code not in text for text in texts)


def test_a_multi_month_download_returns_each_export_exactly(
    amion: AmionSimulator, chromium: str
) -> None:
    exports = download(amion, chromium)
    assert [(e.year, e.month) for e in exports] == EXAMPLE_MONTHS
    for export in exports:
        expected = amion.export_text(export.year, export.month).decode()
        assert export.text == expected
        assert export.url.endswith(f"Lo=***&Rpt=619&Month={export.month}&Year={export.year}")
    assert sorted(amion.export_requests) == EXAMPLE_MONTHS


def test_exports_overlap_up_to_the_concurrency_setting_and_no_further(
    amion: AmionSimulator, chromium: str
) -> None:
    """The simulator holds every export unanswered: a client that overlaps gets three in flight
    at once, and no fourth while none has ended (a client that allowed more sends it with the
    first three); let go, the eight months end with never more than three in flight. A slow
    machine can only delay a fourth, never make a right client look wrong."""
    months = [(2026, m) for m in range(1, 9)]
    amion.configure(hold_exports=True)
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(download, amion, chromium, months=months, amion_concurrency=3)
        three_at_once = amion.wait_for_exports_in_flight(3, timeout=HELD_S)
        a_fourth = amion.wait_for_exports_in_flight(4, timeout=FOURTH_S)
        amion.configure(hold_exports=False)
        exports = running.result()
    assert three_at_once and not a_fourth
    assert amion.max_exports_in_flight == 3
    assert [(e.year, e.month) for e in exports] == months


def test_export_requests_start_no_faster_than_the_rate_limit(
    amion: AmionSimulator, chromium: str
) -> None:
    """At 5 requests/s the k-th export cannot reach Amion before k/5 s after the login did: the
    client starts its first export after the login's answer and spaces the next ones 1/5 s apart.
    The simulator's clock is the client's (one process), and a slow machine only adds delay."""
    rate = 5.0
    download(
        amion,
        chromium,
        months=[(2026, m) for m in range(1, 5)],
        amion_requests_per_second=rate,
        amion_concurrency=4,
    )
    served = amion.requests
    login = next(r.started for r in served if r.kind == "login")
    exports = sorted(r.started for r in served if r.kind == "export")
    assert len(exports) == 4
    for k, started in enumerate(exports):
        assert started - login >= k / rate - 1e-3, (k, started - login)  # 1 ms: clock rounding


def test_a_wrong_code_fails_the_login_with_the_masked_page_as_evidence(
    amion: AmionSimulator, chromium: str
) -> None:
    amion.configure(echo_code=True)  # the refusal repeats the code it was sent
    with pytest.raises(AmionLoginFailed) as caught:
        download(amion, chromium, code=WRONG_CODE)
    error = caught.value
    assert not is_transient(error)
    assert amion.export_requests == []
    evidence = error.evidence
    assert evidence is not None and evidence.screenshot_png.startswith(PNG_SIGNATURE)
    assert "The access code *** you entered is not valid" in evidence.html
    assert 'type="password"' in evidence.html
    assert_secret_free(error, code=WRONG_CODE)


def test_no_file_for_the_exports_is_a_bad_code(amion: AmionSimulator, chromium: str) -> None:
    amion.configure(wrong_code=True)
    with pytest.raises(AmionBadCode) as caught:
        download(amion, chromium)
    assert not is_transient(caught.value)
    evidence = caught.value.evidence
    assert evidence is not None and evidence.screenshot_png.startswith(PNG_SIGNATURE)
    assert "<pre>NOFI=No file" in evidence.html  # the export's text, as the screenshot shows it
    assert_secret_free(caught.value)


def test_503_for_the_first_requests_is_transient_and_a_retry_succeeds(
    amion: AmionSimulator, chromium: str
) -> None:
    amion.configure(fail_first=2, scope="export")
    with pytest.raises(AmionTransient, match="HTTP 503") as caught:
        download(amion, chromium)
    assert is_transient(caught.value)
    assert "503 Service Unavailable" in (caught.value.evidence.html or "")
    assert_secret_free(caught.value)
    exports = download(amion, chromium)  # what the task's retry policy does next
    assert [(e.year, e.month) for e in exports] == EXAMPLE_MONTHS


def test_503_on_the_front_page_is_transient(amion: AmionSimulator, chromium: str) -> None:
    amion.configure(fail_first=1)
    with pytest.raises(AmionTransient, match="HTTP 503"):
        download(amion, chromium)
    assert len(download(amion, chromium)) == 2


def test_an_export_unanswered_beyond_the_timeout_is_transient(
    amion: AmionSimulator, chromium: str
) -> None:
    """The exports are held, never answered: only the client's time-out can end the call."""
    amion.configure(hold_exports=True)
    with pytest.raises(AmionTransient, match="did not answer in time") as caught:
        download(amion, chromium, amion_timeout_s=0.2)
    assert [r for r in amion.requests if r.kind == "export"] == []  # none answered yet
    assert isinstance(caught.value.__cause__, PlaywrightTimeoutError)
    assert_secret_free(caught.value)


def test_a_truncated_export_is_transient(amion: AmionSimulator, chromium: str) -> None:
    amion.configure(truncate=True)
    with pytest.raises(AmionTransient) as caught:
        download(amion, chromium)
    assert caught.value.location in {"Amion 2026-03", "Amion 2026-04"}
    assert_secret_free(caught.value)


def test_html_instead_of_the_export_is_unexpected_and_its_page_is_masked(
    amion: AmionSimulator, chromium: str
) -> None:
    amion.configure(html_instead=True, echo_code=True)  # the page repeats the URL it was sent
    with pytest.raises(AmionUnexpectedResponse, match="Scheduled maintenance") as caught:
        download(amion, chromium)
    assert not is_transient(caught.value)
    evidence = caught.value.evidence
    assert evidence is not None and "down for scheduled maintenance" in evidence.html
    assert "You asked for /cgi-bin/ocs?Lo=***&amp;Rpt=619" in evidence.html
    assert evidence.screenshot_png.startswith(PNG_SIGNATURE)
    assert evidence.url is not None and "Lo=***" in evidence.url
    assert_secret_free(caught.value)


def test_the_tab_variant_downloads_too(amion: AmionSimulator, chromium: str) -> None:
    amion.configure(tab_separated=True)
    exports = download(amion, chromium, months=[(2026, 3)])
    assert "\t" in exports[0].text


def test_an_unreachable_amion_is_transient(chromium: str) -> None:
    with pytest.raises(AmionTransient, match="A connection failed while logging in"):
        download_exports(
            base_url=f"http://127.0.0.1:{free_port()}",
            code=CODE,
            months=[(2026, 3)],
            settings=fast_settings(chromium_cdp_url=chromium),
        )


def test_an_unreachable_chromium_endpoint_is_transient(amion: AmionSimulator) -> None:
    cdp_url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(AmionTransient, match="connecting to the Chromium of SCHEDCU_CHROMIUM"):
        download(amion, cdp_url)
    assert amion.request_count == 0


def test_without_an_endpoint_one_chromium_is_launched_and_closed(amion: AmionSimulator) -> None:
    """As a Prefect task in a worker thread runs it: with a browser of its own."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        exports = pool.submit(
            download_exports,
            base_url=amion.url,
            code=CODE,
            months=[(2026, 3)],
            settings=fast_settings(),
        ).result()
    assert [(e.year, e.month) for e in exports] == [(2026, 3)]


def test_the_plain_function_works_inside_a_running_event_loop(
    amion: AmionSimulator, chromium: str
) -> None:
    """As a sync Prefect task called from an async flow runs it: on the flow's event loop."""

    async def inside_a_loop() -> list[MonthExport]:
        return download(amion, chromium, months=[(2026, 3)])

    exports = asyncio.run(inside_a_loop())
    assert [(e.year, e.month) for e in exports] == [(2026, 3)]


def test_a_closed_browser_is_a_transient_amion_error(amion: AmionSimulator, chromium: str) -> None:
    async def scrape_with_a_closed_browser() -> list[MonthExport]:
        settings = fast_settings(chromium_cdp_url=chromium)
        async with open_browser(settings) as browser:
            await browser.close()
            return await fetch_exports(
                browser, base_url=amion.url, code=CODE, months=[(2026, 3)], settings=settings
            )

    with pytest.raises(AmionTransient, match="browser went away while opening"):
        asyncio.run(scrape_with_a_closed_browser())


def test_a_chromium_that_stops_during_the_exports_is_transient(
    amion: AmionSimulator, tmp_path: Path
) -> None:
    """The browser service goes away while the exports are held in flight."""
    amion.configure(hold_exports=True)
    with ThreadPoolExecutor(1) as pool:
        with chromium_service(tmp_path / "chromium") as cdp_url:
            running = pool.submit(download, amion, cdp_url)
            assert amion.wait_for_exports_in_flight(2, timeout=HELD_S)
        with pytest.raises(AmionTransient, match="browser went away") as caught:
            running.result()
    assert_secret_free(caught.value)


@pytest.mark.parametrize(
    ("playwright_error", "expected", "message"),
    [
        (
            PlaywrightTimeoutError(f"Timeout 200ms exceeded. GET /cgi-bin/ocs?Lo={CODE}"),
            AmionTransient,
            "did not answer in time",
        ),
        (
            PlaywrightError(f"apiRequestContext.get: read ECONNRESET Lo={CODE}"),
            AmionTransient,
            "A connection failed",
        ),
        (
            PlaywrightError("page.goto: net::ERR_CONNECTION_REFUSED at http://x/"),
            AmionTransient,
            "A connection failed",
        ),
        (
            PlaywrightError("Target page, context or browser has been closed"),
            AmionTransient,
            "browser went away",
        ),
        (PlaywrightError(f"Unknown failure for {CODE}"), AmionError, "The browser failed"),
    ],
)
def test_every_playwright_error_maps_to_an_amion_error_without_the_code(
    playwright_error: PlaywrightError, expected: type[AmionError], message: str
) -> None:
    error = translate_playwright_error(playwright_error, code=CODE, action="testing")
    assert type(error) is expected and message in str(error)
    assert type(error.__cause__) is type(playwright_error)
    assert CODE not in str(error) and CODE not in str(error.__cause__)


def test_the_playwright_error_classes_are_all_mapped() -> None:
    """A new public Playwright error class must be added to the mapping and to this test."""
    import playwright.async_api as api

    public = {
        name
        for name in api.__all__
        if isinstance(getattr(api, name), type) and issubclass(getattr(api, name), Exception)
    }
    assert public == {"Error", "TimeoutError"}
