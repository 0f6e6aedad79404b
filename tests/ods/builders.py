"""Generated .ods inputs: well-formed sheets, and every hostile shape the reader must refuse.

`sheet_xml` / `content_xml` write ODF table XML by hand, so the tests control repeats, covered
cells and white space exactly. `write_ods` packs it like LibreOffice (stored `mimetype` first);
`write_raw_zip` writes zip structures byte by byte, for headers that lie.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)

Cell = str | None  # plain text, None for empty, or raw XML starting with "<table:"


def cell_xml(value: Cell) -> str:
    if value is None or value == "":
        return "<table:table-cell/>"
    if value.startswith("<table:"):
        return value
    return (
        '<table:table-cell office:value-type="string">'
        f"<text:p>{escape(value)}</text:p></table:table-cell>"
    )


def row_xml(cells: Sequence[Cell], *, trailing: int = 0, repeated: int = 1) -> str:
    body = "".join(cell_xml(cell) for cell in cells)
    if trailing:
        body += f'<table:table-cell table:number-columns-repeated="{trailing}"/>'
    repeat = f' table:number-rows-repeated="{repeated}"' if repeated > 1 else ""
    return f"<table:table-row{repeat}>{body}</table:table-row>"


def sheet_xml(name: str, rows: Iterable[Sequence[Cell]], *, libreoffice_tail: bool = False) -> str:
    """A sheet; `libreoffice_tail` adds LibreOffice's trailing 16,000 x 1,048,000 empty repeats."""
    trailing = 16000 if libreoffice_tail else 0
    body = "".join(row_xml(row, trailing=trailing) for row in rows)
    if libreoffice_tail:
        body += row_xml([], trailing=16384, repeated=1048000)
    return f"<table:table table:name={quoteattr(name)}>{body}</table:table>"


def content_xml(sheets: Iterable[str], *, prolog: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        + prolog
        + f"<office:document-content {NAMESPACES}><office:body><office:spreadsheet>"
        + "".join(sheets)
        + "</office:spreadsheet></office:body></office:document-content>"
    ).encode()


def matrix_content(sheets: dict[str, Sequence[Sequence[Cell]]], **options: bool) -> bytes:
    return content_xml(sheet_xml(name, rows, **options) for name, rows in sheets.items())


def write_ods(
    path: Path,
    content: bytes,
    *,
    mimetype: bytes | None = ODS_MIMETYPE,
    compress_mimetype: bool = False,
    manifest: str | None = MANIFEST,
    extra: dict[str, bytes] | None = None,
) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        if mimetype is not None:
            kind = zipfile.ZIP_DEFLATED if compress_mimetype else zipfile.ZIP_STORED
            archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=kind)
        if manifest is not None:
            archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        for name, data in (extra or {}).items():
            archive.writestr(name, data, zipfile.ZIP_DEFLATED)
    return path


@dataclass(frozen=True)
class RawEntry:
    """A zip member as it will be written: `data` is already compressed when `method` is 8."""

    name: str
    data: bytes
    method: int
    crc: int
    file_size: int
    flags: int = 0


def stored(name: str, data: bytes) -> RawEntry:
    return RawEntry(name, data, 0, zlib.crc32(data), len(data))


def deflated(name: str, data: bytes, *, declared_size: int | None = None) -> RawEntry:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    packed = compressor.compress(data) + compressor.flush()
    size = len(data) if declared_size is None else declared_size
    return RawEntry(name, packed, 8, zlib.crc32(data), size)


def whitespace_bomb(name: str, size: int, *, declared_size: int | None = None) -> RawEntry:
    """`size` bytes of spaces, deflated without ever holding them: one compressed block of 1 MB
    of spaces, flushed so that it is independent of history, repeated."""
    block = b" " * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    unit = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert unit == again, "a full flush makes every block compress alike"
    count = size // len(block)
    data = unit * count + compressor.flush()
    declared = count * len(block) if declared_size is None else declared_size
    return RawEntry(name, data, 8, 0, declared)


def write_raw_zip(path: Path, entries: Sequence[RawEntry]) -> Path:
    """A zip file written field by field (no zip64), trusting every entry's declared sizes."""
    local = bytearray()
    central = bytearray()
    for entry in entries:
        name = entry.name.encode()
        offset = len(local)
        local += struct.pack(
            "<4s5H3L2H",
            b"PK\x03\x04",
            20,
            entry.flags,
            entry.method,
            0,
            0x21,
            entry.crc,
            len(entry.data),
            entry.file_size,
            len(name),
            0,
        )
        local += name + entry.data
        central += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            entry.flags,
            entry.method,
            0,
            0x21,
            entry.crc,
            len(entry.data),
            entry.file_size,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += name
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(local), 0
    )
    path.write_bytes(bytes(local) + bytes(central) + end)
    return path
