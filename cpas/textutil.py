"""Text helpers shared by the domains."""

from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """Lower-case and strip accents, for accent-insensitive search columns."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()
