"""All settings in one place, read from `SCHEDCU_*` environment variables.

`Settings()` is cheap; `get_settings()` caches one instance per process. The Amion access code
is a `SecretStr`, so printing or logging the settings never shows it.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MB = 1024 * 1024
DEFAULT_ALERT_HORIZON_DAYS = 14
MAX_ALERT_HORIZON_DAYS = 90


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCHEDCU_", extra="ignore")

    home: Path = Path(".schedcu")
    database_url: str | None = None
    # Create or migrate the database's schema on first use in each process (as Prefect does);
    # off: a database behind the code fails with DATABASE_NOT_MIGRATED until `schedcu db upgrade`.
    database_migrate_on_start: bool = True
    # Where reports go: a folder or any fsspec URL (`s3://bucket/reports`); default
    # `<home>/reports`.
    reports_url: str | None = None
    # How long a report's presigned https link works, where the storage can sign one (S3).
    report_link_days: float = 7.0
    # Folders and URL prefixes a run started from a deployment may read templates and rosters
    # from (a JSON list; default `<home>/templates`). Direct calls read what their caller can.
    template_sources: list[str] | None = None
    # Each connection attempt and read on storage, and a whole download, end after this long.
    storage_timeout_s: float = 60.0

    # ODS reading limits (ODS_LAYOUTS.md: treat every byte as hostile).
    ods_max_content_bytes: int = 200 * MB
    ods_max_compression_ratio: float = 200.0
    ods_max_rows: int = 200_000
    ods_max_columns: int = 1_024
    ods_max_cells: int = 5_000_000

    # The service day and calendar (COVERAGE.md).
    day_start: dt.time = dt.time(8, 0)
    timezone: str = "America/New_York"
    holidays: list[dt.date] = Field(default_factory=list)
    splittable: dict[str, list[str]] = Field(
        default_factory=lambda: {"ON": ["ON1", "ON2"], "Mid": ["MidC", "MidL"]}
    )

    # Amion (AMION.md). The code itself only ever comes from here or a Prefect Secret block.
    amion_base_url: str | None = None
    amion_code: SecretStr | None = None
    amion_concurrency: int = 4
    amion_requests_per_second: float = 8.0
    amion_timeout_s: float = 30.0
    amion_login_timeout_s: float = 30.0
    amion_password_selector: str = "input[type=password]"
    chromium: Path | None = None
    # A running Chromium to connect to over the DevTools protocol (a shared browser service, or
    # a warm browser that saves the start-up) instead of launching one per scrape.
    chromium_cdp_url: str | None = None

    # Alerts (schedcu/alerts.py): a run tells of opened gaps that reach into the next this many
    # days. A bad value is refused with INVALID_ALERT_HORIZON, not a validation traceback.
    alert_horizon_days: int = DEFAULT_ALERT_HORIZON_DAYS

    @field_validator("database_url")
    @classmethod
    def _normalise_postgres_url(cls, value: str | None) -> str | None:
        """Accept the `postgres://` and `postgresql://` spellings; we drive psycopg 3."""
        if value is None:
            return None
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @field_validator("alert_horizon_days", mode="before")
    @classmethod
    def _check_alert_horizon(cls, value: object) -> int:
        """Whole days, 1 to MAX_ALERT_HORIZON_DAYS. Raises a ConfigurationError, which pydantic
        lets through unchanged (it wraps only ValueError and AssertionError)."""
        from schedcu.errors import ConfigurationError

        text = str(value).strip()
        if not text.isdigit() or not 1 <= int(text) <= MAX_ALERT_HORIZON_DAYS:
            raise ConfigurationError(
                f"SCHEDCU_ALERT_HORIZON_DAYS is {text[:20]!r}: it must be a whole number of days "
                f"from 1 to {MAX_ALERT_HORIZON_DAYS} (alerts tell of gaps that near within it).",
                code="INVALID_ALERT_HORIZON",
            )
        return int(text)

    @property
    def alert_horizon(self) -> dt.timedelta:
        return dt.timedelta(days=self.alert_horizon_days)

    @property
    def resolved_database_url(self) -> str:
        """The configured URL, else a SQLite file under `home`."""
        return self.database_url or f"sqlite:///{(self.home / 'schedcu.db').resolve()}"

    @property
    def resolved_reports_url(self) -> str:
        """The reports' folder or URL (a local folder as its path)."""
        return self.reports_url or str(self.home / "reports")

    @property
    def resolved_template_sources(self) -> list[str]:
        if self.template_sources is None:
            return [str(self.home / "templates")]
        return self.template_sources


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
