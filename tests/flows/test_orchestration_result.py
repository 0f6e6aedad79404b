"""OrchestrationResult: JSON round trip, final state name, merged messages tagged by phase."""

from __future__ import annotations

import datetime as dt
import json
import pickle

from schedcu.errors import AmionLoginFailed, OrchestrationFailed
from schedcu.orchestration import CoverageFigures, OrchestrationResult, Outcome, Phase
from schedcu.validation import ValidationResult

START = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def _result() -> OrchestrationResult:
    return OrchestrationResult(
        hospital="cumc",
        period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 31),
        started_at=START,
    )


def test_a_new_result_has_every_phase_skipped() -> None:
    result = _result()
    assert {p: r.outcome for p, r in result.phases.items()} == dict.fromkeys(Phase, Outcome.SKIPPED)


def test_all_phases_succeeding_is_completed() -> None:
    result = _result()
    for phase in Phase:
        result.record(phase, Outcome.SUCCEEDED, 1.0)
    assert result.state_name == "Completed"
    assert result.failed_phases == []


def test_a_failed_phase_gives_completed_with_warnings_naming_it() -> None:
    result = _result()
    result.record(Phase.ODS_IMPORT, Outcome.SUCCEEDED, 1.0)
    result.record(
        Phase.AMION_SCRAPE, Outcome.FAILED, 0.5, error=AmionLoginFailed("Amion refused the code")
    )
    result.record(Phase.COVERAGE, Outcome.SUCCEEDED, 1.0)
    assert result.state_name == "CompletedWithWarnings"
    assert "Amion scrape failed" in result.summary_line
    [error] = result.validation.messages
    assert (error.code, error.phase) == ("AMION_LOGIN_FAILED", "amion_scrape")
    assert result.phases[Phase.AMION_SCRAPE].error_code == "AMION_LOGIN_FAILED"


def test_phase_messages_are_tagged_with_their_phase() -> None:
    result = _result()
    messages = ValidationResult()
    messages.warning("UNKNOWN_SHIFT_NAME", "Unknown shift 'Foo'", "'Sheet'!C4")
    result.record(Phase.ODS_IMPORT, Outcome.SUCCEEDED, 1.0, validation=messages)
    assert [m.phase for m in result.validation] == ["ods_import"]


def test_json_round_trip_keeps_everything() -> None:
    result = _result()
    result.schedule_version_id = 7
    result.shift_instances, result.assignments, result.coverage_rows = 10, 20, 30
    result.coverage = CoverageFigures(87.5, 70.0, 10.0, 0.0)
    result.record(Phase.ODS_IMPORT, Outcome.SUCCEEDED, 1.25)
    result.reports.append("/tmp/report.html")
    result = result.finish(START + dt.timedelta(seconds=3))
    data = json.loads(json.dumps(result.to_dict()))
    assert data["duration_s"] == 3.0
    assert data["phases"]["ods_import"] == {
        "outcome": "succeeded",
        "duration_s": 1.25,
        "error_code": None,
    }
    assert OrchestrationResult.from_dict(data).to_dict() == result.to_dict()


def test_the_failure_carries_the_result_through_pickling() -> None:
    result = _result()
    error = OrchestrationFailed("No such hospital", code="UNKNOWN_HOSPITAL", result=result)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.message, copy.result.hospital) == (
        "UNKNOWN_HOSPITAL",
        "No such hospital",
        "cumc",
    )
    assert copy.validation.codes() == ["UNKNOWN_HOSPITAL"]
