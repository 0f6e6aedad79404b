"""What a storage library raised, as a coded sentence: not found, access denied, a server
certificate not trusted, or unavailable (a time-out, a 5xx, a connection lost mid-transfer;
transient, so the task retries it).

fsspec turns the common cases into FileNotFoundError and PermissionError; the rest arrive as the
protocol library's own exceptions (botocore, aiohttp, paramiko), recognised here by their class
names and status codes so that none of those optional packages has to be imported.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterator

from schedcu.errors import (
    SchedcuError,
    StorageAccessDenied,
    StorageCertificateUntrusted,
    StorageError,
    StorageNotFound,
    StorageUnavailable,
)

_DENIED_NAMES = {
    "AuthenticationException",  # paramiko: key or password refused
    "BadAuthenticationType",
    "NoCredentialsError",  # botocore: no credentials anywhere
    "PartialCredentialsError",
}
_TIMEOUT_NAMES = {
    "ReadTimeoutError",  # botocore
    "ConnectTimeoutError",
    "ServerTimeoutError",  # aiohttp
    "ConnectionTimeoutError",
    "SocketTimeoutError",
}
_UNAVAILABLE_NAMES = {
    "EndpointConnectionError",  # botocore: nothing answers
    "ConnectionClosedError",
    "ResponseStreamingError",  # botocore: the body ended early
    "IncompleteReadError",
    "ClientPayloadError",  # aiohttp: the body ended early
    "ServerDisconnectedError",
    "ClientConnectionError",
    "ClientConnectorError",
    "SSHException",  # paramiko: the session ended
    "EOFError",
}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def _status(exc: BaseException) -> int | None:
    """The HTTP status an aiohttp or botocore error carries."""
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        return status
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return code if isinstance(code, int) else None
    return None


def storage_error(exc: BaseException, *, what: str, where: str) -> SchedcuError:
    """`exc` (raised while reading or writing the `what` at `where`, a public address) as a
    coded error; a schedcu error passes through as it is.

    fsspec's http turns every failed HEAD and GET (a 401, a 503, a refused certificate, a
    refused connection) into a FileNotFoundError raised from the real error: such a wrapper
    counts as "not found" only when nothing under it says more."""
    if isinstance(exc, SchedcuError):
        return exc
    wrapped_not_found = False
    for cause in _chain(exc):
        if isinstance(cause, FileNotFoundError) and cause.__cause__ is not None:
            wrapped_not_found = True
            continue
        found = _classified(cause, what=what, where=where)
        if found is not None:
            return found
    if wrapped_not_found:
        return _not_found(what, where)
    return StorageError(
        f"The {what} at {where} could not be transferred ({type(exc).__name__}); see the "
        "worker's logs."
    )


def _classified(cause: BaseException, *, what: str, where: str) -> StorageError | None:
    """The coded error `cause` alone stands for, if it is one storage libraries raise."""
    names = _names(cause)
    status = _status(cause)
    if isinstance(cause, ssl.SSLCertVerificationError):  # aiohttp, botocore: the same class
        return StorageCertificateUntrusted(
            f"The server at {where} showed a certificate this worker does not trust (signed by "
            f"an unknown authority, expired, or made out to another name), so the {what} was "
            "not read. If the server's certificate comes from your organisation's own "
            "authority, give the worker that authority's certificate file in SSL_CERT_FILE; "
            "ask the storage's administrator."
        )
    if isinstance(cause, FileNotFoundError) or status == 404:
        return _not_found(what, where)
    if isinstance(cause, PermissionError) or names & _DENIED_NAMES or status in (401, 403):
        return StorageAccessDenied(
            f"The storage at {where} refused access to the {what}: the credentials of this "
            "worker are missing, wrong or not allowed to read it; ask the storage's "
            "administrator."
        )
    if (
        isinstance(cause, TimeoutError | socket.timeout | asyncio.TimeoutError)
        or names & _TIMEOUT_NAMES
    ):
        return StorageUnavailable(
            f"The storage at {where} did not answer in time while transferring the {what}; "
            "the run tries again.",
            code="STORAGE_TIMEOUT",
        )
    if (status is not None and status >= 500) or names & _UNAVAILABLE_NAMES:
        return StorageUnavailable(_unavailable(what, where))
    if isinstance(cause, ConnectionError):
        return StorageUnavailable(_unavailable(what, where))
    return None


def _not_found(what: str, where: str) -> StorageNotFound:
    return StorageNotFound(f"There is no {what} at {where}; check the address and the file's name.")


def _unavailable(what: str, where: str) -> str:
    return (
        f"The storage at {where} is unavailable or broke off the transfer of the {what}; the run "
        "tries again."
    )
