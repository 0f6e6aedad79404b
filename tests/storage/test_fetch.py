"""Templates read through real S3 (moto) and SFTP (OpenSSH) servers on 127.0.0.1: the same
template as from disk, hostile files refused with their disk codes, and each storage failure
with its own code. (https, whose trust comes from SSL_CERT_FILE at process start: test_https.py.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import fsspec.config
import pytest

from schedcu.config import Settings
from schedcu.errors import SchedcuError
from schedcu.ods.parse import parse_template
from schedcu.storage.fetch import opened
from schedcu.storage.location import location
from tests.ods.hostile import HOSTILE
from tests.utils.storage_servers import BreakingProxy, S3Server, SftpServer

SETTINGS = Settings(storage_timeout_s=2)
HOSTILE_CASES = ["zip_bomb_2gb", "xlsx_renamed", "encrypted_ods", "billion_laughs"]


def _read(url: str, settings: Settings = SETTINGS) -> dict:
    with opened(
        location(url), settings, what="template", limit=settings.ods_max_content_bytes
    ) as f:
        template, _ = parse_template(f.stream, settings=settings)
    return template.to_dict()


def _code(call: Callable[[], object]) -> SchedcuError:
    with pytest.raises(SchedcuError) as caught:
        call()
    assert "Traceback" not in caught.value.message
    return caught.value


@pytest.fixture
def s3_put(s3_worker: S3Server) -> Callable[[Path, str], str]:
    def put(path: Path, key: str) -> str:
        s3_worker.client().put_object(Bucket=s3_worker.bucket, Key=key, Body=path.read_bytes())
        return s3_worker.url(key)

    return put


@pytest.fixture
def proxy_to(request: pytest.FixtureRequest) -> Iterator[Callable[[int], BreakingProxy]]:
    proxies: list[BreakingProxy] = []

    def start(port: int) -> BreakingProxy:
        proxies.append(BreakingProxy(port))
        return proxies[-1]

    yield start
    for proxy in proxies:
        proxy.close()


def test_the_real_template_from_s3_is_the_template_on_disk(
    real_template_path: Path, s3_put: Callable[[Path, str], str]
) -> None:
    url = s3_put(real_template_path, "templates/cuSchedNormalized.ods")
    assert _read(url) == parse_template(real_template_path)[0].to_dict()


def test_the_real_template_over_sftp_is_the_template_on_disk(
    real_template_path: Path, sftp_worker: SftpServer
) -> None:
    assert _read(sftp_worker.url(real_template_path)) == (
        parse_template(real_template_path)[0].to_dict()
    )


@pytest.mark.parametrize("case", HOSTILE_CASES)
def test_a_hostile_file_from_s3_gets_its_disk_code(
    case: str, tmp_path: Path, s3_put: Callable[[Path, str], str]
) -> None:
    build, code = HOSTILE[case]
    url = s3_put(build(tmp_path / f"{case}.ods"), f"hostile/{case}.ods")
    assert _code(lambda: _read(url)).code == code


@pytest.mark.parametrize("case", HOSTILE_CASES)
def test_a_hostile_file_over_sftp_gets_its_disk_code(
    case: str, tmp_path: Path, sftp_worker: SftpServer
) -> None:
    build, code = HOSTILE[case]
    path = build(tmp_path / f"{case}.ods")
    assert _code(lambda: _read(sftp_worker.url(path))).code == code


def test_a_download_larger_than_the_limit_is_refused_before_parsing(
    real_template_path: Path, s3_put: Callable[[Path, str], str]
) -> None:
    url = s3_put(real_template_path, "templates/too-large.ods")
    small = Settings(storage_timeout_s=2, ods_max_content_bytes=10_000)
    error = _code(lambda: _read(url, small))
    assert error.code == "TEMPLATE_TOO_LARGE" and "too-large.ods" in error.message


def test_a_missing_object_and_a_missing_file_are_not_found(
    s3_worker: S3Server, sftp_worker: SftpServer, tmp_path: Path
) -> None:
    for url in (s3_worker.url("templates/no-such.ods"), sftp_worker.url(tmp_path / "no.ods")):
        error = _code(lambda url=url: _read(url))
        assert error.code == "STORAGE_NOT_FOUND", error.message
        assert not error.transient


def test_a_wrong_s3_secret_is_access_denied_and_never_shown(
    real_template_path: Path, s3_strict_worker: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "templates/cumc.ods"
    body = real_template_path.read_bytes()
    s3_strict_worker.client().put_object(Bucket=s3_strict_worker.bucket, Key=key, Body=body)
    url = s3_strict_worker.url(key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-Secret-Key-123")
    error = _code(lambda: _read(url))
    assert error.code == "STORAGE_ACCESS_DENIED" and not error.transient
    assert "wrong-Secret-Key-123" not in error.message


def test_an_unknown_sftp_key_is_access_denied(
    real_template_path: Path, sftp_server: SftpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = {"key_filename": str(sftp_server.wrong_key_file), "look_for_keys": False}
    monkeypatch.setitem(fsspec.config.conf, "sftp", options | {"allow_agent": False})
    error = _code(lambda: _read(sftp_server.url(real_template_path)))
    assert error.code == "STORAGE_ACCESS_DENIED", error.message


@pytest.mark.parametrize("hang", [False, True], ids=["stops", "hangs"])
def test_an_s3_server_that_stops_or_hangs_mid_download_is_transient(
    hang: bool,
    real_template_path: Path,
    s3_put: Callable[[Path, str], str],
    s3_worker: S3Server,
    proxy_to: Callable[[int], BreakingProxy],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = s3_put(real_template_path, "templates/cut.ods")
    proxy = proxy_to(int(s3_worker.endpoint.rsplit(":", 1)[1]))
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{proxy.port}")
    proxy.arm(after=real_template_path.stat().st_size // 2, hang=hang)
    error = _code(lambda: _read(url))
    assert error.transient, (error.code, error.message)
    assert error.code == ("STORAGE_TIMEOUT" if hang else "STORAGE_UNAVAILABLE"), error.message


@pytest.mark.parametrize("hang", [False, True], ids=["stops", "hangs"])
def test_an_sftp_server_that_stops_or_hangs_mid_download_is_transient(
    hang: bool,
    real_template_path: Path,
    sftp_worker: SftpServer,
    proxy_to: Callable[[int], BreakingProxy],
) -> None:
    proxy = proxy_to(sftp_worker.port)
    # The SSH handshake and the log-in take a few kB; the file's bytes come after them.
    proxy.arm(after=8_000 + real_template_path.stat().st_size // 2, hang=hang)
    error = _code(lambda: _read(sftp_worker.url(real_template_path, port=proxy.port)))
    assert error.transient, (error.code, error.message)
    assert error.code == ("STORAGE_TIMEOUT" if hang else "STORAGE_UNAVAILABLE"), error.message


def test_a_protocol_without_its_package_names_what_to_install() -> None:
    error = _code(lambda: _read("gcs://bucket/template.ods"))
    assert error.code == "STORAGE_PROTOCOL_UNAVAILABLE" and "gcs://" in error.message
