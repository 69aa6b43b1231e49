"""The centre's logo: a PNG or JPEG decoded to be sure, stored under a generated name."""

from __future__ import annotations

import base64
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from ..uploads import JPEG, PNG, decodes, detect_kind

MAX_LOGO_BYTES = 1024 * 1024


class LogoRefused(ValueError):
    """The file was refused; the message is for the user."""


def check_logo(storage: FileStorage | None) -> tuple[bytes, str]:
    """Return (bytes, mime type) of an acceptable logo, or raise LogoRefused."""
    if storage is None or not storage.filename:
        raise LogoRefused("Choisissez un fichier image (PNG ou JPEG).")
    data = storage.read(MAX_LOGO_BYTES + 1)
    if len(data) > MAX_LOGO_BYTES:
        raise LogoRefused("Le logo dépasse 1 Mo.")
    kind = detect_kind(data)
    if kind is None or kind.mime not in (PNG, JPEG):
        raise LogoRefused("Ce fichier n'est pas une image PNG ou JPEG.")
    if not decodes(kind, data):
        # the magic bytes are right but the image does not decode (truncated, zero-filled)
        raise LogoRefused(_("Cette image est illisible ou endommagée."))
    return data, kind.mime


def logo_dir() -> Path:
    """The logos' folder (created by ``store_upload`` on the first logo)."""
    return Path(current_app.instance_path) / "uploads" / "centre"


def read_logo(name: str) -> bytes | None:
    path = logo_dir() / name
    return path.read_bytes() if path.is_file() else None


def data_url(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"
