"""Templates read over https from a real server on 127.0.0.1 (tests/utils/storage_servers.py),
through the installed `schedcu ods inspect` as a worker runs it.

aiohttp loads the certificates it trusts when it is imported, so the server's CA reaches the
client only through SSL_CERT_FILE in a process that starts with it: each read is a subprocess.
The server asks for Basic authentication, which the client finds in a netrc file (NETRC, or
~/.netrc), as the README says. (The import flow over https: tests/cli/test_import_cli.py.)
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.ods.hostile import HOSTILE, random_bytes
from tests.utils.storage_servers import BreakingProxy, HttpsServer

SCHEDCU = str(Path(sys.executable).parent / "schedcu")
HOSTILE_CASES = ["zip_bomb_2gb", "xlsx_renamed", "encrypted_ods", "billion_laughs", "empty_file"]


def _inspect(target: str, env: dict[str, str]) -> tuple[int, dict, str]:
    """`schedcu ods inspect TARGET --json`: exit code, report, standard error."""
    done = subprocess.run(
        [SCHEDCU, "ods", "inspect", target, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done.returncode, json.loads(done.stdout), done.stderr


def _refusal(target: str, env: dict[str, str]) -> dict:
    """The one ERROR of a file `schedcu ods inspect` refuses."""
    code, report, _ = _inspect(target, env)
    assert code == 1 and report["layout"] is None, report
    [error] = report["validation"]
    assert error["severity"] == "ERROR"
    return error


@pytest.fixture
def served(https_server: HttpsServer) -> Iterator[Callable[[Path], str]]:
    """Put a file on the server under a name of this test's own: its https URL."""
    names: list[Path] = []

    def serve(source: Path) -> str:
        name = f"{uuid.uuid4().hex[:8]}-{source.name}"
        names.append(https_server.files / name)
        names[-1].write_bytes(source.read_bytes())
        return https_server.url(name)

    yield serve
    for path in names:
        path.unlink()


def test_the_real_template_over_https_reads_as_from_disk(
    real_template_path: Path, served: Callable[[Path], str], https_client_env: dict[str, str]
) -> None:
    url = served(real_template_path)
    from_disk = _inspect(str(real_template_path), https_client_env)
    over_https = _inspect(url, https_client_env)
    assert from_disk[0] == over_https[0] == 0
    assert over_https[1] == from_disk[1]
    assert over_https[1]["layout"] and over_https[1]["sheets"]


def test_the_login_comes_from_the_home_folder_netrc(
    real_template_path: Path,
    served: Callable[[Path], str],
    https_server: HttpsServer,
    https_client_env: dict[str, str],
    tmp_path: Path,
) -> None:
    home = tmp_path / "coordinator"
    home.mkdir()
    https_server.netrc(home / ".netrc")
    env = {k: v for k, v in https_client_env.items() if k != "NETRC"} | {"HOME": str(home)}
    code, report, _ = _inspect(served(real_template_path), env)
    assert code == 0 and report["importable"]


@pytest.mark.parametrize("case", HOSTILE_CASES)
def test_a_hostile_file_over_https_gets_its_disk_code(
    case: str, tmp_path: Path, served: Callable[[Path], str], https_client_env: dict[str, str]
) -> None:
    build, code = HOSTILE[case]
    url = served(build(tmp_path / f"{case}.ods"))
    assert _refusal(url, https_client_env)["code"] == code


def test_a_file_larger_than_fsspec_blocks_from_a_server_without_ranges_is_read_whole(
    tmp_path: Path, served: Callable[[Path], str], https_client_env: dict[str, str]
) -> None:
    """http.server ignores Range headers: the download is one streamed GET, so a 12 MB file
    (fsspec's random access reads 5 MB blocks) reaches the archive checks whole and gets its
    disk code."""
    path = tmp_path / "large.ods"
    path.write_bytes(random_bytes(tmp_path / "head.ods").read_bytes() * 3072)  # 12 MB
    assert _refusal(served(path), https_client_env)["code"] == "NOT_ODS"


def test_a_missing_file_is_not_found(
    https_server: HttpsServer, https_client_env: dict[str, str]
) -> None:
    error = _refusal(https_server.url("no-such-template.ods"), https_client_env)
    assert error["code"] == "STORAGE_NOT_FOUND", error
    assert "no-such-template.ods" in error["message"]


@pytest.mark.parametrize("login", ["none", "wrong-password"])
def test_a_missing_or_wrong_login_is_access_denied(
    login: str,
    real_template_path: Path,
    served: Callable[[Path], str],
    https_server: HttpsServer,
    https_client_env: dict[str, str],
    tmp_path: Path,
) -> None:
    netrc = tmp_path / "other-netrc"
    if login == "none":
        netrc.write_text("")
    else:
        https_server.netrc(netrc, password="Not-the-pw-3")
    env = https_client_env | {"NETRC": str(netrc)}
    code, report, stderr = _inspect(served(real_template_path), env)
    assert code == 1
    assert [m["code"] for m in report["validation"]] == ["STORAGE_ACCESS_DENIED"]
    assert "Not-the-pw-3" not in json.dumps(report) + stderr


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (403, "STORAGE_ACCESS_DENIED"),
        (500, "STORAGE_UNAVAILABLE"),
        (503, "STORAGE_UNAVAILABLE"),
    ],
)
def test_an_http_status_gets_its_code(
    status: int,
    expected: str,
    real_template_path: Path,
    served: Callable[[Path], str],
    https_server: HttpsServer,
    https_client_env: dict[str, str],
) -> None:
    url = served(real_template_path)
    https_server.statuses["/" + url.rpartition("/")[2]] = status
    assert _refusal(url, https_client_env)["code"] == expected


@pytest.mark.parametrize("hang", [False, True], ids=["stops", "hangs"])
def test_a_server_that_stops_or_hangs_mid_download_gets_its_code(
    hang: bool,
    real_template_path: Path,
    served: Callable[[Path], str],
    https_server: HttpsServer,
    https_client_env: dict[str, str],
) -> None:
    """http.server closes each connection after one answer: the HEAD passes whole, the GET
    (TLS handshake, headers and half the template) is cut or stalled."""
    name = served(real_template_path).rpartition("/")[2]
    proxy = BreakingProxy(https_server.port)
    try:
        proxy.arm(after=real_template_path.stat().st_size // 2, hang=hang)
        env = https_client_env | {"SCHEDCU_STORAGE_TIMEOUT_S": "3"}
        error = _refusal(https_server.url(name, port=proxy.port), env)
    finally:
        proxy.close()
    assert error["code"] == ("STORAGE_TIMEOUT" if hang else "STORAGE_UNAVAILABLE"), error


def test_a_server_whose_certificate_is_not_trusted_is_refused_with_a_sentence(
    real_template_path: Path, served: Callable[[Path], str], https_client_env: dict[str, str]
) -> None:
    env = {k: v for k, v in https_client_env.items() if k != "SSL_CERT_FILE"}
    error = _refusal(served(real_template_path), env)
    assert error["code"] == "STORAGE_CERTIFICATE_UNTRUSTED", error
    assert "SSL_CERT_FILE" in error["message"]
