"""Where the Chromium executable comes from."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from schedcu.amion.browser import find_chromium
from schedcu.config import Settings
from schedcu.errors import ChromiumNotFound


def test_the_configured_chromium_comes_first(tmp_path: Path) -> None:
    chromium = tmp_path / "my-chromium"
    chromium.write_text("")
    assert find_chromium(Settings(chromium=chromium)) == chromium


def test_a_configured_chromium_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ChromiumNotFound, match="SCHEDCU_CHROMIUM"):
        find_chromium(Settings(chromium=tmp_path / "absent"))


def test_the_environment_variable_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chromium = tmp_path / "chromium-from-env"
    chromium.write_text("")
    monkeypatch.setenv("SCHEDCU_CHROMIUM", str(chromium))
    assert find_chromium(Settings()) == chromium


def test_without_configuration_the_system_chromium_is_found(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if shutil.which("chromium") is None:
        pytest.skip("no chromium on the PATH")
    assert find_chromium(Settings()) == Path(shutil.which("chromium") or "")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ChromiumNotFound, match="make test"):
        find_chromium(Settings())
