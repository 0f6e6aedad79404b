from schedcu.errors import AmionTransient, NotOds, SchedcuError
from schedcu.validation import Message, Severity, ValidationResult


def test_merge_keeps_every_message_in_phase_order() -> None:
    ods = ValidationResult()
    ods.warning("EXTRA_GRID_BLOCK", "A second block", "'Sheet'!U1:X24")
    amion = ValidationResult()
    amion.info("NEW_PERSON", "New person Jane Smith")

    merged = ods.with_phase("ods_import").merge(amion.with_phase("amion_scrape"))

    assert merged.codes() == ["EXTRA_GRID_BLOCK", "NEW_PERSON"]
    assert [m.phase for m in merged] == ["ods_import", "amion_scrape"]
    assert len(ods) == 1, "merge returns a new result and leaves its inputs alone"
    assert not merged.has_errors


def test_has_errors_only_for_error_severity() -> None:
    result = ValidationResult()
    result.warning("W", "warning")
    result.info("I", "info")
    assert not result.has_errors
    result.error("E", "error")
    assert result.has_errors
    assert [m.code for m in result.by_severity(Severity.ERROR)] == ["E"]


def test_json_round_trip() -> None:
    result = ValidationResult()
    result.add(Severity.WARNING, "UNEXPECTED_CELL_VALUE", "Cell says 'y'", "'S'!C4", phase="ods")
    result.info("ALREADY_IMPORTED", "Same file imported before")

    again = ValidationResult.from_json(result.to_json())

    assert again == result
    assert again.to_list()[0] == {
        "severity": "WARNING",
        "code": "UNEXPECTED_CELL_VALUE",
        "message": "Cell says 'y'",
        "location": "'S'!C4",
        "phase": "ods",
    }


def test_error_carries_code_message_and_validation() -> None:
    err = NotOds("This file is not a spreadsheet saved as .ods.", location="x.ods")
    assert isinstance(err, SchedcuError)
    assert err.code == "NOT_ODS"
    assert str(err) == "This file is not a spreadsheet saved as .ods."
    assert err.validation.messages == [
        Message(Severity.ERROR, "NOT_ODS", "This file is not a spreadsheet saved as .ods.", "x.ods")
    ]
    assert not err.transient
    assert AmionTransient("Amion timed out").transient


def test_error_does_not_duplicate_a_message_already_in_its_validation() -> None:
    result = ValidationResult()
    result.error("NOT_ODS", "Not an .ods file.")
    err = NotOds("Not an .ods file.", validation=result)
    assert err.validation.codes() == ["NOT_ODS"]
