"""Dossier screens: new dossier from the register, index, search, main page, household,
BCSS integrations. Thin views: parse, load through the scoped loaders, call one service,
render. Every view of a dossier or a person is logged with its NISS.

One module per screen family, imported by name so that their routes are registered on
``bp`` when the factory imports this package."""

from __future__ import annotations

from .. import bp
from . import dossier, household, integrations, new, search

__all__ = ["bp", "dossier", "household", "integrations", "new", "search"]
