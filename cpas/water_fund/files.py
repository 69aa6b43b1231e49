"""Files of a request: what is accepted (``UPLOAD_RULE``, checked by
``cpas.uploads.check_upload``) and where ``cpas.uploads.store_upload`` writes them."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..uploads import CheckedUpload, UploadRule

MAX_BYTES = 10 * 1024 * 1024


class FileType(StrEnum):
    """The type a file is filed under (stored as its code)."""

    QUOTE = "devis"
    INVOICE = "facture"
    PAYMENT_PROOF = "preuve_paiement"
    LETTER = "courrier"
    OTHER = "autre"


FILE_TYPES = {
    FileType.QUOTE: _l("Devis"),
    FileType.INVOICE: _l("Facture"),
    FileType.PAYMENT_PROOF: _l("Preuve de paiement"),
    FileType.LETTER: _l("Courrier"),
    FileType.OTHER: _l("Autre"),
}
#: Any kind ``detect_kind`` knows: PDF, image (PNG, JPEG) or office document; images and
#: PDFs must also decode.
UPLOAD_RULE = UploadRule(
    max_bytes=MAX_BYTES,
    mimes=None,
    missing=_l("Choisissez un fichier."),
    too_big=_l("Le fichier dépasse 10 Mo."),
    wrong_kind=_l("Type de fichier non accepté : PDF, image (PNG, JPEG) ou document bureautique."),
    empty=_l("Le fichier est vide."),
)
#: A checked upload (the shared type; the old name is kept for the callers).
CheckedFile = CheckedUpload


def storage_dir() -> Path:
    """Return the folder of the water-fund files (``store_upload`` creates it when writing)."""
    # No mkdir here: a file where the folder should be must fail inside store_upload, as an
    # UploadStorageError with its clear message, not as a 500 before it.
    return Path(current_app.instance_path) / "uploads" / "water"
