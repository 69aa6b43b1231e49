"""The centre's logo: a PNG or JPEG checked by ``uploads.check_upload``, stored under a
generated name, and offered to printed documents through ``documents.branding``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..documents.branding import Logo, register_logo_provider
from ..uploads import JPEG, PNG, UploadRule
from .functions import KINDS
from .queries import profile_of

MAX_LOGO_BYTES = 1024 * 1024

LOGO_RULE = UploadRule(
    max_bytes=MAX_LOGO_BYTES,
    mimes=frozenset({PNG, JPEG}),
    missing=_l("Choisissez un fichier image (PNG ou JPEG)."),
    too_big=_l("Le logo dépasse 1 Mo."),
    wrong_kind=_l("Ce fichier n'est pas une image PNG ou JPEG."),
    # the magic bytes are right but the image does not decode (truncated, zero-filled)
    unreadable=_l("Cette image est illisible ou endommagée."),
)


def logo_dir() -> Path:
    """The logos' folder (created by ``store_upload`` on the first logo)."""
    return Path(current_app.instance_path) / "uploads" / "centre"


def read_logo(name: str) -> bytes | None:
    path = logo_dir() / name
    return path.read_bytes() if path.is_file() else None


@register_logo_provider
def cpas_logo(organisation: Any) -> Logo | None:
    """The logo of a CPAS's fiche, for the header of its printed documents."""
    if organisation.kind not in KINDS:
        return None
    profile = profile_of(organisation.id)
    if profile is None or not profile.logo_name or not profile.logo_mime:
        return None
    data = read_logo(profile.logo_name)
    return Logo(data, profile.logo_mime) if data else None
