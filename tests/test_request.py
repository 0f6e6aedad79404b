"""A flow's parameters are checked once, at the edge: typed values out, or a coded sentence that
never repeats more than a few characters of what was sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from schedcu.errors import ConfigurationError
from schedcu.request import NIL_UUID, REQUIRED, checked, promotion_request


def test_json_values_become_typed_values() -> None:
    values = checked(hospital="cumc-radiology", start_date="2026-03-01", months=2, user_id=" ann ")
    assert values.start_date == dt.date(2026, 3, 1) and values.months == 2
    assert values.user_id == "ann"


@pytest.mark.parametrize(
    ("parameters", "code"),
    [
        ({"months": 0}, "INVALID_PERIOD"),  # a period of no month, checked here once
        ({"months": -1}, "INVALID_PERIOD"),
        ({"months": True}, "INVALID_PERIOD"),
        ({"months": 2.0}, "INVALID_PERIOD"),
        ({"months": 25}, "INVALID_PERIOD"),
        ({"start_date": "2026-02-30"}, "INVALID_PERIOD"),
        ({"hospital": "CUMC"}, "INVALID_HOSPITAL_CODE"),
        ({"hospital": "a" * 65}, "INVALID_HOSPITAL_CODE"),
        ({"user_id": "   "}, "INVALID_USER_ID"),
        ({"user_id": NIL_UUID.upper()}, "INVALID_USER_ID"),
        ({"ods_path": ""}, "ODS_NOT_READABLE"),
        ({"version_id": "7"}, "NO_VERSION"),
        ({"version_id": 10**20}, "NO_VERSION"),  # would overflow SQLite's driver
        ({"user_id": "ann\x00"}, "INVALID_USER_ID"),
        ({"promoted_by": ""}, "INVALID_USER_ID"),
        ({"promoted_by": "ann\nroot"}, "INVALID_USER_ID"),
        ({"promoted_by": "u" * 201}, "INVALID_USER_ID"),
        ({"reason": "   "}, "INVALID_REASON"),
        ({"reason": "r" * 1001}, "INVALID_REASON"),
        ({"reason": "the \x1b[31m rota"}, "INVALID_REASON"),
        ({"hospital": REQUIRED}, "HOSPITAL_NOT_SET"),  # left out of the run's parameters
        ({"hospital": None}, "HOSPITAL_NOT_SET"),
        ({"ods_path": REQUIRED}, "TEMPLATE_NOT_SET"),
        ({"version_id": None}, "VERSION_NOT_SET"),
    ],
)
def test_a_bad_value_is_refused_with_its_code(parameters: dict[str, Any], code: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        checked(**parameters)
    assert refused.value.code == code


def test_a_long_value_is_not_repeated_in_the_sentence() -> None:
    with pytest.raises(ConfigurationError) as refused:
        checked(hospital="x" * 10_000)
    assert len(refused.value.message) < 300 and "10002 chars" in refused.value.message


def test_a_promotion_needs_a_version_and_a_person() -> None:
    request = promotion_request(version_id=7, promoted_by=" ann ", reason="The rota\nof March")
    assert (request.version_id, request.promoted_by, request.reason) == (
        7,
        "ann",
        "The rota\nof March",
    )
    with pytest.raises(ConfigurationError) as refused:
        promotion_request(version_id=7, promoted_by=None)
    assert refused.value.code == "INVALID_USER_ID" and "(got None)" in refused.value.message
    with pytest.raises(ConfigurationError) as refused:
        promotion_request(version_id=None, promoted_by="ann")
    assert refused.value.code == "VERSION_NOT_SET"


def test_a_parameter_left_out_is_named_with_what_to_set() -> None:
    with pytest.raises(ConfigurationError) as refused:
        checked(hospital=REQUIRED)
    assert "set `hospital`" in refused.value.message
    assert "deployment's parameters" in refused.value.message
