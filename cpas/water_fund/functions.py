"""Function codes and menu entries of the water social fund."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..access.function_types import (
    CPAS,
    DISTRIBUTOR,
    EVERY_KIND,
    FUND_MANAGER,
    FunctionGroup,
    NavItem,
)
from ..access.function_types import Function as F

# Sides (seed 000): the CPAS submits, completes and asks; the distributor decides and pays;
# both may cancel and exchange files; the fund manager reads and encodes drawing rights.
BOTH_SIDES = (CPAS, DISTRIBUTOR)
#: The water fund is shared by the three kinds (each function says its side).
KINDS: tuple[str, ...] = EVERY_KIND


def _kind_group(kind: str, label: str) -> FunctionGroup:
    view = f"water.{kind}.view"
    return FunctionGroup(
        f"water_{kind}",
        f"Fonds de l'eau – demandes {label}",
        f"Waterfonds – aanvragen {label}",
        (
            F(view, f"Consulter les demandes {label}", f"Aanvragen {label} raadplegen"),
            F(
                f"water.{kind}.create",
                f"Créer une demande {label}",
                f"Aanvraag {label} aanmaken",
                (view,),
                kinds=(CPAS,),
            ),
            F(
                f"water.{kind}.edit",
                f"Éditer une demande {label}",
                f"Aanvraag {label} bewerken",
                (view,),
                kinds=(CPAS,),
            ),
            F(
                f"water.{kind}.cancel",
                f"Annuler une demande {label}",
                f"Aanvraag {label} annuleren",
                (view,),
                kinds=BOTH_SIDES,
            ),
            F(
                f"water.{kind}.request_info",
                f"Demander une information (CPAS, {label})",
                f"Informatie vragen (OCMW, {label})",
                (view,),
                kinds=(CPAS,),
            ),
            F(
                f"water.{kind}.decide",
                f"Approuver / refuser / répondre (distributeur, {label})",
                f"Goedkeuren / weigeren / antwoorden (distributeur, {label})",
                (view,),
                kinds=(DISTRIBUTOR,),
            ),
            *(
                (
                    F(
                        "water.fat.validate",
                        "Ajouter la facture et valider (CPAS, FAT)",
                        "Factuur toevoegen en valideren (OCMW, FAT)",
                        (view,),
                        kinds=(CPAS,),
                    ),
                )
                if kind == "fat"
                else ()
            ),
            F(
                f"water.{kind}.pay",
                f"Confirmer le paiement (distributeur, {label})",
                f"Betaling bevestigen (distributeur, {label})",
                (view,),
                kinds=(DISTRIBUTOR,),
            ),
        ),
        kinds=KINDS,
    )


GROUPS: tuple[FunctionGroup, ...] = (
    _kind_group("fat", "FAT"),
    _kind_group("fse", "FSE"),
    FunctionGroup(
        "water",
        "Fonds de l'eau – général",
        "Waterfonds – algemeen",
        (
            F("water.dashboard", "Accueil et statistiques FAT/FSE", "Startpagina en statistieken"),
            F(
                "water.files",
                "Ajouter et télécharger des fichiers",
                "Bestanden toevoegen en downloaden",
                kinds=BOTH_SIDES,
            ),
            # Status e-mails go to the two sides of a request, never to the fund manager.
            F(
                "water.notifications",
                "Gérer ses notifications",
                "Meldingen beheren",
                kinds=BOTH_SIDES,
            ),
            F("water.export", "Exporter (Excel, PDF)", "Exporteren (Excel, PDF)"),
            F("water.rights.view", "Consulter les droits de tirage", "Trekkingsrechten raadplegen"),
            F(
                "water.rights.edit",
                "Encoder les droits de tirage (gestionnaire du fonds)",
                "Trekkingsrechten invoeren (fondsbeheerder)",
                ("water.rights.view",),
                kinds=(FUND_MANAGER,),
            ),
        ),
        kinds=KINDS,
    ),
)
NAV: tuple[NavItem, ...] = (
    NavItem("water_fund.dashboard", _l("Fonds de l'eau"), "water.dashboard", 30, group="water"),
    NavItem("water_fund.fat_list", _l("Demandes FAT"), "water.fat.view", 31, group="water"),
    NavItem("water_fund.fse_list", _l("Demandes FSE"), "water.fse.view", 32, group="water"),
)
