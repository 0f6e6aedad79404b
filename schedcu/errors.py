"""Errors of schedcu, each with a stable code and a sentence for a scheduling coordinator.

    SchedcuError                      code, message, validation (the ValidationResult so far)
    ├── ConfigurationError            bad settings or arguments (unknown hospital, months < 1, ...)
    ├── SpreadsheetError              the .ods cannot be imported (phase 1, critical)
    │   ├── NotOds                    not a zip, empty, .xlsx renamed, no content.xml
    │   ├── EncryptedOds              password-protected document
    │   ├── TemplateTooLarge          inflates or repeats beyond the configured limits
    │   ├── MalformedOds              broken XML, DOCTYPE / entities, truncated stream
    │   └── UnusableTemplate          readable, but no known layout or no shift instance
    ├── AmionError                    phase 2
    │   ├── AmionLoginFailed          the access code was refused on the login page (permanent)
    │   ├── AmionBadCode              an export answered `NOFI=No file` (permanent)
    │   ├── AmionUnexpectedResponse   HTML or garbage where an export was expected (permanent)
    │   └── AmionTransient            timeout, 429, 5xx, connection reset (retried)
    ├── CoverageError                 phase 3
    └── PrefectApiError               the Prefect server named by PREFECT_API_URL
        ├── PrefectUnauthorized       it asks for credentials (PREFECT_API_AUTH_STRING)
        └── PrefectUnreachable        nothing answers there

`transient` says whether a retry can help; `is_transient` extends it to the database and the
network, and the task retry policies read only that. Foreign exceptions (zipfile, lxml,
Playwright, SQLAlchemy) are translated at their adapter, `from exc`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schedcu.validation import Severity, ValidationResult


class SchedcuError(Exception):
    """Base error. `str(err)` is the coordinator's sentence, never a traceback."""

    code: str = "SCHEDCU_ERROR"
    transient: bool = False

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        location: str | None = None,
        validation: ValidationResult | None = None,
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.location = location
        self.validation = validation if validation is not None else ValidationResult()
        if not any(m.code == self.code and m.severity is Severity.ERROR for m in self.validation):
            self.validation.error(self.code, message, location)


class ConfigurationError(SchedcuError):
    code = "INVALID_INPUT"


class SpreadsheetError(SchedcuError):
    code = "INVALID_ODS"


class NotOds(SpreadsheetError):
    code = "NOT_ODS"


class EncryptedOds(SpreadsheetError):
    code = "ENCRYPTED_ODS"


class TemplateTooLarge(SpreadsheetError):
    code = "TEMPLATE_TOO_LARGE"


class MalformedOds(SpreadsheetError):
    code = "MALFORMED_ODS"


class UnusableTemplate(SpreadsheetError):
    code = "UNKNOWN_LAYOUT"


@dataclass(frozen=True, slots=True)
class AmionEvidence:
    """What Amion showed when phase 2 failed, with the access code already masked.

    `url` uses `Lo=***`; `html` is the page's HTML; `screenshot_png` the page as a PNG (None when
    no page could be captured). The task layer turns these into Prefect artifacts.
    """

    url: str | None = None
    html: str | None = None
    screenshot_png: bytes | None = field(default=None, repr=False)


class AmionError(SchedcuError):
    code = "AMION_ERROR"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        location: str | None = None,
        validation: ValidationResult | None = None,
        evidence: AmionEvidence | None = None,
    ) -> None:
        super().__init__(message, code=code, location=location, validation=validation)
        self.evidence = evidence


class AmionLoginFailed(AmionError):
    code = "AMION_LOGIN_FAILED"


class AmionBadCode(AmionError):
    code = "AMION_BAD_CODE"


class AmionUnexpectedResponse(AmionError):
    code = "AMION_UNEXPECTED_RESPONSE"


class AmionTransient(AmionError):
    code = "AMION_TRANSIENT"
    transient = True


class CoverageError(SchedcuError):
    code = "COVERAGE_FAILED"


class PrefectApiError(SchedcuError):
    code = "PREFECT_API_ERROR"


class PrefectUnauthorized(PrefectApiError):
    code = "PREFECT_UNAUTHORIZED"


class PrefectUnreachable(PrefectApiError):
    code = "PREFECT_UNREACHABLE"


def is_transient(exc: BaseException) -> bool:
    """Whether trying again may succeed: a transient schedcu error, a lost or locked database
    connection, a network time-out or reset. Validation and other permanent errors are not."""
    import sqlalchemy.exc  # here, not at the top: light commands never load SQLAlchemy

    if isinstance(exc, SchedcuError):
        return exc.transient
    if isinstance(exc, sqlalchemy.exc.DBAPIError):
        return exc.connection_invalidated or isinstance(exc, sqlalchemy.exc.OperationalError)
    return isinstance(exc, ConnectionError | TimeoutError)
