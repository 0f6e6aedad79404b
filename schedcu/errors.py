"""Errors of schedcu, each with a stable code and a sentence for a scheduling coordinator.

    SchedcuError                      code, message, validation (the ValidationResult so far)
    ├── ConfigurationError            bad settings or arguments (unknown hospital, months < 1, ...)
    │   ├── ChromiumNotFound          no Chromium executable where the settings or the PATH say
    │   ├── RosterError               the roster file cannot be read or says something impossible
    │   ├── ScheduleFileError         the simulator's schedule file cannot be read
    │   └── TemplateSourceNotAllowed  a deployment run named a file outside the template sources
    ├── OrchestrationFailed           the run failed (bad request or phase 1); carries the result
    ├── SpreadsheetError              the .ods cannot be imported (phase 1, critical)
    │   ├── NotOds                    not a zip, empty, .xlsx renamed, no content.xml
    │   ├── EncryptedOds              password-protected document
    │   ├── TemplateTooLarge          inflates or repeats beyond the configured limits
    │   ├── MalformedOds              broken XML, DOCTYPE / entities, truncated stream
    │   └── UnusableTemplate          readable, but no known layout or no shift instance
    ├── AmionError                    phase 2
    │   ├── AmionNotConfigured        the hospital has no Amion address (permanent)
    │   ├── AmionLoginFailed          the access code was refused on the login page (permanent)
    │   ├── AmionBadCode              an export answered `NOFI=No file` (permanent)
    │   ├── AmionUnexpectedResponse   HTML or garbage where an export was expected (permanent)
    │   ├── AmionCodeMissing          no Secret block and no SCHEDCU_AMION_CODE for the hospital
    │   └── AmionTransient            timeout, 429, 5xx, connection reset (retried)
    ├── StorageError                  a template, roster or report on storage (schedcu/storage/)
    │   ├── StorageProtocolUnavailable  the URL's fsspec package is not installed (names the extra)
    │   ├── StorageCredentialsInUrl   a URL with a password, where credentials may not come from
    │   ├── StorageNotFound           no file at the URL
    │   ├── StorageAccessDenied       the storage refused the credentials or the rights
    │   ├── StorageCertificateUntrusted  an https server's certificate is not trusted here
    │   └── StorageUnavailable        time-out, 5xx, connection lost mid-download (retried)
    ├── CoverageError                 phase 3
    ├── VersionStatusRefused          a version cannot take that status (VERSION_ALREADY_ACTIVE)
    ├── PrefectApiError               the Prefect server named by PREFECT_API_URL
    │   ├── PrefectUnauthorized       it asks for credentials (PREFECT_API_AUTH_STRING)
    │   └── PrefectUnreachable        nothing answers there
    └── DatabaseError                 the database cannot be used (schedcu/db_faults.py)
        ├── DatabaseUrlInvalid        DATABASE_URL_INVALID: unparseable, unknown scheme/driver
        ├── DatabaseUnreachable       DATABASE_UNREACHABLE: refused, lost, shutting down
        ├── DatabaseBusy              DATABASE_BUSY: locked, deadlock, too many connections
        ├── DatabaseAccessDenied      DATABASE_ACCESS_DENIED: login refused, no such database
        ├── DatabaseReadOnly          DATABASE_READ_ONLY: the file or its folder cannot be written
        ├── DatabaseCorrupt           DATABASE_CORRUPT: not a SQLite database, or damaged
        ├── DatabaseFull              DATABASE_FULL: no space left
        ├── DatabaseNotMigrated       DATABASE_NOT_MIGRATED: behind the code, migrate-on-start off
        └── DatabaseTooNew            DATABASE_TOO_NEW: migrated by a newer schedcu; never used
            (Unreachable and Busy are transient: the task retry policies try them again)

`transient` says whether a retry can help; `is_transient` extends it to the database and the
network, and the task retry policies read only that. Foreign exceptions (zipfile, lxml,
Playwright, SQLAlchemy) are translated at their adapter, `from exc`; SQLAlchemy's at the engine
(`schedcu.db_faults`), so every statement, commit and connection attempt is covered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from schedcu.validation import Severity, ValidationResult

if TYPE_CHECKING:
    from schedcu.orchestration import OrchestrationResult


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


class ChromiumNotFound(ConfigurationError):
    code = "CHROMIUM_NOT_FOUND"


class RosterError(ConfigurationError):
    """The roster file cannot be read or says something impossible."""

    code = "INVALID_ROSTER"


class ScheduleFileError(ConfigurationError):
    code = "INVALID_SCHEDULE_FILE"


class TemplateSourceNotAllowed(ConfigurationError):
    """Says neither whether the file exists nor what it is: only that it may not be read."""

    code = "TEMPLATE_SOURCE_NOT_ALLOWED"


class OrchestrationFailed(SchedcuError):
    """The run failed (a refused request or a phase 1 error). Carries the result so far, so the
    CLI and the artifacts can still say what happened; code and message are the cause's."""

    code = "IMPORT_FAILED"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        location: str | None = None,
        validation: ValidationResult | None = None,
        result: OrchestrationResult | None = None,
    ) -> None:
        super().__init__(message, code=code, location=location, validation=validation)
        self.result = result


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

    `url` uses `Lo=***`; `html` is the page's HTML as the screenshot shows it (the masked DOM at
    the moment of the screenshot), or what Amion sent when no screenshot could be taken;
    `screenshot_png` the page as a PNG (None when no page could be captured). The task layer
    turns these into Prefect artifacts.
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


