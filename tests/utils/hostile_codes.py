"""Hospital codes a caller must never get through: each is refused at every door (CLI, flow
parameters), and every builder of a name from a code (file names, artifact keys, concurrency-limit
names) keeps the result inside its folder and to letters, digits and dashes even when given one.
"""

from __future__ import annotations

HOSTILE_CODES: dict[str, str] = {
    "parent-folder": "../x",
    "escape-after-a-prefix": "/../../etc/x",
    "only-dots": "..",
    "backslashes": "..\\..\\x",
    "quotes": "cumc'\"radiology",
    "nul": "cumc\x00radiology",
    "trailing-newline": "cumc-radiology\n",
    "300-characters": "a" * 300,
    "65-characters": "a" * 65,
    "cyrillic-a": "cumc-r\u0430diology",
    "fullwidth-letters": "\uff43\uff55\uff4d\uff43",
    "kelvin-sign": "\u212aids-radiology",
    "space": "Demo Radiology",
    "bad-code": "Bad Code!",
    "uppercase": "CUMC",
    "leading-dash": "-cumc",
    "empty": "",
    "wildcards": "%_*",
}
# What a shell can pass as an argument (an argv string cannot hold NUL).
ARGV_CODES = {name: code for name, code in HOSTILE_CODES.items() if "\x00" not in code}
