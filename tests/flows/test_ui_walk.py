"""The Prefect UI walked as a coordinator walks it, in Chromium against the session's real server
and worker: the deployment `import-on-demand`, Run -> Custom run, a form that explains every
parameter, a run started from it followed until Completed, its summary and gap table, and then a
run that fails on a file that is not a spreadsheet, with the coded sentence where the UI shows a
run's state message.

Each step leaves a screenshot; when the walk fails they are copied to `--screenshots` (default
`.test-screenshots/` in the checkout) and the failure names the folder.

Prefect 3.9's UI does not print a run's state message in the run page's header (only the state's
name); the message is on the run's Details tab ("State Message"), which is what this walk reads.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from prefect.blocks.system import Secret

from flows.schedule_import import schedule_import
from schedcu.amion.simulator import AmionSimulator
from schedcu.examples.amion_month import example_roster
from schedcu.examples.template_ods import write_example_template
from schedcu.hospitals import add_hospital
from tasks.secrets import secret_block_name
from tests.flows.conftest import CODE, RUNS_TIMEOUT_S, Deployments
from tests.utils.browser import with_browser
from tests.utils.prefect_server import api_client
from tests.utils.prefect_ui import log_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_api")]

STEP_TIMEOUT_MS = 60_000  # a page on a loaded 2-core machine
RUN_TIMEOUT_MS = RUNS_TIMEOUT_S * 1000
SUBMIT_ATTEMPTS = 5
CLOSE_ATTEMPTS = 50  # toasts on the page: a few, each closed once
GAP_TIME = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{2} Mar 2026 \d{2}:\d{2}$")


@dataclass
class Walk:
    """What the coordinator has on the worker: a hospital on the simulator, its template and
    roster under the template source, and a file that is not a spreadsheet. The walk reads the
    server through its REST API (`api`): the in-process Prefect client's settings do not reach the
    browser's thread."""

    api: str
    hospital: str
    template: Path
    roster: Path
    not_ods: Path


@pytest.fixture
def walk(deployments: Deployments, amion_server: AmionSimulator, prefect_server: str) -> Walk:
    hospital = f"walk-{uuid.uuid4().hex[:8]}"
    add_hospital(deployments.engine, code=hospital, amion_base_url=amion_server.url)
    Secret(value=CODE).save(secret_block_name(hospital), overwrite=True, _sync=True)
    templates = deployments.templates
    roster = replace(example_roster(), hospital=hospital).dump(templates / f"{hospital}.yaml")
    not_ods = templates / f"{hospital}-notes.ods"
    not_ods.write_text("Notes for March, not a spreadsheet.\n")
    deployments.deploy(
        schedule_import, "flows/schedule_import.py:schedule_import", "import-on-demand"
    )
    amion_server.reset()
    return Walk(
        api=prefect_server,
        hospital=hospital,
        template=write_example_template(templates / f"{hospital}-march.ods"),
        roster=roster,
        not_ods=not_ods,
    )


class Steps:
    """Numbered screenshots of the walk, in `folder`."""

    def __init__(self, page: Page, folder: Path) -> None:
        self.page, self.folder, self.count = page, folder, 0
        folder.mkdir(parents=True, exist_ok=True)

    def shot(self, name: str) -> None:
        self.count += 1
        self.page.screenshot(path=self.folder / f"{self.count:02d}-{name}.png", full_page=True)


def test_a_coordinator_runs_an_import_from_the_ui_and_reads_what_it_did(
    walk: Walk, chromium: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    folder = tmp_path / "screenshots"
    try:
        with_browser(chromium, lambda browser: _walk(browser, walk, folder))
    except BaseException as failure:
        kept = Path(request.config.getoption("screenshots")) / f"ui-walk-{walk.hospital}"
        shutil.copytree(folder, kept, dirs_exist_ok=True)
        failure.add_note(f"Screenshots of each step of the walk: {kept}")
        raise


def _walk(browser: Browser, walk: Walk, folder: Path) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=STEP_TIMEOUT_MS)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = context.new_page()
    steps = Steps(page, folder)
    try:
        log_in(page, _ui(walk))
        _attempt(steps, lambda: _completed_run(page, steps, walk), "completed-run")
        _attempt(steps, lambda: _failed_run(page, steps, walk), "failed-run")
    finally:
        context.close()


