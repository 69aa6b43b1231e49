"""Content detection shared by every upload: the file's bytes decide its type and extension."""

from __future__ import annotations

import io
import os
import re
import secrets
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NamedTuple

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


# --------------------------------------------------------------------------- decoding
# (added by `hardening`: magic bytes only say what a file claims to be)

#: An uploaded image larger than this many pixels is refused before it is decoded.
MAX_IMAGE_PIXELS = 40_000_000


def decodes(kind: Kind, data: bytes) -> bool:
    """Tell whether the content really is what ``detect_kind`` said: images are decoded
    (Pillow), PDFs checked for their structure; other kinds are taken as detected."""
    if kind.mime in (PNG, JPEG):
        return _image_decodes(data, "PNG" if kind.mime == PNG else "JPEG")
    if kind.mime == PDF:
        return _pdf_is_whole(data)
    return True


def _image_decodes(data: bytes, image_format: str) -> bool:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data), formats=[image_format]) as image:
            width, height = image.size
            if not width or not height or width * height > MAX_IMAGE_PIXELS:
                return False
            image.verify()  # checksums (PNG chunks); verify() leaves the image unusable
        with Image.open(io.BytesIO(data), formats=[image_format]) as image:
            image.load()  # every pixel: a truncated or zero-filled body fails here
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return False
    return True


def _pdf_is_whole(data: bytes) -> bool:
    """A PDF has its header, objects, a trailer (or a cross-reference stream's startxref)
    and ends with ``%%EOF``: a renamed text file or a truncated upload does not."""
    return (
        data.startswith(b"%PDF-")
        and b"%%EOF" in data[-1024:]
        and re.search(rb"\d+\s+\d+\s+obj\b", data[:1_000_000]) is not None
        and (b"trailer" in data or b"startxref" in data)
    )


# --------------------------------------------------------------------------- storage
# (added by `hardening`)


class UploadStorageError(OSError):
    """The file could not be written (disk full, read-only or missing folder)."""


@contextmanager
def store_upload(folder: Path, data: bytes, ext: str = "") -> Iterator[str]:
    """Write ``data`` under a generated name in ``folder``; yield that name.

    Shared by every upload (centre logo, water-fund files): use it as
    ``with store_upload(folder, data, ext) as name: <set the row's name>; db.session.commit()``.
    The bytes go to a temporary name first and are moved into place in one rename, so a
    failure (ENOSPC, read-only folder, a file where the folder should be) never leaves a
    truncated file under a real name; the failure raises UploadStorageError, for a clear
    message that keeps the form. If the body fails (the commit), the file is removed: no
    file without its row. The rename happens before the commit: a crash between the two
    leaves an unreferenced file, never a row without its file."""
    name = secrets.token_hex(16) + ext
    temporary = folder / f".{name}.part"
    target = folder / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write(temporary, data)
        os.replace(temporary, target)
    except OSError as exc:
        with suppress(OSError):  # the folder itself may be what failed
            temporary.unlink(missing_ok=True)
        raise UploadStorageError(exc.errno, str(exc)) from exc
    try:
        yield name
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


# --------------------------------------------------------------------------- the one check


class UploadRefused(ValueError):
    """The file was refused; the message is for the user (shown next to the field)."""


class CheckedUpload(NamedTuple):
    """An accepted upload: its bytes, real type, the name to show and the extension to store."""

    data: bytes
    mime_type: str
    original_name: str
    ext: str


class UploadRule(NamedTuple):
    """What a domain accepts, and the messages it gives (each names the rule broken)."""

    max_bytes: int
    #: The accepted content types (None: every type ``detect_kind`` knows).
    mimes: frozenset[str] | None
    missing: Any
    too_big: Any
    wrong_kind: Any
    #: An image or PDF whose magic bytes are right but which does not decode.
    unreadable: Any = None
    #: A file of zero bytes (default: ``wrong_kind``).
    empty: Any = None


def check_upload(storage: Any, rule: UploadRule) -> CheckedUpload:
    """Read at most ``rule.max_bytes`` (+1) and check size, then real content, or refuse.

    The detected content decides the extension, whatever name the sender gave."""
    from werkzeug.utils import secure_filename

    if storage is None or not getattr(storage, "filename", None):
        raise UploadRefused(str(rule.missing))
    data = storage.read(rule.max_bytes + 1)
    if len(data) > rule.max_bytes:
        raise UploadRefused(str(rule.too_big))
    if not data:
        raise UploadRefused(str(rule.empty or rule.wrong_kind))
    kind = detect_kind(data)
    if kind is None or (rule.mimes is not None and kind.mime not in rule.mimes):
        raise UploadRefused(str(rule.wrong_kind))
    if not decodes(kind, data):
        raise UploadRefused(str(rule.unreadable or rule.wrong_kind))
    name = name_with_extension(secure_filename(storage.filename)[:190], kind.ext)
    return CheckedUpload(data, kind.mime, name, kind.ext)
