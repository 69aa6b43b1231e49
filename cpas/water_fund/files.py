"""Upload checks: size and real content (cpas.uploads); files are written by
``cpas.uploads.store_upload`` under generated names in ``storage_dir()``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from cpas.uploads import decodes, detect_kind, name_with_extension

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
    ext: str = ""


def check_upload(storage: FileStorage | None) -> CheckedFile:
    """Read and check an uploaded file, or raise UploadRefused with a clear message."""
    if storage is None or not storage.filename:
        raise UploadRefused("Choisissez un fichier.")
    data = storage.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise UploadRefused("Le fichier dépasse 10 Mo.")
    if not data:
        raise UploadRefused("Le fichier est vide.")
    kind = detect_kind(data)
    # decodes (added by `hardening`): images decoded, PDFs checked for their structure
    if kind is None or not decodes(kind, data):
        raise UploadRefused(
            "Type de fichier non accepté : PDF, image (PNG, JPEG) ou document bureautique."
        )
    # The detected content decides the extension, whatever name the sender gave.
    name = name_with_extension(secure_filename(storage.filename)[:190], kind.ext)
    return CheckedFile(data=data, mime_type=kind.mime, original_name=name, ext=kind.ext)


def storage_dir() -> Path:
    """Return the folder of the water-fund files (``store_upload`` creates it when writing)."""
    # No mkdir here: a file where the folder should be must fail inside store_upload, as an
    # UploadStorageError with its clear message, not as a 500 before it.
    return Path(current_app.instance_path) / "uploads" / "water"
