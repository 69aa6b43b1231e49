"""Function codes and navigation entries of the dossiers domain (see cpas/access/functions.py).

Order and wording follow seed 002's annexes: dossier search first, then creation, then
the household and the BCSS integrations, each needing dossier search and consultation.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..access.function_types import CPAS, FunctionGroup, NavItem
from ..access.function_types import Function as F

#: The organisations that keep social-aid dossiers: CPAS only (the blueprint refuses others).
KINDS: tuple[str, ...] = (CPAS,)

SEARCH = "dossiers.search"
VIEW = "dossiers.view"

GROUPS: tuple[FunctionGroup, ...] = (
    FunctionGroup(
        "dossiers",
        "Dossiers sociaux (Loi du 2 avril 1965)",
        "Sociale dossiers (Wet van 2 april 1965)",
        (
            F(SEARCH, "Rechercher un dossier", "Een dossier zoeken"),
            F(VIEW, "Consulter un dossier", "Een dossier raadplegen", (SEARCH,)),
            F(
                "dossiers.create",
                "Créer un dossier (recherche au Registre national)",
                "Een dossier aanmaken (opzoeking in het Rijksregister)",
                (VIEW,),
            ),
            F(
                "dossiers.bis",
                "Attribuer un numéro bis",
                "Een bisnummer toekennen",
                ("dossiers.create",),
            ),
            F(
                "dossiers.edit",
                "Modifier les références du dossier (n°, date, assistant social)",
                "Dossiergegevens wijzigen (nr., datum, maatschappelijk werker)",
                (VIEW,),
            ),
            F(
                "dossiers.archive",
                "Déplacer vers Anciens dossiers (et retour)",
                "Naar Oude dossiers verplaatsen (en terug)",
                (VIEW,),
            ),
        ),
        kinds=KINDS,
    ),
    FunctionGroup(
        "household",
        "Composition de ménage",
        "Gezinssamenstelling",
        (
            F(
                "household.view",
                "Consulter la composition de ménage",
                "Gezinssamenstelling raadplegen",
                (VIEW,),
            ),
            F(
                "household.edit",
                "Modifier la composition de ménage de fait",
                "Feitelijke gezinssamenstelling wijzigen",
                ("household.view",),
            ),
        ),
        kinds=KINDS,
    ),
    FunctionGroup(
        "integrations",
        "Intégrations BCSS",
        "Integraties KSZ",
        (
            F(
                "integrations.view",
                "Consulter les intégrations à la BCSS",
                "Integraties bij de KSZ raadplegen",
                ("household.view",),
            ),
            F(
                "integrations.edit",
                "Intégrer et désintégrer des membres du ménage",
                "Gezinsleden integreren en desintegreren",
                ("integrations.view",),
            ),
        ),
        kinds=KINDS,
    ),
)
NAV: tuple[NavItem, ...] = (
    NavItem("dossiers.index", _l("Dossiers du CPAS"), SEARCH, 10, group="dossiers"),
    NavItem("dossiers.search", _l("Rechercher un dossier"), SEARCH, 11, group="dossiers"),
    NavItem("dossiers.new", _l("Nouveau dossier"), "dossiers.create", 12, group="dossiers"),
)
