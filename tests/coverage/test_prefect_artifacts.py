"""Phase 3's task on the session's real Prefect server, and the heatmap as a coordinator sees
it: the flow run's artifact opened in Chromium shows the picture (not a URL, not a blank)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    TaskRunFilter,
    TaskRunFilterFlowRunId,
)
from prefect.runtime import flow_run
from sqlalchemy.engine import Engine

from schedcu.config import get_settings
from schedcu.db import create_db_engine
from schedcu.hospitals import version_hospital
from schedcu.models import Specialty
from tasks.coverage import coverage
from tests.coverage.builders import matrix, sheet, store_version
from tests.utils.browser import with_browser
from tests.utils.prefect_ui import log_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.usefixtures("prefect_api")

SAT = dt.date(2026, 3, 14)
TEMPLATE = matrix(
    sheet("Mid 5 pm - 12 am", "17:00", "00:00", {"MidC": ["CPMC CT Body"], "MidL": ["Allen US"]}),
    sheet("ON 12am-8am", "00:00", "08:00", {"ON1": ["CPMC CT Body", "Allen US"]}, category="ON"),
)


@flow(name="coverage-artifacts-check")
def coverage_flow(hospital: str, version_id: int) -> dict[str, object]:
    report = coverage(hospital=hospital, version_id=version_id, period="Mar 2026")
    return {
        "flow_run_id": str(flow_run.get_id()),
        "paths": report.reports,
        "rows": report.row_count,
    }


@pytest.fixture
def engine(sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    path = tmp_path / "schedcu.db"
    shutil.copyfile(sqlite_template, path)
    monkeypatch.setenv("SCHEDCU_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("SCHEDCU_REPORTS_URL", str(tmp_path / "reports"))
    get_settings.cache_clear()
    return create_db_engine(f"sqlite:///{path}")


def test_the_task_stores_writes_files_and_publishes_its_artifacts_and_report_links(
    engine: Engine, prefect_server: str, chromium: str, tmp_path: Path
) -> None:
    version_id = store_version(
        engine,
        TEMPLATE,
        (SAT, SAT + dt.timedelta(days=6)),
        roster=[("Ann Lee", Specialty.BOTH)],
        shifts=[("Ann Lee", SAT, "MidC", None, None)],
    )
    found = version_hospital(engine, version_id)
    assert found is not None
    hospital = found[1].code  # the stored hospital's code, as the import flow passes it
    result = coverage_flow(hospital, version_id)

    assert result["rows"] == 7 * 2 * 2
    assert [Path(p).suffix for p in result["paths"]] == [".csv", ".ods", ".png"]
    assert all(Path(p).parent == (tmp_path / "reports").resolve() for p in result["paths"])
    run_id = result["flow_run_id"]
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
        )
        task_runs = client.read_task_runs(
            task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=[run_id]))
        )
    by_key = {a.key: a for a in artifacts}
    assert set(by_key) == {
        f"coverage-{hospital}",
        f"coverage-gaps-{hospital}",
        f"coverage-heatmap-{hospital}",
        f"report-csv-{hospital}",
        f"report-ods-{hospital}",
        f"report-png-{hospital}",
    }
    for path in map(Path, result["paths"]):  # a local report's link is its file:// address
        link = by_key[f"report-{path.suffix[1:]}-{hospital}"]
        assert link.data == f"[{path.name}]({path.as_uri()})"
    assert by_key[f"coverage-{hospital}"].type == "markdown"
    assert by_key[f"coverage-gaps-{hospital}"].type == "table"
    assert "Overall coverage" in str(by_key[f"coverage-{hospital}"].data)
    gaps = json.loads(str(by_key[f"coverage-gaps-{hospital}"].data))
    # Every gap of the week, earliest first, with the year: each evening-and-night of Allen US
    # (nobody on MidL or ON1) and of CPMC CT Body but Saturday evening (Ann on MidC).
    assert len(gaps) == 14
    assert gaps[0] == {
        "study type": "Allen US",
        "from": "Sat 14 Mar 2026 17:00",
        "to": "Sun 15 Mar 2026 08:00",
        "hours": 15.0,
        "positions": "MidL; ON1",
    }
    assert [run.name for run in task_runs] == [f"coverage {hospital} Mar 2026"]

    ui = prefect_server.removesuffix("/api")
    heatmap_key = f"coverage-heatmap-{hospital}"
    v2 = with_browser(
        chromium,
        lambda browser: _picture_from_run_page(browser, prefect_server, run_id, heatmap_key),
    )
    v1 = with_browser(
        chromium,
        lambda browser: _picture(browser, ui, f"{ui}/artifacts/artifact/{by_key[heatmap_key].id}"),
    )
    for seen in (v2, v1):
        assert seen["width"] > 400 and seen["height"] > 200
        assert "data:image" not in seen["text"]  # the picture, not its URL printed as text


def _context(browser: Browser) -> BrowserContext:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    return context


def _rendered(page: Page) -> dict[str, object]:
    image = page.locator("img[src^='data:image/png']").first
    image.wait_for(state="visible")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    return {
        "width": image.evaluate("img => img.naturalWidth"),
        "height": image.evaluate("img => img.naturalHeight"),
        "text": page.inner_text("main")
        if page.locator("main").count()
        else page.inner_text("body"),
    }


def _picture_from_run_page(
    browser: Browser, api_url: str, run_id: str, key: str
) -> dict[str, object]:
    """The default (V2) UI: the flow run's Artifacts tab, then the heatmap's card."""
    context = _context(browser)
    try:
        page = context.new_page()
        ui = api_url.removesuffix("/api")
        log_in(page, ui)
        page.goto(f"{ui}/v2/runs/flow-run/{run_id}?tab=Artifacts")
        page.get_by_text(key, exact=True).click()
        page.wait_for_url("**/artifacts/artifact/**")
        return _rendered(page)
    finally:
        context.close()


def _picture(browser: Browser, ui: str, url: str) -> dict[str, object]:
    """The V1 UI, where the run's `View at` link in the logs leads."""
    context = _context(browser)
    try:
        page = context.new_page()
        log_in(page, ui)
        page.goto(url)
        return _rendered(page)
    finally:
        context.close()


@flow(name="coverage-unknown-version-check")
def unknown_version_flow(version_id: int) -> str:
    state = coverage(hospital="h", version_id=version_id, period="-", return_state=True)
    assert state.is_failed()
    return str(flow_run.get_id())


def test_a_permanent_coverage_error_fails_the_task_without_retries(engine: Engine) -> None:
    run_id = unknown_version_flow(424242)

    with get_client(sync_client=True) as client:
        (task_run,) = client.read_task_runs(
            task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=[run_id]))
        )
    assert task_run.run_count == 1
    assert "no schedule version 424242" in (task_run.state.message or "")