class AmionNotConfigured(AmionError):
    code = "AMION_NOT_CONFIGURED"


class AmionLoginFailed(AmionError):
    code = "AMION_LOGIN_FAILED"


class AmionBadCode(AmionError):
    code = "AMION_BAD_CODE"


class AmionUnexpectedResponse(AmionError):
    code = "AMION_UNEXPECTED_RESPONSE"


class AmionCodeMissing(AmionError):
    code = "AMION_CODE_MISSING"


class AmionTransient(AmionError):
    code = "AMION_TRANSIENT"
    transient = True


class StorageError(SchedcuError):
    code = "STORAGE_ERROR"


class StorageProtocolUnavailable(StorageError):
    code = "STORAGE_PROTOCOL_UNAVAILABLE"


class StorageCredentialsInUrl(StorageError):
    """A password inside a URL given as a parameter: it would be stored with the flow run."""

    code = "STORAGE_CREDENTIALS_IN_URL"


class StorageNotFound(StorageError):
    code = "STORAGE_NOT_FOUND"


class StorageAccessDenied(StorageError):
    code = "STORAGE_ACCESS_DENIED"


class StorageCertificateUntrusted(StorageError):
    """Not retried: the same certificate will be refused again until SSL_CERT_FILE is set."""

    code = "STORAGE_CERTIFICATE_UNTRUSTED"


class StorageUnavailable(StorageError):
    """A time-out (code STORAGE_TIMEOUT), a 5xx or a connection lost: trying again may help."""

    code = "STORAGE_UNAVAILABLE"
    transient = True


class CoverageError(SchedcuError):
    code = "COVERAGE_FAILED"


class VersionStatusRefused(SchedcuError):
    """A status change a version cannot make (promoting the ACTIVE version again)."""

    code = "VERSION_STATUS_REFUSED"


class PrefectApiError(SchedcuError):
    code = "PREFECT_API_ERROR"


class PrefectUnauthorized(PrefectApiError):
    code = "PREFECT_UNAUTHORIZED"


class PrefectUnreachable(PrefectApiError):
    code = "PREFECT_UNREACHABLE"


class DatabaseError(SchedcuError):
    code = "DATABASE_ERROR"


class DatabaseUrlInvalid(DatabaseError):
    code = "DATABASE_URL_INVALID"


class DatabaseUnreachable(DatabaseError):
    code = "DATABASE_UNREACHABLE"
    transient = True


class DatabaseBusy(DatabaseError):
    code = "DATABASE_BUSY"
    transient = True


class DatabaseAccessDenied(DatabaseError):
    code = "DATABASE_ACCESS_DENIED"


class DatabaseReadOnly(DatabaseError):
    code = "DATABASE_READ_ONLY"


class DatabaseCorrupt(DatabaseError):
    code = "DATABASE_CORRUPT"


class DatabaseFull(DatabaseError):
    code = "DATABASE_FULL"


class DatabaseNotMigrated(DatabaseError):
    code = "DATABASE_NOT_MIGRATED"


class DatabaseTooNew(DatabaseError):
    code = "DATABASE_TOO_NEW"


def is_transient(exc: BaseException) -> bool:
    """Whether trying again may succeed: a transient schedcu error (a lost, refused or locked
    database connection is one once the engine translated it), a network time-out or reset.
    An untranslated SQLAlchemy error is classified the same way; anything else, such as "no
    such table" or a syntax error, is permanent."""
    if isinstance(exc, SchedcuError):
        return exc.transient
    import sqlalchemy.exc  # here, not at the top: light commands never load SQLAlchemy

    if isinstance(exc, sqlalchemy.exc.DBAPIError):
        from schedcu.db_faults import is_transient_database_error

        return is_transient_database_error(exc)
    return isinstance(exc, ConnectionError | TimeoutError)
