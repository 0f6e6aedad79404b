"""The example department used by `make demo`, the Amion simulator's default data and tests.

Shaped like the real template (Mid and ON categories, Body/Neuro scenarios, a narrower weekend
window that overrides a wider one) but small. The `.ods`, the roster YAML and the Amion month are
generated from these constants by `schedcu.examples`' writers; nothing is copied from a real file.
"""

from __future__ import annotations

from typing import Final

HOSPITAL_CODE: Final = "demo-radiology"
HOSPITAL_NAME: Final = "Demo Radiology"

STUDY_TYPES: Final = (
    "Main CT Neuro",
    "Main CT Body",
    "Main MR Neuro",
    "Main MR Body",
    "Main US",
    "Kids Neuro",
    "North CT Neuro",
    "North CT Body",
)

# sheet name -> {position (display spelling) -> study types it reads}; file order is kept.
SHEETS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "Mid Weekday Neuro 5 pm - 12 am": {
        "MidC": ("Main CT Neuro", "Main CT Body", "Main US"),
        "MidL": ("Main MR Neuro", "Main MR Body", "Kids Neuro"),
        "Mid 3": ("North CT Neuro", "North CT Body"),
    },
    "Mid Weekday Body 5 pm - 12 am": {
        "Mid Body": ("Main CT Body", "Main MR Body", "Main US", "North CT Body"),
        "Mid Neuro": ("Main CT Neuro", "Main MR Neuro", "Kids Neuro"),
        "Mid 3": ("North CT Neuro",),
    },
    "Mid Weekend 5 pm - 12 am": {
        "MidC": ("Main CT Neuro", "Main CT Body", "Main US", "Kids Neuro"),
        "MidL": ("Main MR Neuro", "Main MR Body", "North CT Neuro", "North CT Body"),
    },
    "Mid Weekend 10pm-Midnight": {
        "MidC": ("Main CT Neuro", "Main CT Body", "Main MR Neuro", "Main MR Body", "Main US"),
    },
    "ON Neuro 12am-8am": {
        "ON1": ("Main CT Neuro", "Main MR Neuro", "Kids Neuro", "North CT Neuro"),
        "ON2": ("Main CT Body", "Main MR Body", "Main US", "North CT Body"),
    },
    "ON Body 12am-8am": {
        "ON Body": ("Main CT Body", "Main MR Body", "Main US", "North CT Body"),
        "ON Neuro": ("Main CT Neuro", "Main MR Neuro", "Kids Neuro", "North CT Neuro"),
    },
}

# (name, Amion staff id, specialty, aliases Amion may use)
PEOPLE: Final = (
    ("Jane Smith", "4711", "BODY_ONLY", ("Smith, J",)),
    ("Omar Haddad", "4712", "NEURO_ONLY", ()),
    ("Li Wei", "4713", "BOTH", ("Wei, Li",)),
    ("Maria Garcia", "4714", "BOTH", ()),
    ("Ken Okafor", "4715", "NEURO_ONLY", ("K. Okafor",)),
    ("Sara Cohen", "4716", "BOTH", ()),
    ("Paul Martin", "4717", "BODY_ONLY", ()),
    ("Ana Costa", "4718", "BOTH", ()),
)

SPLITTABLE: Final = {"ON": ("ON1", "ON2"), "Mid": ("MidC", "MidL")}
