"""A flow's parameters as they arrive (from Python, the CLI, the UI's form or a REST body), checked
once at the edge and from then on passed as typed values.

The Annotated types are also the flows' signatures: Prefect turns them into the deployment's
parameter schema, so the UI's form shows the same bounds (months 1 to 24, the code's pattern).
Each refusal is a ConfigurationError with a stable code and a sentence that never echoes more
than a few characters of what was sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, ValidationError
from pydantic.json_schema import SkipJsonSchema

from schedcu.calendar import period_end
from schedcu.errors import ConfigurationError
from schedcu.hospital_code import HOSPITAL_CODE_PATTERN
from schedcu.orchestration import period_label
from schedcu.sources import allowed_location, readable_file
from schedcu.storage.location import Location, without_password

MAX_MONTHS = 24
FIRST_START = dt.date(2000, 1, 1)
LAST_START = dt.date(2099, 12, 31)
NIL_UUID = "00000000-0000-0000-0000-000000000000"
USER_ID_LENGTH = 200  # ScheduleVersion.created_by, VersionStatusChange.changed_by
REASON_LENGTH = 1000  # VersionStatusChange.reason
PATH_LENGTH = 4096
SHOWN_CHARS = 40

# The default of a parameter a run cannot do without (pydantic's "required" marker): the
# parameter schema, and so the UI's form, keeps it required, while a run started without it (a
# nightly deployment whose parameters were never set, a REST body that leaves it out) still
# reaches the flow, which refuses it with a coded sentence (`checked`), instead of failing in
# Prefect's argument binding with a Python "missing argument" error.
REQUIRED: Any = ...


def _not_nil(user_id: str) -> str:
    if user_id.casefold() == NIL_UUID:
        raise ValueError("the nil UUID names no one")
    return _printable(user_id)


def _printable(text: str, allowed: str = "") -> str:
    """`text` without control characters (but those `allowed`): a NUL is refused by PostgreSQL,
    and a line break or an escape sequence would forge lines in logs and the history."""
    if any(not char.isprintable() and char not in allowed for char in text):
        raise ValueError("control characters are not allowed")
    return text


def _reason_text(reason: str) -> str:
    return _printable(reason, allowed="\n")


HospitalCode = Annotated[
    str, StringConstraints(pattern=HOSPITAL_CODE_PATTERN), Field(examples=["cumc-radiology"])
]
Months = Annotated[int, Field(strict=True, ge=1, le=MAX_MONTHS, examples=[1, 3])]
StartDate = Annotated[dt.date, Field(ge=FIRST_START, le=LAST_START, examples=["2026-03-01"])]
UserId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=USER_ID_LENGTH),
    AfterValidator(_not_nil),
    Field(examples=["jsmith"]),
]
FilePath = Annotated[str, StringConstraints(min_length=1, max_length=PATH_LENGTH)]
TemplatePath = Annotated[
    FilePath,
    Field(
        examples=[
            "/srv/schedcu/templates/cumc-radiology.ods",
            "s3://cumc-schedules/templates/cumc-radiology.ods",
        ]
    ),
]
RosterPath = Annotated[
    FilePath,
    Field(
        examples=[
            "/srv/schedcu/templates/roster.yaml",
            "s3://cumc-schedules/templates/roster.yaml",
        ]
    ),
]
MAX_ID = 2**31 - 1  # the ids are INTEGER columns; a larger number would overflow SQLite's driver
VersionId = Annotated[int, Field(strict=True, ge=1, le=MAX_ID, examples=[12])]
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=REASON_LENGTH),
    AfterValidator(_reason_text),
    Field(examples=["The department approved the March rota"]),
]

# An optional parameter's schema in the run form: the value's own input (empty means the
# default), not a choice between the value and "None" (SkipJsonSchema drops the null branch).
OptionalStartDate = StartDate | SkipJsonSchema[None]
OptionalUserId = UserId | SkipJsonSchema[None]
OptionalRosterPath = RosterPath | SkipJsonSchema[None]
OptionalReason = Reason | SkipJsonSchema[None]

# What each parameter must be, said once: (code, sentence).
REFUSALS = {
    "hospital": (
        "INVALID_HOSPITAL_CODE",
        "The hospital code must be 1 to 64 lowercase letters (a-z), digits and dashes, starting "
        "and ending with a letter or digit (e.g. cumc-radiology)",
    ),
    "start_date": (
        "INVALID_PERIOD",
        f"The start date must be a date (YYYY-MM-DD) from {FIRST_START} to {LAST_START}",
    ),
    "months": (
        "INVALID_PERIOD",
        f"The number of months must be a whole number from 1 to {MAX_MONTHS}",
    ),
    "user_id": (
        "INVALID_USER_ID",
        f"The user id must be 1 to {USER_ID_LENGTH} characters, without control characters, "
        "and not the nil UUID; give the id of the person importing, or none",
    ),
    "promoted_by": (
        "INVALID_USER_ID",
        f"The person promoting must be named by their id: 1 to {USER_ID_LENGTH} characters, "
        "without control characters, and not the nil UUID",
    ),
    "reason": (
        "INVALID_REASON",
        f"The reason must be 1 to {REASON_LENGTH} characters, without control characters "
        "other than line breaks; or give none",
    ),
    "ods_path": (
        "ODS_NOT_READABLE",
        "The template must be given as the path or address (URL) of an .ods file",
    ),
    "roster_path": (
        "ROSTER_NOT_READABLE",
        "The roster must be given as the path or address (URL) of a YAML file",
    ),
    "version_id": ("NO_VERSION", "The schedule version must be given as its number (1 or more)"),
}


# What a run cannot do without, and what to set: (code, sentence).
NOT_SET = {
    "hospital": (
        "HOSPITAL_NOT_SET",
        "No hospital is set for this run: set `hospital` (and, for an import, `ods_path`) in the "
        "deployment's parameters (its Edit page in the UI, or `parameters:` in prefect.yaml), "
        "then run it again.",
    ),
    "ods_path": (
        "TEMPLATE_NOT_SET",
        "No template is set for this run: set `ods_path` (the template's path on the worker) in "
        "the deployment's parameters (its Edit page in the UI, or `parameters:` in prefect.yaml), "
        "then run it again.",
    ),
    "version_id": (
        "VERSION_NOT_SET",
        "No schedule version is set for this run: set `version_id` (its number is in the "
        "import's summary) in the run's parameters, then run it again.",
    ),
}


def given(value: Any) -> Any:
    """The value a caller gave, None for one left out (a REQUIRED parameter's default)."""
    return None if value is REQUIRED else value


class _Parameters(BaseModel):
    """Every parameter a flow may take; a flow fills those it has."""

    hospital: HospitalCode | None = None
    ods_path: FilePath | None = None
    start_date: StartDate | None = None
    months: Months = 1
    user_id: UserId | None = None
    roster_path: FilePath | None = None
    version_id: VersionId | None = None
    promoted_by: UserId | None = None
    reason: Reason | None = None


def checked(**parameters: Any) -> _Parameters:
    """The parameters as typed values, or the ConfigurationError of the first refused one (a
    required one left out or null first: the sentence says what to set)."""
    parameters = {name: given(value) for name, value in parameters.items()}
    for name, value in parameters.items():
        if name in NOT_SET and value is None:
            code, sentence = NOT_SET[name]
            raise ConfigurationError(sentence, code=code)
    try:
        return _Parameters.model_validate(parameters)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0])
        code, sentence = REFUSALS[name]
        raise ConfigurationError(f"{sentence} (got {_shown(error['input'])}).", code=code) from None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else f"{text[:SHOWN_CHARS]}... ({len(text)} chars)"


