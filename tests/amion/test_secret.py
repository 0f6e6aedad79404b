"""The access code never appears in logs, output, errors, evidence, the database or file names."""

from __future__ import annotations

import datetime as dt
import logging
import os
import traceback
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from schedcu.amion.simulator import AmionSimulator
from schedcu.amion.store import scrape_version
from schedcu.errors import AmionError
from schedcu.examples.amion_month import example_roster
from tests.amion.conftest import CODE, fast_settings
from tests.amion.test_store import new_version

FAULTS = (
    {"wrong_code": True},
    {"html_instead": True},
    {"truncate": True},
    {"fail_first": 1, "scope": "export"},
    {"delay": 0.5, "scope": "export"},
)


def error_texts(error: AmionError) -> list[str]:
    texts = ["".join(traceback.format_exception(error)), repr(error), str(error.location)]
    texts += [f"{m.code} {m.message} {m.location}" for m in error.validation]
    if error.evidence is not None:
        texts += [str(error.evidence.url), error.evidence.html or ""]
        texts.append((error.evidence.screenshot_png or b"").decode("latin-1"))
    return texts


def database_dump(engine: Engine) -> str:
    lines = []
    with engine.connect() as connection:
        for table in sa.inspect(engine).get_table_names():
            rows = connection.execute(sa.text(f'SELECT * FROM "{table}"')).all()
            lines += [f"{table}: {tuple(row)!r}" for row in rows]
    return "\n".join(lines)


def test_the_code_appears_nowhere(
    db_engine: Engine,
    amion: AmionSimulator,
    chromium: str,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    version_id = new_version(
        db_engine, dt.date(2026, 3, 1), dt.date(2026, 4, 30), base_url=amion.url
    )

    def scrape(timeout: float = 10.0) -> None:
        scrape_version(
            engine=db_engine,
            version_id=version_id,
            code=CODE,
            settings=fast_settings(chromium_cdp_url=chromium, amion_timeout_s=timeout),
            roster=example_roster(),
        )

    scrape()
    errors: list[AmionError] = []
    for faults in FAULTS:
        amion.reset()
        amion.configure(**faults)
        with pytest.raises(AmionError) as caught:
            scrape(0.2 if "delay" in faults else 10.0)
        errors.append(caught.value)
    amion.reset()
    scrape()

    assert {type(e).__name__ for e in errors} == {
        "AmionBadCode",
        "AmionUnexpectedResponse",
        "AmionTransient",
    }
    assert amion.export_requests  # the code really was used
    for error in errors:
        assert all(CODE not in text for text in error_texts(error)), error
    assert CODE not in caplog.text
    assert "Lo=***" in caplog.text
    out, err = capfd.readouterr()
    assert CODE not in out and CODE not in err
    assert CODE not in database_dump(db_engine)
    for folder in {tmp_path, Path(os.environ["SCHEDCU_HOME"])}:
        for path in folder.rglob("*") if folder.exists() else ():
            assert CODE not in str(path)
            if path.is_file() and path.stat().st_size < 50_000_000:
                assert CODE.encode() not in path.read_bytes(), path
