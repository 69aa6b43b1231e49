"""The centre's logo: a PNG or JPEG checked by its bytes, stored under a generated name."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

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
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return data, "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return data, "image/jpeg"
    raise LogoRefused("Ce fichier n'est pas une image PNG ou JPEG.")


def logo_dir() -> Path:
    folder = Path(current_app.instance_path) / "uploads" / "centre"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_logo(data: bytes) -> str:
    name = secrets.token_hex(16)
    (logo_dir() / name).write_bytes(data)
    return name


def read_logo(name: str) -> bytes | None:
    path = logo_dir() / name
    return path.read_bytes() if path.is_file() else None


def data_url(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"