@dataclass(frozen=True, slots=True)
class ImportRequest:
    """What the import flow works on once its parameters passed the edge."""

    hospital: str
    ods_path: Path | Location
    start: dt.date
    months: int
    user_id: str | None = None
    roster_path: Path | Location | None = None

    @property
    def end(self) -> dt.date:
        return period_end(self.start, self.months)

    @property
    def period(self) -> str:
        return period_label(self.start, self.end)


def import_request(
    *, default_start: dt.date, sources: Sequence[str] | None, **parameters: Any
) -> ImportRequest:
    """The import's parameters checked: types and bounds, then the files. With `sources` (a run
    started from a deployment), the template and the roster must lie inside one of them."""
    values = checked(**parameters)
    assert values.hospital is not None and values.ods_path is not None
    return ImportRequest(
        hospital=values.hospital,
        ods_path=input_file(values.ods_path, sources, what="template", code="ODS_NOT_READABLE"),
        start=values.start_date or default_start,
        months=values.months,
        user_id=values.user_id,
        roster_path=(
            input_file(values.roster_path, sources, what="roster", code="ROSTER_NOT_READABLE")
            if values.roster_path
            else None
        ),
    )


@dataclass(frozen=True, slots=True)
class PromotionRequest:
    """What the promotion flow works on once its parameters passed the edge."""

    version_id: int
    promoted_by: str
    reason: str | None = None


def promotion_request(**parameters: Any) -> PromotionRequest:
    """The promotion's parameters checked: a version number and who promotes are required."""
    values = checked(**parameters)
    for name in ("version_id", "promoted_by"):
        if getattr(values, name) is None:
            code, sentence = REFUSALS[name]
            raise ConfigurationError(f"{sentence} (got None).", code=code)
    assert values.version_id is not None and values.promoted_by is not None
    return PromotionRequest(values.version_id, values.promoted_by, values.reason)


def input_file(path: str, sources: Sequence[str] | None, *, what: str, code: str) -> Location:
    """A file a run reads, a local path or a URL: never a URL with a password in it, inside the
    sources (when given), and a local one must be a readable file. A URL is read when the phase
    needs it (its errors are the storage's: STORAGE_NOT_FOUND, STORAGE_ACCESS_DENIED, ...)."""
    where = without_password(path, what=what)
    if sources is not None:
        where = allowed_location(where, sources, what=what)
    if where.path is not None:
        readable_file(where.path, what=what, code=code)
    return where
