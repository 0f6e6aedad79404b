"""The hospital code check, on its own so that the commands' argument parsing (every `--hospital`)
imports neither the database nor pydantic."""

from __future__ import annotations

import re

from schedcu.errors import ConfigurationError

# Starts and ends with a letter or digit: names built from a code (`slug`) drop outer dashes, so
# `cumc-` would share `cumc`'s artifact keys, concurrency limit and Amion secret block.
HOSPITAL_CODE_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
CODE_PATTERN = re.compile(HOSPITAL_CODE_PATTERN)
MAX_SHOWN = 40  # characters of a refused code quoted back (a 300-character one is cut)


def check_hospital_code(code: str) -> str:
    """`code` when it is a hospital code, else INVALID_HOSPITAL_CODE: the one check of every
    door a code comes in by (CLI, flow parameters), since codes become file names, artifact keys
    and concurrency-limit names. `fullmatch`: `$` alone would let a trailing newline through."""
    if not isinstance(code, str) or not CODE_PATTERN.fullmatch(code):
        shown = repr(code) if len(repr(code)) <= MAX_SHOWN else f"{repr(code)[:MAX_SHOWN]}..."
        raise ConfigurationError(
            f"The hospital code {shown} must be 1 to 64 lowercase letters (a-z), digits and "
            "dashes, starting and ending with a letter or digit (e.g. cumc-radiology).",
            code="INVALID_HOSPITAL_CODE",
        )
    return code
