"""Name normalisation shared by the template, Amion matching and coverage (ODS_LAYOUTS.md).

Names are compared after trimming, collapsing inner white space and case-folding; call positions
also drop inner spaces (`Mid 3` = `Mid3`); people also read `Last, First` as `First Last`.
The original spelling is always kept for display.
"""

from __future__ import annotations

import re

_WHITESPACE = re.compile(r"\s+")
MAX_SLUG = 128


def name_key(text: str) -> str:
    """`'  CHONY   Neuro '` -> `'chony neuro'`."""
    return _WHITESPACE.sub(" ", text).strip().casefold()


def position_key(text: str) -> str:
    """`'Mid 3'` and `'MID3'` -> `'mid3'`."""
    return _WHITESPACE.sub("", text).casefold()


def slug(*parts: str) -> str:
    """`slug("coverage", "CUMC Radiology")` -> `'coverage-cumc-radiology'`: lowercase letters,
    digits and dashes only, as Prefect wants for artifact keys and concurrency limit names, and
    at most MAX_SLUG characters, so that as a file name it stays one short name in its folder
    whatever it is given (a valid hospital code with its prefix is far shorter)."""
    text = re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).casefold()).strip("-")
    return text[:MAX_SLUG].rstrip("-")


def person_key(text: str) -> str:
    """`'Smith,  Jane'` and `'jane smith'` -> `'jane smith'`."""
    key = name_key(text)
    if key.count(",") == 1:
        last, first = (part.strip() for part in key.split(","))
        key = f"{first} {last}".strip()
    return key
