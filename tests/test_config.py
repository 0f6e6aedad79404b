import datetime as dt
from pathlib import Path

import pytest

from schedcu.config import Settings


def test_default_database_is_sqlite_under_home(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "h")
    assert settings.resolved_database_url == f"sqlite:///{(tmp_path / 'h' / 'schedcu.db')}"
    assert settings.resolved_reports_url == str(tmp_path / "h" / "reports")


@pytest.mark.parametrize("prefix", ["postgres://", "postgresql://", "postgresql+psycopg://"])
def test_postgres_urls_are_normalised_to_psycopg(prefix: str) -> None:
    settings = Settings(database_url=f"{prefix}u@127.0.0.1/db")
    assert settings.resolved_database_url == "postgresql+psycopg://u@127.0.0.1/db"


def test_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHEDCU_DAY_START", "07:30")
    monkeypatch.setenv("SCHEDCU_HOLIDAYS", '["2026-12-25", "2027-01-01"]')
    monkeypatch.setenv("SCHEDCU_AMION_CODE", "sekrit-code")
    settings = Settings()
    assert settings.day_start == dt.time(7, 30)
    assert settings.holidays == [dt.date(2026, 12, 25), dt.date(2027, 1, 1)]
    assert settings.amion_code is not None
    assert settings.amion_code.get_secret_value() == "sekrit-code"
    assert "sekrit-code" not in repr(settings)
    assert "sekrit-code" not in str(settings.model_dump())
