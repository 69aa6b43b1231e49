"""Function codes of the social inquiry (seed 002, « Enquête sociale »: Informations
générales, Adresses, Ressources, Dépenses; formulaire A from « Dossiers de récupération »).

Each needs the listing of the aid requests (the inquiry belongs to a request), which needs
dossier consultation.
"""

from __future__ import annotations

from ..access.function_types import CPAS, FunctionGroup, NavItem
from ..access.function_types import Function as F
from ..aid.functions import LIST as AID_LIST

KINDS: tuple[str, ...] = (CPAS,)

INFO_VIEW = "inquiry.info_view"
INFO_EDIT = "inquiry.info_edit"
ADDRESS_EDIT = "inquiry.address_edit"
RESOURCES_VIEW = "inquiry.resources_view"
RESOURCES_EDIT = "inquiry.resources_edit"
EXPENSES_VIEW = "inquiry.expenses_view"
EXPENSES_EDIT = "inquiry.expenses_edit"
FORM_A_VIEW = "inquiry.form_a_view"
FORM_A_EDIT = "inquiry.form_a_edit"

GROUPS: tuple[FunctionGroup, ...] = (
    FunctionGroup(
        "inquiry",
        "Enquête sociale",
        "Sociaal onderzoek",
        (
            F(
                INFO_VIEW,
                "Visualisation des informations générales d'une personne (données légales, "
                "informations du bénéficiaire ou du partenaire)",
                "Algemene informatie van een persoon bekijken (wettelijke gegevens, informatie "
                "van de begunstigde of de partner)",
                (AID_LIST, "household.view"),
            ),
            F(
                INFO_EDIT,
                "Modification des informations du bénéficiaire (catégorie, situation…) ou du "
                "partenaire (nombre d'enfants à charge…)",
                "Informatie van de begunstigde (categorie, situatie…) of de partner (aantal "
                "kinderen ten laste…) wijzigen",
                (INFO_VIEW,),
            ),
            F(
                ADDRESS_EDIT,
                "Modification des adresses (adresse de résidence effective, données légales)",
                "Adressen wijzigen (werkelijk verblijfsadres, wettelijke gegevens)",
                (INFO_VIEW,),
            ),
            F(
                RESOURCES_VIEW,
                "Visualisation des ressources",
                "Bestaansmiddelen bekijken",
                (INFO_VIEW,),
            ),
            F(
                RESOURCES_EDIT,
                "Ajout, modification et suppression des ressources",
                "Bestaansmiddelen toevoegen, wijzigen en verwijderen",
                (RESOURCES_VIEW,),
            ),
            F(
                EXPENSES_VIEW,
                "Visualisation des dépenses",
                "Uitgaven bekijken",
                (INFO_VIEW,),
            ),
            F(
                EXPENSES_EDIT,
                "Ajout, modification et suppression des dépenses",
                "Uitgaven toevoegen, wijzigen en verwijderen",
                (EXPENSES_VIEW,),
            ),
            F(
                FORM_A_VIEW,
                "Visualisation du formulaire A",
                "Formulier A bekijken",
                (INFO_VIEW,),
            ),
            F(
                FORM_A_EDIT,
                "Modification du formulaire A",
                "Formulier A wijzigen",
                (FORM_A_VIEW,),
            ),
        ),
        kinds=KINDS,
    ),
)
NAV: tuple[NavItem, ...] = ()
