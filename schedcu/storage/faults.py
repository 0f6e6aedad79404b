"""What a storage library raised, as a coded sentence: not found, access denied, or unavailable
(a time-out, a 5xx, a connection lost mid-transfer; transient, so the task retries it).

fsspec turns the common cases into FileNotFoundError and PermissionError; the rest arrive as the
protocol library's own exceptions (botocore, aiohttp, paramiko), recognised here by their class
names and status codes so that none of those optional packages has to be imported.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

from schedcu.errors import (
    SchedcuError,
    StorageAccessDenied,
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
    coded error; a schedcu error passes through as it is."""
    if isinstance(exc, SchedcuError):
        return exc
    for cause in _chain(exc):
        names = _names(cause)
        status = _status(cause)
        if isinstance(cause, FileNotFoundError) or status == 404:
            return StorageNotFound(
                f"There is no {what} at {where}; check the address and the file's name."
            )
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
    return StorageError(
        f"The {what} at {where} could not be transferred ({type(exc).__name__}); see the "
        "worker's logs."
    )


def _unavailable(what: str, where: str) -> str:
    return (
        f"The storage at {where} is unavailable or broke off the transfer of the {what}; the run "
        "tries again."
    )
