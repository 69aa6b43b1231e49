"""Function codes and navigation entries of the centre domain (see cpas/access/functions.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..access.function_types import CPAS, FunctionGroup, NavItem
from ..access.function_types import Function as F

#: The organisations that use the centre's fiche: CPAS only (the blueprint refuses others).
KINDS: tuple[str, ...] = (CPAS,)

GROUPS: tuple[FunctionGroup, ...] = (
    FunctionGroup(
        "centre",
        "Centre et assistants sociaux",
        "Centrum en maatschappelijk werkers",
        (
            F(
                "centre.view",
                "Consulter la fiche signalétique et les assistants sociaux",
                "Identificatiefiche en maatschappelijk werkers raadplegen",
            ),
            F(
                "centre.edit",
                "Modifier la fiche signalétique du CPAS",
                "Identificatiefiche van het OCMW wijzigen",
                ("centre.view",),
            ),
            F(
                "centre.workers",
                "Gérer les assistants sociaux et leurs permanences",
                "Maatschappelijk werkers en hun permanenties beheren",
                ("centre.view",),
            ),
        ),
        kinds=KINDS,
    ),
)
NAV: tuple[NavItem, ...] = (
    NavItem("centre.profile", _l("Fiche signalétique"), "centre.view", 60, group="centre"),
    NavItem("centre.workers", _l("Assistants sociaux"), "centre.view", 61, group="centre"),
)
