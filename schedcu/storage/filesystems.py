"""The fsspec filesystem of a URL, with the time-outs of the settings, and the extra that brings a
protocol's package when it is missing.

Credentials are never passed here: each protocol finds them where it always does (S3: the
AWS_* variables, ~/.aws, an instance role; SFTP: ssh-agent, ~/.ssh keys; https: ~/.netrc), and
fsspec adds its own configuration (`FSSPEC_<PROTOCOL>_<OPTION>` variables, or JSON files in
FSSPEC_CONFIG_DIR) to the options. Every call makes a new filesystem instance: a cached one
would keep a connection that a restarted server has closed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from schedcu.errors import StorageProtocolUnavailable

# The pyproject extra that installs each protocol's package (`pip install "schedcu[s3]"`).
EXTRAS = {"s3": "s3", "s3a": "s3", "sftp": "sftp", "ssh": "sftp", "http": "http", "https": "http"}


def _s3(timeout: float) -> dict[str, Any]:
    # One attempt in botocore (s3fs itself retries a few errors): the task's retry policy
    # retries transient failures.
    return {
        "config_kwargs": {
            "signature_version": "s3v4",  # presigned links as S3 wants them (SigV2 is retired)
            "connect_timeout": timeout,
            "read_timeout": timeout,
            "retries": {"max_attempts": 1},
        },
    }


def _sftp(timeout: float) -> dict[str, Any]:
    return {"timeout": timeout, "banner_timeout": timeout, "auth_timeout": timeout}


def _http(timeout: float) -> dict[str, Any]:
    import aiohttp

    # trust_env: proxies and ~/.netrc (or $NETRC) credentials, as curl and requests read them.
    # block_size 0: one streamed GET. fsspec's default random access asks for 5 MB ranges, and a
    # server that ignores Range (many do) fails every read past the first block.
    timeouts = aiohttp.ClientTimeout(total=None, sock_connect=timeout, sock_read=timeout)
    return {"block_size": 0, "client_kwargs": {"timeout": timeouts, "trust_env": True}}


_OPTIONS: dict[str, Callable[[float], dict[str, Any]]] = {
    "s3": _s3,
    "s3a": _s3,
    "sftp": _sftp,
    "ssh": _sftp,
    "http": _http,
    "https": _http,
}


def protocol_of(url: str) -> str:
    return urlsplit(url).scheme.lower()


def open_filesystem(url: str, *, timeout: float) -> tuple[Any, str]:
    """The fsspec filesystem for `url` and the path inside it."""
    import fsspec

    protocol = protocol_of(url)
    try:
        options = _OPTIONS[protocol](timeout) if protocol in _OPTIONS else {}
        fs, path = fsspec.core.url_to_fs(url, skip_instance_cache=True, **options)
    except ImportError as exc:
        raise StorageProtocolUnavailable(_missing_package(protocol)) from exc
    except ValueError as exc:
        if "Protocol not known" not in str(exc):
            raise
        raise StorageProtocolUnavailable(
            f"schedcu cannot open {protocol}:// addresses: no fsspec package provides them."
        ) from exc
    if protocol in ("sftp", "ssh"):
        fs.ftp.get_channel().settimeout(timeout)  # paramiko's reads wait forever otherwise
    return fs, path


def _missing_package(protocol: str) -> str:
    extra = EXTRAS.get(protocol)
    if extra is not None:
        return (
            f"Reading {protocol}:// addresses needs an optional package that is not installed "
            f'here; install it with: pip install "schedcu[{extra}]".'
        )
    return (
        f"Reading {protocol}:// addresses needs the fsspec package for that protocol, which is "
        "not installed here (see fsspec's list of implementations)."
    )
