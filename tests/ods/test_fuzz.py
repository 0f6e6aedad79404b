"""Damaged files never escape as foreign exceptions: every failure is a SpreadsheetError."""

from __future__ import annotations

import io
import random
import zipfile

import pytest

from schedcu.errors import SpreadsheetError
from schedcu.ods import parse_template
from tests.ods.builders import matrix_content, write_ods

SHEETS = {
    "Mid Weekday Body 5 - 6 pm": [[None, "MidC", "MidL"], ["CT", "x", None], ["US", None, "X"]],
    "ON 1 am - 8 am": [[None, "ON1"], ["CT", "x"]],
}


@pytest.fixture(scope="module")
def valid_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("fuzz") / "valid.ods"
    return write_ods(path, matrix_content(SHEETS)).read_bytes()


PARSED = "parsed"
# The codes a spreadsheet can be refused with: each SpreadsheetError class's (schedcu/errors.py)
# and UnusableTemplate's NO_VALID_ROWS for a shift list without a valid row. Not the generic
# INVALID_ODS of the base class, which no refusal should fall back to.
DOCUMENTED = {error.code for error in SpreadsheetError.__subclasses__()} | {"NO_VALID_ROWS"}


def outcome(data: bytes) -> str:
    """`parsed`, or the code of the SpreadsheetError the file is refused with; any other
    exception escapes and fails the test."""
    try:
        parse_template(io.BytesIO(data))
    except SpreadsheetError as err:
        assert err.code in DOCUMENTED, (err.code, err.message)
        assert err.message.strip() and "Traceback" not in err.message
        return err.code
    return PARSED


@pytest.mark.parametrize("seed", range(150))
def test_flipped_bytes(valid_bytes: bytes, seed: int) -> None:
    rng = random.Random(seed)
    data = bytearray(valid_bytes)
    for _ in range(rng.randint(1, 8)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    assert outcome(bytes(data)) in DOCUMENTED | {PARSED}


@pytest.mark.parametrize("seed", range(60))
def test_damaged_content_xml(seed: int) -> None:
    rng = random.Random(seed)
    content = bytearray(matrix_content(SHEETS))
    for _ in range(rng.randint(1, 5)):
        content[rng.randrange(len(content))] = rng.choice(b"<>&\"'= x\x00\xff/")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", bytes(content), zipfile.ZIP_DEFLATED)
    assert outcome(buffer.getvalue()) in DOCUMENTED | {PARSED}


@pytest.mark.parametrize("cut", [10, 100, 200, 400, 600, 800, 1000])
def test_truncated_anywhere(valid_bytes: bytes, cut: int) -> None:
    assert outcome(valid_bytes[: min(cut, len(valid_bytes) - 1)]) in DOCUMENTED
