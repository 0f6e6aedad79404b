"""The hostile and broken inputs of issue 3, generated on demand (never stored)."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from pathlib import Path

from tests.ods.builders import (
    MANIFEST,
    ODS_MIMETYPE,
    content_xml,
    deflated,
    matrix_content,
    stored,
    whitespace_bomb,
    write_ods,
    write_raw_zip,
)

GB = 1024**3
SHEET = "Mid Weekday Body 5 - 6 pm"
GOOD_CONTENT = matrix_content({SHEET: [[None, "MidC"], ["CT", "x"]]})


def random_bytes(path: Path) -> Path:
    path.write_bytes(os.urandom(4096))
    return path


def empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def truncated_zip(path: Path) -> Path:
    write_ods(path, GOOD_CONTENT, extra={"Thumbnails/thumbnail.png": os.urandom(4096)})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def zip_without_content(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", ODS_MIMETYPE)
        archive.writestr("styles.xml", "<x/>")
    return path


def xlsx_renamed(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", '<Types xmlns="x"/>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    return path


ENCRYPTED_MANIFEST = MANIFEST.replace(
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>',
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml" '
    'manifest:size="2048"><manifest:encryption-data manifest:checksum-type="SHA1/1K" '
    'manifest:checksum="AAAA"><manifest:algorithm manifest:algorithm-name="Blowfish CFB" '
    'manifest:initialisation-vector="AAAA"/><manifest:key-derivation '
    'manifest:key-derivation-name="PBKDF2" manifest:iteration-count="1024" '
    'manifest:salt="AAAA"/></manifest:encryption-data></manifest:file-entry>',
)


def encrypted_ods(path: Path) -> Path:
    return write_ods(path, os.urandom(2048), manifest=ENCRYPTED_MANIFEST)


def zip_encrypted_ods(path: Path) -> Path:
    entry = deflated("content.xml", GOOD_CONTENT)
    flagged = type(entry)(entry.name, entry.data, entry.method, entry.crc, entry.file_size, 1)
    return write_raw_zip(path, [stored("mimetype", ODS_MIMETYPE), flagged])


def content_cut_mid_tag(path: Path) -> Path:
    cut = GOOD_CONTENT.index(b"<table:table-cell office:value-type") + 12
    return write_ods(path, GOOD_CONTENT[:cut])


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)


def billion_laughs(path: Path) -> Path:
    body = GOOD_CONTENT.replace(b'<?xml version="1.0" encoding="UTF-8"?>', b"")
    body = body.replace(b"<text:p>CT</text:p>", b"<text:p>&lol9;</text:p>")
    return write_ods(path, BILLION_LAUGHS.encode() + body)


def external_entity(path: Path) -> Path:
    prolog = '<!DOCTYPE office:document-content [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    content = content_xml([], prolog=prolog).replace(
        b"<office:spreadsheet>",
        b'<office:spreadsheet><table:table table:name="Mid 5 - 6 pm"><table:table-row>'
        b"<table:table-cell><text:p>&xxe;</text:p></table:table-cell></table:table-row>"
        b"</table:table>",
    )
    return write_ods(path, content)


def zip_bomb(path: Path) -> Path:
    """About 2 GB of white space in 2 MB, with an honest header."""
    return write_raw_zip(
        path, [stored("mimetype", ODS_MIMETYPE), whitespace_bomb("content.xml", 2 * GB)]
    )


def lying_header(path: Path) -> Path:
    """2 GB of white space whose header declares 50 kB (ratio and size checks pass)."""
    bomb = whitespace_bomb("content.xml", 2 * GB, declared_size=50_000)
    return write_raw_zip(path, [stored("mimetype", ODS_MIMETYPE), bomb])


def compression_ratio(path: Path) -> Path:
    """150 MB declared (under the size limit) in about 150 kB: a ratio of about 1000."""
    bomb = whitespace_bomb("content.xml", 150 * 1024**2)
    return write_raw_zip(path, [stored("mimetype", ODS_MIMETYPE), bomb])


def repeated_x(path: Path) -> Path:
    """1,048,000 repeated rows of `x` times 16,000 repeated columns, in a few hundred bytes."""
    body = (
        f'<table:table table:name="{SHEET}"><table:table-row table:number-rows-repeated="1048000">'
        '<table:table-cell table:number-columns-repeated="16000" office:value-type="string">'
        "<text:p>x</text:p></table:table-cell></table:table-row></table:table>"
    )
    return write_ods(path, content_xml([body]))


def repeated_rows(path: Path) -> Path:
    """1,048,000 repeated rows of 100 `x` (under the column cap)."""
    body = (
        f'<table:table table:name="{SHEET}"><table:table-row table:number-rows-repeated="1048000">'
        '<table:table-cell table:number-columns-repeated="100" office:value-type="string">'
        "<text:p>x</text:p></table:table-cell></table:table-row></table:table>"
    )
    return write_ods(path, content_xml([body]))


def text_document(path: Path) -> Path:
    return write_ods(path, GOOD_CONTENT, mimetype=b"application/vnd.oasis.opendocument.text")


# name -> (builder, expected error code)
HOSTILE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "random_bytes": (random_bytes, "NOT_ODS"),
    "empty_file": (empty_file, "NOT_ODS"),
    "truncated_zip": (truncated_zip, "MALFORMED_ODS"),
    "zip_without_content": (zip_without_content, "NOT_ODS"),
    "xlsx_renamed": (xlsx_renamed, "NOT_ODS"),
    "encrypted_ods": (encrypted_ods, "ENCRYPTED_ODS"),
    "zip_encrypted_ods": (zip_encrypted_ods, "ENCRYPTED_ODS"),
    "content_cut_mid_tag": (content_cut_mid_tag, "MALFORMED_ODS"),
    "billion_laughs": (billion_laughs, "MALFORMED_ODS"),
    "external_entity": (external_entity, "MALFORMED_ODS"),
    "zip_bomb_2gb": (zip_bomb, "TEMPLATE_TOO_LARGE"),
    "lying_header": (lying_header, "MALFORMED_ODS"),
    "compression_ratio": (compression_ratio, "TEMPLATE_TOO_LARGE"),
    "repeated_x_1048000_by_16000": (repeated_x, "TEMPLATE_TOO_LARGE"),
    "repeated_rows_1048000_by_100": (repeated_rows, "TEMPLATE_TOO_LARGE"),
    "text_document": (text_document, "NOT_ODS"),
}
