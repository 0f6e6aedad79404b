"""Reports put whole on a local folder, S3 (moto) and SFTP (OpenSSH), with the link their
artifact shows: a presigned address that opens on S3, the address as text elsewhere."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from schedcu.config import Settings
from schedcu.storage.reports import publish_report
from tests.utils.storage_servers import S3Server, SftpServer

SETTINGS = Settings(storage_timeout_s=5, report_link_days=2)


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "scratch" / "coverage-cumc-v3.ods"
    path.parent.mkdir()
    path.write_bytes(os.urandom(300_000))  # a report of a few hundred kB
    return path


def test_a_local_report_replaces_the_old_one_whole_and_leaves_no_partial_file(
    report: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "reports"
    (folder / "cumc").mkdir(parents=True)
    (folder / "cumc" / report.name).write_bytes(b"last month's")
    published = publish_report(report, str(folder), f"cumc/{report.name}", SETTINGS)
    assert (folder / "cumc" / report.name).read_bytes() == report.read_bytes()
    assert [p.name for p in (folder / "cumc").iterdir()] == [report.name]
    assert published.where == str((folder / "cumc" / report.name).resolve())
    assert published.link == (folder / "cumc" / report.name).resolve().as_uri()


def test_an_s3_report_is_one_whole_object_with_a_presigned_link_that_opens(
    report: Path, s3_worker: S3Server
) -> None:
    published = publish_report(report, s3_worker.url("reports"), report.name, SETTINGS)
    assert published.where == s3_worker.url(f"reports/{report.name}")
    listed = s3_worker.client().list_objects_v2(Bucket=s3_worker.bucket, Prefix="reports/")
    assert [item["Key"] for item in listed["Contents"]] == [f"reports/{report.name}"]
    assert published.link.startswith(s3_worker.endpoint) and "Signature" in published.link
    assert s3_worker.secret_key not in published.link
    assert httpx.get(published.link).content == report.read_bytes()


def test_an_sftp_report_is_renamed_into_place_with_its_address_as_the_link(
    report: Path, sftp_worker: SftpServer, tmp_path: Path
) -> None:
    folder = tmp_path / "share" / "reports"
    target = sftp_worker.url(folder)
    published = publish_report(report, target, report.name, SETTINGS)
    assert (folder / report.name).read_bytes() == report.read_bytes()
    assert [p.name for p in folder.iterdir()] == [report.name]
    assert (
        published.link
        == published.where
        == f"sftp://127.0.0.1:{sftp_worker.port}{folder}/{report.name}"
    )


def test_a_report_the_storage_refuses_is_access_denied(
    report: Path, s3_strict_worker: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong")
    with pytest.raises(Exception) as caught:
        publish_report(report, s3_strict_worker.url("reports"), report.name, SETTINGS)
    assert getattr(caught.value, "code", None) == "STORAGE_ACCESS_DENIED"
