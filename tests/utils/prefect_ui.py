"""The Prefect UI as a person reaches it: the session's server asks for its auth string on the
UI's login page, as the README's server does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.utils.prefect_server import AUTH_STRING

if TYPE_CHECKING:
    from playwright.sync_api import Page


def log_in(page: Page, ui_url: str) -> None:
    """Open the UI, type the auth string into its login page and wait to be let in (both UIs of
    the server share what the login stores)."""
    page.goto(f"{ui_url}/")
    password = page.locator("input[type=password]")
    password.fill(AUTH_STRING)
    password.press("Enter")
    page.wait_for_url(lambda url: "login" not in url)
    page.locator("input[type=password]").wait_for(state="detached")
