"""A run started from a deployment reads files only from the template sources: folders judged on
the resolved path (`..` and symlinks followed), URL prefixes on scheme, host, port and whole path
segments; a refusal says nothing of the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from schedcu.errors import StorageCredentialsInUrl, TemplateSourceNotAllowed
from schedcu.sources import allowed_location
from schedcu.storage.location import Location, location, without_password


def _allowed(given: str | Path, sources: list[str]) -> Location:
    return allowed_location(location(given), sources, what="template")


@pytest.fixture
def source(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    (folder / "cumc").mkdir(parents=True)
    (folder / "cumc" / "template.ods").write_bytes(b"x")
    (tmp_path / "secret.ods").write_bytes(b"x")
    (folder / "link.ods").symlink_to(tmp_path / "secret.ods")
    return folder


def test_a_file_inside_a_source_is_allowed_as_its_resolved_path(source: Path) -> None:
    given = source / "cumc" / ".." / "cumc" / "template.ods"
    assert _allowed(given, [str(source)]).path == source / "cumc" / "template.ods"


def test_a_file_url_is_a_local_path(source: Path) -> None:
    given = (source / "cumc" / "template.ods").as_uri()
    assert _allowed(given, [str(source)]).path == source / "cumc" / "template.ods"


@pytest.mark.parametrize("name", ["../secret.ods", "link.ods", "cumc/../../secret.ods"])
def test_a_path_leading_out_of_the_sources_is_refused(source: Path, name: str) -> None:
    with pytest.raises(TemplateSourceNotAllowed) as refused:
        _allowed(source / name, [str(source)])
    assert refused.value.code == "TEMPLATE_SOURCE_NOT_ALLOWED"


def test_the_refusal_is_the_same_for_a_file_that_exists_and_one_that_does_not(
    source: Path, tmp_path: Path
) -> None:
    messages = []
    for name in ("secret.ods", "no-such.ods"):
        with pytest.raises(TemplateSourceNotAllowed) as refused:
            _allowed(tmp_path / name, [str(source)])
        messages.append(refused.value.message)
    assert messages[0] == messages[1] and "secret" not in messages[0]


def test_a_folder_named_like_a_source_is_not_inside_it(source: Path) -> None:
    with pytest.raises(TemplateSourceNotAllowed):
        _allowed(source.parent / "templates-old" / "template.ods", [str(source)])


URL_SOURCES = ["s3://cumc-schedules/templates", "https://files.example.org:8443/schedcu/"]


@pytest.mark.parametrize(
    "url",
    [
        "s3://cumc-schedules/templates/cumc.ods",
        "s3://cumc-schedules/templates/2027/cumc.ods",
        "S3://CUMC-schedules/templates/cumc.ods",  # scheme and host are case-insensitive
        "https://files.example.org:8443/schedcu/cumc.ods",
        "https://reader@files.example.org:8443/schedcu/cumc.ods",  # a user name plays no part
        "https://files.example.org:8443/schedcu/cumc.ods?X-Amz-Signature=abc",
    ],
)
def test_a_url_below_a_prefix_is_allowed(url: str) -> None:
    assert _allowed(url, URL_SOURCES).url == url


@pytest.mark.parametrize(
    "url",
    [
        "s3://cumc-schedules/templates-old/cumc.ods",  # a sibling named like the prefix
        "s3://cumc-schedules/cumc.ods",
        "s3://cumc-schedules-2/templates/cumc.ods",  # another bucket
        "s3://cumc-schedules/templates/../private/cumc.ods",
        "s3://cumc-schedules/templates/%2e%2e/private/cumc.ods",
        "s3://cumc-schedules/templates/a%2f..%2f..%2fprivate.ods",
        "s3://cumc-schedules/templates//cumc.ods",
        "sftp://cumc-schedules/templates/cumc.ods",  # another scheme
        "http://files.example.org:8443/schedcu/cumc.ods",
        "https://files.example.org/schedcu/cumc.ods",  # another port
        "https://files.example.org:8443@evil.example.net:8443/schedcu/cumc.ods",
        "https://evil.example.net/files.example.org:8443/schedcu/cumc.ods",
        "https://files.example.org:99999/schedcu/cumc.ods",  # not a port
    ],
)
def test_a_url_outside_the_prefixes_is_refused(url: str) -> None:
    with pytest.raises(TemplateSourceNotAllowed):
        _allowed(url, URL_SOURCES)


def test_a_url_is_not_allowed_by_a_folder_nor_a_path_by_a_url(source: Path) -> None:
    with pytest.raises(TemplateSourceNotAllowed):
        _allowed("s3://cumc-schedules/templates/cumc.ods", [str(source)])
    with pytest.raises(TemplateSourceNotAllowed):
        _allowed(source / "cumc" / "template.ods", URL_SOURCES)


def test_a_url_with_a_password_is_refused_without_showing_it() -> None:
    with pytest.raises(StorageCredentialsInUrl) as refused:
        without_password("sftp://coordinator:Hunter2-pw@files.example.org/t.ods", what="template")
    assert refused.value.code == "STORAGE_CREDENTIALS_IN_URL"
    assert "Hunter2-pw" not in refused.value.message and "coordinator" not in refused.value.message


def test_the_public_form_of_a_url_drops_user_query_and_fragment() -> None:
    given = location("https://reader@files.example.org:8443/t/cumc.ods?token=s3cr3t#x")
    assert given.public == "https://files.example.org:8443/t/cumc.ods"
    assert given.name == "cumc.ods"
