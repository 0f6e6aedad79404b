"""Opening an uploaded .ods safely: zip directory checks first, then counted inflation.

Every byte is hostile (ODS_LAYOUTS.md). Nothing is inflated before the zip directory has been
checked: it is a zip, not an .xlsx, says it is a spreadsheet, holds `content.xml`, is not
encrypted, and declares a size and compression ratio within the limits. `content.xml` is then
inflated by `CountedInflater` in bounded chunks that are counted, so a local header that lies
about the size is caught after at most one chunk beyond the declared size.
`zipfile.ZipFile.read()` is never called on an uploaded member.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from schedcu.config import MB, Settings
from schedcu.errors import EncryptedOds, MalformedOds, NotOds, TemplateTooLarge
from schedcu.validation import ValidationResult

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
CONTENT = "content.xml"
MANIFEST = "META-INF/manifest.xml"
MANIFEST_NS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
MAX_MANIFEST_BYTES = 1 * MB
MAX_MIMETYPE_BYTES = 200
# Below this declared size a high compression ratio is harmless (a tiny, regular sheet).
RATIO_CHECK_MIN_BYTES = 1 * MB
CHUNK = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4s5HL2L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_OOXML_MARKERS = ("[Content_Types].xml", "xl/workbook.xml")
_ENCRYPTED_FLAG = 0x1
# What zipfile raises on a damaged directory (UnicodeDecodeError is a ValueError).
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    ValueError,
    EOFError,
    NotImplementedError,
    OverflowError,
    struct.error,
)


class CountedInflater(io.RawIOBase):
    """A read-only stream of one zip member's inflated bytes that never exceeds `limit`.

    Reads the member's compressed bytes from `fileobj` in chunks of at most `CHUNK`, inflates
    each with a bounded output size, and checks the CRC-32 and the declared size at the end.
    """

    def __init__(self, fileobj: BinaryIO, info: zipfile.ZipInfo, *, limit: int) -> None:
        super().__init__()
        self._file = fileobj
        self._info = info
        self._limit = min(limit, info.file_size)
        self._compressed_left = info.compress_size
        self._offset = _data_offset(fileobj, info)
        self._inflater = zlib.decompressobj(-zlib.MAX_WBITS) if info.compress_type else None
        self._pending = b""
        self._produced = 0
        self._crc = 0
        self._finished = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._next(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        return self._next(CHUNK if size is None or size < 0 else size)

    def _next(self, size: int) -> bytes:
        size = max(1, min(size, CHUNK))
        while not self._finished:
            if self._inflater is None:
                data = self._raw(size)
                ended = not data
            else:
                raw = self._pending or self._raw(CHUNK)
                try:
                    data = self._inflater.decompress(raw, size)
                except zlib.error as exc:
                    raise MalformedOds(
                        f"The file is damaged: {self._info.filename} cannot be decompressed; "
                        "save the spreadsheet again and retry."
                    ) from exc
                self._pending = self._inflater.unconsumed_tail
                ended = self._inflater.eof or (not raw and not data)
            self._produced += len(data)
            if self._produced > self._limit:
                self._too_much()
            self._crc = zlib.crc32(data, self._crc)
            if ended:
                self._finish()
            if data:
                return data
        return b""

    def _raw(self, size: int) -> bytes:
        if self._compressed_left <= 0:
            return b""
        self._file.seek(self._offset)
        raw = self._file.read(min(size, self._compressed_left))
        if not raw:
            raise MalformedOds(
                "The file is damaged: it ends in the middle of the spreadsheet's content "
                "(was the upload cut short?)."
            )
        self._offset += len(raw)
        self._compressed_left -= len(raw)
        return raw

    def _too_much(self) -> None:
        if self._produced > self._info.file_size:
            raise MalformedOds(
                f"The file is damaged or crafted: {self._info.filename} holds more data than its "
                f"zip header declares ({self._info.file_size:,} bytes)."
            )
        raise TemplateTooLarge(
            f"{self._info.filename} inflates beyond the limit of {self._limit:,} bytes."
        )

    def _finish(self) -> None:
        self._finished = True
        if self._produced != self._info.file_size or self._crc != self._info.CRC:
            raise MalformedOds(
                f"The file is damaged: {self._info.filename} does not match its zip header "
                "(size or checksum); save the spreadsheet again and retry."
            )


def _data_offset(fileobj: BinaryIO, info: zipfile.ZipInfo) -> int:
    """Where a member's compressed bytes start, read from its local file header."""
    header = b""
    if info.header_offset >= 0:
        fileobj.seek(info.header_offset)
        header = fileobj.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != _LOCAL_SIGNATURE:
        raise MalformedOds(
            f"The file is damaged: the zip entry {info.filename} cannot be found where the "
            "directory says."
        )
    name_length, extra_length = struct.unpack("<2H", header[26:30])
    return info.header_offset + _LOCAL_HEADER.size + name_length + extra_length


