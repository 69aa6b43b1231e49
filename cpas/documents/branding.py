"""The organisation's logo on printed documents, whichever domain keeps it.

The print header (``templates/_print_header.html``) calls the template global
``logo_data_url(organisation)``; the domain that stores logos (the centre's « fiche
signalétique », for a CPAS) registers a provider when it is imported. Documents therefore
depend on no domain: without a provider, or for an organisation without a logo (a
distributor, the fund manager), the header simply has no image.

The logo is a data: URL because WeasyPrint's fetcher only serves our static files and
data: URLs (``cpas/documents/pdf.py``).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, NamedTuple

from flask import g


class Logo(NamedTuple):
    """A logo's bytes and their content type (PNG or JPEG)."""

    data: bytes
    mime_type: str


#: Takes an organisation (``id``, ``kind``), returns its logo or None.
LogoProvider = Callable[[Any], Logo | None]

_PROVIDERS: list[LogoProvider] = []


def register_logo_provider(provider: LogoProvider) -> LogoProvider:
    """Add a source of logos (idempotent: a module imported twice registers once)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def logo_of(organisation: Any) -> Logo | None:
    """The first logo a provider knows for ``organisation``, else None."""
    for provider in _PROVIDERS:
        logo = provider(organisation)
        if logo is not None:
            return logo
    return None


def data_url(logo: Logo) -> str:
    return f"data:{logo.mime_type};base64,{base64.b64encode(logo.data).decode()}"


def logo_data_url(organisation: Any) -> str | None:
    """``organisation``'s logo as a data: URL, or None; read once per request."""
    if organisation is None:
        return None
    cache: dict[int, str | None] = g.setdefault("logo_data_urls", {})
    if organisation.id not in cache:
        logo = logo_of(organisation)
        cache[organisation.id] = data_url(logo) if logo is not None else None
    return cache[organisation.id]
