import datetime as dt
import re
from pathlib import Path

import pytest
from prefect import flow

from flows.hospital_lock import limit_name
from schedcu.config import Settings
from schedcu.coverage.reports import report_stem
from schedcu.coverage.service import StoredCoverage
from schedcu.errors import AmionEvidence, AmionLoginFailed
from schedcu.hospitals import check_hospital_code
from schedcu.models import TemplateLayout
from schedcu.names import MAX_SLUG, name_key, person_key, position_key, slug
from tasks.amion_scrape import publish_amion_evidence
from tests.utils.hostile_codes import HOSTILE_CODES


@pytest.mark.parametrize(
    ("a", "b"), [("CHONY Neuro ", "chony neuro"), ("Allen  MR\tNeuro", "ALLEN MR NEURO")]
)
def test_study_type_names_compare_normalised(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_positions_drop_inner_spaces() -> None:
    assert position_key("Mid 3") == position_key("MID3") == "mid3"
    assert position_key("Mid Body") == "midbody"


def test_people_read_last_comma_first() -> None:
    assert person_key("Smith,  Jane") == person_key(" jane SMITH") == "jane smith"
    assert person_key("Jane Smith") == "jane smith"


def test_slug_keeps_lowercase_letters_digits_and_dashes() -> None:
    assert slug("coverage-gaps", "CUMC Radiology") == "coverage-gaps-cumc-radiology"
    assert slug("schedcu-hospital", "St. Luke's #2") == "schedcu-hospital-st-luke-s-2"


SAFE_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")


@pytest.mark.parametrize("text", HOSTILE_CODES.values(), ids=HOSTILE_CODES.keys())
def test_slug_of_anything_is_letters_digits_and_dashes(text: str) -> None:
    for name in (slug("coverage", text), limit_name(text)):
        assert SAFE_NAME.fullmatch(name) and len(name) <= MAX_SLUG, repr(name)


@pytest.mark.parametrize("text", HOSTILE_CODES.values(), ids=HOSTILE_CODES.keys())
def test_report_files_stay_in_the_reports_folder_whatever_the_code(
    text: str, tmp_path: Path
) -> None:
    """Defence in depth: codes are checked where they come in, and a report's file name still
    cannot leave its folder if an unchecked one reaches it."""
    coverage = StoredCoverage(
        calculation_id=1,
        version_id=7,
        hospital_code=text,
        layout=TemplateLayout.MATRIX,
        timezone="America/New_York",
        period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 31),
        summary={},
        rows=(),
    )
    stem = report_stem(coverage)
    assert SAFE_NAME.fullmatch(stem) and stem.startswith("coverage-") and stem.endswith("-v7")
    folder = tmp_path / "reports"
    folder.mkdir()
    path = folder / f"{stem}.csv"
    path.write_text("written")  # one short name: no NUL, no name too long for the file system
    assert path.resolve().parent == folder.resolve() and list(folder.iterdir()) == [path]


@pytest.mark.usefixtures("prefect_api")
@pytest.mark.parametrize("text", HOSTILE_CODES.values(), ids=HOSTILE_CODES.keys())
def test_the_amion_screenshot_stays_in_the_reports_folder_whatever_the_code(
    text: str, tmp_path: Path
) -> None:
    reports = tmp_path / "reports"
    publish_screenshot(text, str(reports))
    [shot] = [path for path in reports.rglob("*") if path.is_file()]
    assert shot.read_bytes() == PNG
    assert shot.resolve().is_relative_to(reports.resolve())
    names = shot.relative_to(reports).with_suffix("").parts
    assert all(SAFE_NAME.fullmatch(name) for name in names), names


PNG = b"\x89PNG picture"


@flow(name="amion-evidence-check")
def publish_screenshot(hospital: str, reports: str) -> None:
    error = AmionLoginFailed("Amion refused the code.", evidence=AmionEvidence(screenshot_png=PNG))
    publish_amion_evidence(hospital, error, Settings(reports_url=str(reports)))


@pytest.mark.parametrize("code", ["cumc-radiology", "a", "0", "a--b", "a" * 64])
def test_a_valid_code_is_its_own_slug(code: str) -> None:
    """Valid codes map one to one onto names (nothing is stripped or replaced), so no two
    hospitals share a report file, an artifact key or a concurrency limit."""
    assert check_hospital_code(code) == code
    assert slug("coverage", code) == f"coverage-{code}"
    assert limit_name(code) == f"schedcu-hospital-{code}"
