"""Prefect's client errors as coded sentences, for the commands that talk to a Prefect server.

The one place where schedcu's commands meet Prefect's HTTP client: a 401 or 403 becomes
PREFECT_UNAUTHORIZED (the server has an auth string, and this process has none or another), a
refused connection, a time-out or a temporary server that does not start in time
PREFECT_UNREACHABLE. No message shows the credentials.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import httpx
from prefect.exceptions import PrefectHTTPStatusError
from prefect.settings import get_current_settings

from schedcu.errors import PrefectApiError, PrefectUnauthorized, PrefectUnreachable

REFUSED_STATUSES = frozenset({401, 403})
EPHEMERAL_TIMEOUT = "Timed out while attempting to connect to ephemeral Prefect API server"


def _server_url() -> str:
    """PREFECT_API_URL without any user or password in it."""
    url = get_current_settings().api.url or "the temporary Prefect server"
    parts = urlsplit(url)
    if parts.hostname is None:
        return url
    host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    return urlunsplit(parts._replace(netloc=host))


def _unauthorized() -> PrefectUnauthorized:
    if get_current_settings().api.auth_string is None:
        advice = (
            "set PREFECT_API_AUTH_STRING to the server's auth string "
            "(PREFECT_SERVER_API_AUTH_STRING on the server)"
        )
    else:
        advice = (
            "PREFECT_API_AUTH_STRING is set but is not the server's auth string; "
            "ask whoever runs the server for it"
        )
    return PrefectUnauthorized(f"The Prefect server at {_server_url()} asks who you are: {advice}.")


def _temporary_server_too_slow() -> PrefectUnreachable:
    return PrefectUnreachable(
        "The temporary Prefect server did not start in time (the machine may be busy): start one "
        "with `prefect server start` and export PREFECT_API_URL=http://127.0.0.1:4200/api, or "
        "allow it longer with PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS."
    )


def _unreachable() -> PrefectUnreachable:
    return PrefectUnreachable(
        f"Nothing answers at the Prefect server {_server_url()} (PREFECT_API_URL): start it "
        "with `prefect server start`, or unset PREFECT_API_URL to run on a temporary server."
    )


@contextmanager
def prefect_api_errors() -> Iterator[None]:
    """Inside the block, a refused or unreachable Prefect server raises its PrefectApiError."""
    failure: PrefectApiError
    try:
        yield
        return
    except PrefectHTTPStatusError as exc:
        if exc.response.status_code not in REFUSED_STATUSES:
            raise
        failure = _unauthorized()
    except (httpx.ConnectError, httpx.TimeoutException):
        failure = _unreachable()
    except RuntimeError as exc:
        # Prefect raises a bare RuntimeError when its temporary server does not answer in time;
        # its sentence is the only thing that tells it apart.
        if EPHEMERAL_TIMEOUT not in str(exc):
            raise
        failure = _temporary_server_too_slow()
    raise failure
