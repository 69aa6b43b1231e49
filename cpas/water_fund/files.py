"""Upload checks: size and real content (magic bytes), stored under generated names."""

from __future__ import annotations

import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

MAX_BYTES = 10 * 1024 * 1024
FILE_TYPES = {
    "devis": "Devis",
    "facture": "Facture",
    "preuve_paiement": "Preuve de paiement",
    "courrier": "Courrier",
    "autre": "Autre",
}


class UploadRefused(ValueError):
    """The file was refused; the message is for the user."""


@dataclass
class CheckedFile:
    data: bytes
    mime_type: str
    original_name: str


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/msword"  # legacy Office (.doc, .xls)
    if data.startswith(b"PK\x03\x04"):
        import io

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            if any(n.startswith("xl/") for n in names):
                return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if "mimetype" in names:
            return "application/vnd.oasis.opendocument"
    return None


def check_upload(storage: FileStorage | None) -> CheckedFile:
    """Read and check an uploaded file, or raise UploadRefused with a clear message."""
    if storage is None or not storage.filename:
        raise UploadRefused("Choisissez un fichier.")
    data = storage.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise UploadRefused("Le fichier dépasse 10 Mo.")
    if not data:
        raise UploadRefused("Le fichier est vide.")
    mime = _sniff(data)
    if mime is None:
        raise UploadRefused(
            "Type de fichier non accepté : PDF, image (PNG, JPEG) ou document bureautique."
        )
    name = secure_filename(storage.filename)[:200] or "fichier"
    return CheckedFile(data=data, mime_type=mime, original_name=name)


def storage_dir() -> Path:
    folder = Path(current_app.instance_path) / "uploads" / "water"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store(checked: CheckedFile) -> str:
    """Write the file under a generated name; return that name."""
    stored_name = secrets.token_hex(16)
    (storage_dir() / stored_name).write_bytes(checked.data)
    return stored_name