def _attempt(steps: Steps, part: Callable[[], None], name: str) -> None:
    """`part` of the walk; a screenshot of where it stopped if it fails."""
    try:
        part()
    except BaseException:
        steps.shot(f"{name}-stopped-here")
        raise


def _completed_run(page: Page, steps: Steps, walk: Walk) -> None:
    from playwright.sync_api import expect

    _custom_run_form(page, steps, walk)
    schema = schedule_import.parameters.model_dump()
    for name, spec in schema["properties"].items():
        field = _field(page, name)
        # Required ones look required: the UI marks only the others "(Optional)".
        label = name if name in schema["required"] else f"{name} (Optional)"
        expect(field.locator(".schema-form-property__label")).to_have_text(label)
        # The description from the flow's Args docstring (the UI renders `code` as code).
        expect(field.locator(".schema-form-property__description")).to_have_text(
            spec["description"].replace("`", "")
        )
    steps.shot("form-explains-every-parameter")

    _fill(page, hospital=walk.hospital, ods_path=str(walk.template))
    _pick_date(page, "start_date", "2026-03-01")
    _field(page, "months").locator("input").fill("1")
    _fill(page, roster_path=str(walk.roster))
    steps.shot("form-filled")
    run_id = _submit(
        page, steps, f"{walk.hospital}-march", f"import {walk.hospital} 2026-03-01 +1m"
    )

    heading = page.locator("header.page-heading")
    expect(heading.locator(".state-badge")).to_have_text("Completed", timeout=RUN_TIMEOUT_MS)
    expect(heading).to_contain_text(f"import {walk.hospital} 2026-03-01 +1m")
    expect(heading).to_contain_text(f"hospital:{walk.hospital}")
    steps.shot("run-completed")

    _open_artifact(page, f"import-summary-{walk.hospital}")
    sha256 = hashlib.sha256(walk.template.read_bytes()).hexdigest()
    expect(page.locator("body")).to_contain_text(
        f"Template: {walk.template.name} from {walk.template}, SHA-256 {sha256}."
    )
    steps.shot("summary-names-the-template")

    page.go_back()
    _open_artifact(page, f"coverage-gaps-{walk.hospital}")
    with api_client(walk.api) as api:
        found = api.post(
            "/artifacts/filter",
            json={
                "artifacts": {
                    "flow_run_id": {"any_": [run_id]},
                    "key": {"any_": [f"coverage-gaps-{walk.hospital}"]},
                }
            },
        )
    [gaps] = found.raise_for_status().json()
    rows = json.loads(gaps["data"])
    expect(page.get_by_text(f"{len(rows)} Items", exact=True)).to_be_visible()  # every gap
    first = rows[0]
    assert GAP_TIME.match(first["from"]) and GAP_TIME.match(first["to"]), first
    row = page.get_by_role("row").filter(has_text=first["from"]).first
    for value in (first["study type"], first["from"], first["to"], first["positions"]):
        expect(row).to_contain_text(value)
    steps.shot("gap-table-with-the-year")


def _failed_run(page: Page, steps: Steps, walk: Walk) -> None:
    from playwright.sync_api import expect

    _custom_run_form(page, steps, walk)
    _fill(page, hospital=walk.hospital, ods_path=str(walk.not_ods))
    steps.shot("failing-form-filled")
    run_id = _submit(
        page, steps, f"{walk.hospital}-notes", f"import {walk.hospital} next-month +1m"
    )

    expect(page.locator("header.page-heading .state-badge")).to_have_text(
        "Failed", timeout=RUN_TIMEOUT_MS
    )
    with api_client(walk.api) as api:
        state = api.get(f"/flow_runs/{run_id}").raise_for_status().json()["state"]
    message = state["message"] or ""
    assert message.startswith(f"NOT_ODS: The template {walk.not_ods.name}: "), message
    # The logs end with the coded sentence, without a traceback after it.
    logs = page.locator("#logs-content")
    expect(logs).to_contain_text(f"Run failed: {message}")
    expect(logs).to_contain_text("Finished in state Failed")
    expect(logs).not_to_contain_text("Traceback")
    steps.shot("failed-run-logs")

    page.locator("li.p-tab", has_text="Details").click()
    details = page.locator("#details-content")
    expect(details).to_contain_text("State Message")
    more = details.get_by_text("See More")  # a long message is cut short until asked for
    if more.count():
        more.click()
    expect(details).to_contain_text(message)
    steps.shot("failed-run-state-message")


