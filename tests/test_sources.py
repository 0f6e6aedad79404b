"""A run started from a deployment reads files only from the template sources, judged on the
resolved path (`..` and symlinks followed), with a refusal that says nothing of the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from schedcu.errors import TemplateSourceNotAllowed
from schedcu.sources import allowed_path


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
    assert allowed_path(given, [source], what="template") == source / "cumc" / "template.ods"


@pytest.mark.parametrize("name", ["../secret.ods", "link.ods", "cumc/../../secret.ods"])
def test_a_path_leading_out_of_the_sources_is_refused(source: Path, name: str) -> None:
    with pytest.raises(TemplateSourceNotAllowed) as refused:
        allowed_path(source / name, [source], what="template")
    assert refused.value.code == "TEMPLATE_SOURCE_NOT_ALLOWED"


def test_the_refusal_is_the_same_for_a_file_that_exists_and_one_that_does_not(
    source: Path, tmp_path: Path
) -> None:
    messages = []
    for name in ("secret.ods", "no-such.ods"):
        with pytest.raises(TemplateSourceNotAllowed) as refused:
            allowed_path(tmp_path / name, [source], what="template")
        messages.append(refused.value.message)
    assert messages[0] == messages[1] and "secret" not in messages[0]


def test_a_folder_named_like_a_source_is_not_inside_it(source: Path) -> None:
    sibling = source.parent / "templates-old" / "template.ods"
    with pytest.raises(TemplateSourceNotAllowed):
        allowed_path(sibling, [source], what="template")