def _open_zip(fileobj: BinaryIO) -> zipfile.ZipFile:
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(0)
    if size == 0:
        raise NotOds("The file is empty; choose the saved .ods spreadsheet and upload it again.")
    head = fileobj.read(4)
    fileobj.seek(0)
    try:
        return zipfile.ZipFile(fileobj)
    except _ZIP_ERRORS as exc:
        if head == _LOCAL_SIGNATURE:
            raise MalformedOds(
                "The file is damaged or incomplete (was the upload cut short?); save the "
                "spreadsheet again and retry."
            ) from exc
        raise NotOds(
            "This file is not an ODS spreadsheet; save the template from LibreOffice or Excel "
            "as .ods (OpenDocument Spreadsheet)."
        ) from exc


def _small_member(fileobj: BinaryIO, info: zipfile.ZipInfo, limit: int) -> bytes:
    if info.file_size > limit:
        raise TemplateTooLarge(f"{info.filename} is larger than {limit:,} bytes.")
    return CountedInflater(fileobj, info, limit=limit).readall()


def _check_mimetype(fileobj: BinaryIO, archive: zipfile.ZipFile, result: ValidationResult) -> None:
    infos = archive.infolist()
    entry = next((info for info in infos if info.filename == "mimetype"), None)
    if entry is None:
        result.info("MISSING_MIMETYPE", "The file has no mimetype entry; reading it anyway.")
        return
    mimetype = _small_member(fileobj, entry, MAX_MIMETYPE_BYTES).decode("ascii", "replace")
    if mimetype.strip() != ODS_MIMETYPE:
        raise NotOds(
            f"This OpenDocument file is not a spreadsheet ({mimetype.strip()[:80]!r}); save the "
            "template as .ods."
        )
    if entry.compress_type != zipfile.ZIP_STORED or infos[0] is not entry:
        result.info(
            "UNUSUAL_ZIP_LAYOUT",
            "The file's mimetype entry is compressed or not first (written by a tool other "
            "than LibreOffice); reading it anyway.",
        )


def _check_not_encrypted(fileobj: BinaryIO, archive: zipfile.ZipFile) -> None:
    if any(info.flag_bits & _ENCRYPTED_FLAG for info in archive.infolist()):
        raise EncryptedOds(_ENCRYPTED_MESSAGE)
    try:
        info = archive.getinfo(MANIFEST)
    except KeyError:
        return
    manifest = parse_small_xml(_small_member(fileobj, info, MAX_MANIFEST_BYTES), MANIFEST)
    if manifest.find(f".//{{{MANIFEST_NS}}}encryption-data") is not None:
        raise EncryptedOds(_ENCRYPTED_MESSAGE)


_ENCRYPTED_MESSAGE = (
    "The spreadsheet is password-protected; open it, remove the password (File > Properties > "
    "Security in LibreOffice) and save it again."
)


def parse_small_xml(data: bytes, name: str) -> etree._Element:
    """A small XML member, parsed without entities, network or DOCTYPE."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise MalformedOds(f"The file is damaged: {name} is not valid XML ({exc}).") from exc
    if root.getroottree().docinfo.doctype:
        raise MalformedOds(f"{name} declares a DOCTYPE, which a spreadsheet never needs.")
    return root


def _content_info(archive: zipfile.ZipFile, settings: Settings) -> zipfile.ZipInfo:
    try:
        info = archive.getinfo(CONTENT)
    except KeyError:
        raise NotOds(
            "The file is a zip archive but not a spreadsheet (it has no content.xml); save the "
            "template as .ods."
        ) from None
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise NotOds("The spreadsheet's content uses an unsupported compression method.")
    limit = settings.ods_max_content_bytes
    if info.file_size > limit:
        raise TemplateTooLarge(
            f"The spreadsheet's content declares {info.file_size:,} bytes, more than the limit "
            f"of {limit:,} bytes; remove unused sheets or rows."
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > RATIO_CHECK_MIN_BYTES and ratio > settings.ods_max_compression_ratio:
        raise TemplateTooLarge(
            f"The spreadsheet's content is compressed {ratio:,.0f} to 1, more than the limit of "
            f"{settings.ods_max_compression_ratio:,.0f}; this is not a normal spreadsheet."
        )
    return info


@contextmanager
def open_content(
    source: Path | BinaryIO, settings: Settings, result: ValidationResult
) -> Iterator[CountedInflater]:
    """The inflated `content.xml` of a checked .ods, as a counted stream."""
    with _binary(source) as fileobj:
        archive = _open_zip(fileobj)
        names = set(archive.namelist())
        if any(marker in names for marker in _OOXML_MARKERS):
            raise NotOds(
                "This is an Excel workbook (.xlsx) renamed to .ods; open it and save it as .ods "
                "(OpenDocument Spreadsheet)."
            )
        info = _content_info(archive, settings)
        _check_mimetype(fileobj, archive, result)
        _check_not_encrypted(fileobj, archive)
        yield CountedInflater(fileobj, info, limit=settings.ods_max_content_bytes)


@contextmanager
def _binary(source: Path | BinaryIO) -> Iterator[BinaryIO]:
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise NotOds(f"The file {path.name} does not exist or is not a file.")
        with path.open("rb") as handle:
            yield handle
        return
    if not source.seekable():
        raise NotOds("The spreadsheet must be given as a file or a seekable stream.")
    yield source