def _custom_run_form(page: Page, steps: Steps, walk: Walk) -> None:
    """Deployments -> import-on-demand -> Run -> Custom run."""
    page.goto(f"{_ui(walk)}/deployments")
    page.get_by_role("link", name="import-on-demand", exact=True).click()
    page.wait_for_url("**/deployments/deployment/**")
    steps.shot("deployment")
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text("Custom run", exact=True).click()
    page.wait_for_url("**/run?**")
    _field(page, "hospital").wait_for()


def _field(page: Page, name: str) -> Locator:
    """The run form's field of parameter `name` (its label, description and input)."""
    label = page.locator(".schema-form-property__label", has_text=re.compile(rf"^{name}\b"))
    return page.locator(".schema-form-property").filter(has=label)


def _fill(page: Page, **values: str) -> None:
    for name, value in values.items():
        _field(page, name).locator("textarea").fill(value)


def _pick_date(page: Page, name: str, iso: str) -> None:
    """The UI draws a date either as the browser's own date input or as a button opening a
    calendar with one (which it does depends on the browser); either takes `iso`."""
    from playwright.sync_api import expect

    field = _field(page, name)
    native, calendar = field.locator("input[type=date]"), field.locator(".p-date-button__control")
    expect(native.or_(calendar)).to_be_visible()
    if native.count():
        native.fill(iso)
        expect(native).to_have_value(iso)
        return
    calendar.click()
    page.locator("input[type=date]").fill(iso)
    page.get_by_role("button", name="Apply").click()
    expect(calendar).not_to_have_text("Select date")


def _submit(page: Page, steps: Steps, name: str, renamed: str) -> str:
    """Name the run `name`, submit the form, then open the run from the deployment's list of
    runs (where it shows as `name`, or as `renamed` once the flow has named it; the toast's "View
    run" may be gone before a loaded machine gets to it); the run's id."""
    from playwright.sync_api import expect

    page.locator(".flow-run-name-input input").fill(name)
    # A server at its limit may refuse the run ("Oops. Something went wrong.", an HTTP 500 for
    # its locked SQLite database): a person submits again, as the walk does.
    toasts = page.locator("#prefect-design-toast-app")
    refused = toasts.get_by_text("Something went wrong")
    landed = page.locator("li.p-tab", has_text="Upcoming")  # the deployment's page
    for _ in range(SUBMIT_ATTEMPTS):
        page.get_by_role("button", name="Submit", exact=True).click()
        expect(refused.or_(landed).first).to_be_visible()
        if landed.count():
            break
        steps.shot("server-refused-the-run")
        _close_toasts(page, toasts)
        expect(refused).to_have_count(0)
    shown = re.compile(f"{re.escape(name)}|{re.escape(renamed)}")
    page.locator("a[href*='/runs/flow-run/']", has_text=shown).first.click()
    page.wait_for_url("**/runs/flow-run/**")
    steps.shot("run-page")
    return page.url.split("/runs/flow-run/")[1].split("?")[0]


def _close_toasts(page: Page, toasts: Locator) -> None:
    """Close every toast (error toasts stay until closed). A toast slides in and out and stacks
    below the others, even past the window's edge, so its close button has no stable place to be
    clicked at: the click is dispatched to the button itself."""
    close = toasts.locator(".p-toast__close-btn")
    for _ in range(CLOSE_ATTEMPTS):
        if not close.count():
            return
        close.first.dispatch_event("click")
        page.wait_for_timeout(100)  # the closed toast's slide out


def _open_artifact(page: Page, key: str) -> None:
    """The run page's Artifacts tab, then the artifact `key`'s own page."""
    page.locator("li.p-tab", has_text="Artifacts").click()
    page.get_by_text(key, exact=True).click()
    page.wait_for_url("**/artifacts/artifact/**")


def _ui(walk: Walk) -> str:
    return walk.api.removesuffix("/api")
