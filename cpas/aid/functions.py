"""Function codes of the aid requests (seed 002, annex « Demande d'aide »).

Each depends on dossier consultation: seed 002 says that without « Recherche d'un
dossier » a person has no access to the dossiers, hence none to their requests.
The Council's codes (encoding a decision, sending a form) are declared with the steps they
guard; their screens arrive with the Council.
"""

from __future__ import annotations

from ..access.function_types import CPAS, FunctionGroup, NavItem
from ..access.function_types import Function as F
from ..dossiers.functions import VIEW as DOSSIER_VIEW

KINDS: tuple[str, ...] = (CPAS,)

LIST = "aid.list"
PRINT = "aid.print"
CREATE = "aid.create"
EDIT = "aid.edit"
SUBMIT = "aid.submit"
COMPLETE = "aid.complete"
DUPLICATE = "aid.duplicate"
CLOSE = "aid.close"
REVISE = "aid.revise"
DECIDE = "aid.decide"
SEND_FORM = "aid.send_form"

GROUPS: tuple[FunctionGroup, ...] = (
    FunctionGroup(
        "aid",
        "Demandes d'aide",
        "Hulpaanvragen",
        (
            F(LIST, "Listing des demandes d'aide", "Lijst van de hulpaanvragen", (DOSSIER_VIEW,)),
            F(PRINT, "Impression d'une demande d'aide", "Een hulpaanvraag afdrukken", (LIST,)),
            F(CREATE, "Ajout d'une demande d'aide", "Een hulpaanvraag toevoegen", (LIST,)),
            F(
                EDIT,
                "Modification d'une demande d'aide (demande, rapport, proposition)",
                "Een hulpaanvraag wijzigen (aanvraag, verslag, voorstel)",
                (LIST,),
            ),
            F(
                SUBMIT,
                "Soumission au conseil d'une demande d'aide",
                "Een hulpaanvraag aan de raad voorleggen",
                (EDIT,),
            ),
            F(
                COMPLETE,
                "Complétude d'une demande d'aide",
                "Het sociaal onderzoek van een hulpaanvraag aanvullen",
                (EDIT,),
            ),
            F(
                DUPLICATE,
                "Duplication d'une demande d'aide",
                "Een hulpaanvraag dupliceren",
                (CREATE,),
            ),
            F(CLOSE, "Clôture d'une demande d'aide", "Een hulpaanvraag afsluiten", (LIST,)),
            F(REVISE, "Révision d'une demande d'aide", "Een hulpaanvraag herzien", (CREATE,)),
        ),
        kinds=KINDS,
    ),
    FunctionGroup(
        "aid_decisions",
        "Décisions du Conseil",
        "Beslissingen van de Raad",
        (
            F(
                DECIDE,
                "Encodage de la décision du Conseil",
                "De beslissing van de Raad invoeren",
                (LIST,),
            ),
            F(
                SEND_FORM,
                "Envoi du formulaire au SPP IS",
                "Het formulier naar de POD MI versturen",
                (DECIDE,),
            ),
        ),
        kinds=KINDS,
    ),
)
#: The requests are reached from a dossier: no menu entry of their own.
NAV: tuple[NavItem, ...] = ()
