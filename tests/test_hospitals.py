"""The one check of a hospital code, and `add_hospital` refusing what it refuses."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from schedcu.errors import ConfigurationError
from schedcu.hospitals import add_hospital, check_hospital_code
from schedcu.models import Hospital
from schedcu.names import slug
from tests.utils.hostile_codes import HOSTILE_CODES


@pytest.mark.parametrize("code", HOSTILE_CODES.values(), ids=HOSTILE_CODES.keys())
def test_hostile_codes_are_refused_with_a_short_sentence(code: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        check_hospital_code(code)
    error = caught.value
    assert error.code == "INVALID_HOSPITAL_CODE"
    assert "lowercase letters" in error.message and "cumc-radiology" in error.message
    assert len(error.message) < 250 and "\x00" not in error.message and "\n" not in error.message


def test_a_trailing_dash_is_refused_as_its_names_would_be_another_hospitals() -> None:
    assert slug("coverage", "cumc-") == slug("coverage", "cumc")  # the collision it would cause
    with pytest.raises(ConfigurationError, match="ending with a letter or digit"):
        check_hospital_code("cumc-")


@pytest.mark.parametrize("code", ["../x", "cumc-radiology\n", "cumc-r\u0430diology", "a" * 65])
def test_add_hospital_refuses_and_writes_nothing(db_engine: Engine, code: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        add_hospital(db_engine, code=code)
    assert caught.value.code == "INVALID_HOSPITAL_CODE"
    with db_engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(Hospital)).scalar() == 0
