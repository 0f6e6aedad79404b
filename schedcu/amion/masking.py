"""Keep the Amion access code out of everything a person or a machine may read back.

The code travels in export URLs (`Lo=...`) and is typed into the login page. Every URL, message,
page and log line that leaves the client goes through `mask` first.
"""

from __future__ import annotations

import re
from urllib.parse import quote, quote_plus

MASK = "***"
_LO_PARAMETER = re.compile(r"(?i)(\bLo=)[^&#\s\"'<>]*")


def mask(text: str, code: str | None) -> str:
    """`text` with `Lo=<anything>` shown as `Lo=***` and every other spelling of `code` hidden."""
    masked = _LO_PARAMETER.sub(lambda m: m.group(1) + MASK, text)
    if code:
        for spelling in {code, quote(code, safe=""), quote_plus(code)}:
            masked = masked.replace(spelling, MASK)
    return masked
