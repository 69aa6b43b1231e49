"""Content detection shared by every upload: the file's bytes decide its type and extension."""

from __future__ import annotations

import io
import zipfile
from typing import NamedTuple

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"

# The extension a stored file gets for each detected type; never the one the sender chose.
EXTENSIONS = {
    PDF: ".pdf",
    PNG: ".png",
    JPEG: ".jpg",
    DOC: ".doc",
    XLS: ".xls",
    DOCX: ".docx",
    XLSX: ".xlsx",
    ODT: ".odt",
    ODS: ".ods",
}


class Kind(NamedTuple):
    mime: str
    ext: str


def _kind(mime: str) -> Kind:
    return Kind(mime, EXTENSIONS[mime])


def _zip_kind(data: bytes) -> Kind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            odf_type = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    if "[Content_Types].xml" in names:
        if any(n.startswith("word/") for n in names):
            return _kind(DOCX)
        if any(n.startswith("xl/") for n in names):
            return _kind(XLSX)
    if odf_type == ODT.encode():
        return _kind(ODT)
    if odf_type == ODS.encode():
        return _kind(ODS)
    return None


def detect_kind(data: bytes) -> Kind | None:
    """Return the (mime, ext) the content really is, or None when it is not an accepted kind."""
    if data.startswith(b"%PDF-"):
        return _kind(PDF)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _kind(PNG)
    if data.startswith(b"\xff\xd8\xff"):
        return _kind(JPEG)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # Legacy Office compound file: a workbook has a "Workbook" (or "Book") stream.
        if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
            return _kind(XLS)
        return _kind(DOC)
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return None


def name_with_extension(original_name: str, ext: str) -> str:
    """Give a download name the extension of its detected content (« y.html » -> « y.pdf »)."""
    stem = original_name.rsplit(".", 1)[0] if "." in original_name else original_name
    return f"{stem or 'fichier'}{ext}"
