"""The FAT and FSE life cycles written literally from seed 000 (the SPGE « Plateforme FSE -
CPAS » guide), never computed from ``cpas/water_fund``.

``LIFE_CYCLE[kind][state][action]`` is a triple (CPAS, distributeur, gestionnaire du fonds):
the status the request reaches when that side takes the action, or ``NO`` when it is
refused. Every status and every action of a kind is written out, allowed or not, so that
a reader checks each line against the sentence of the guide quoted beside it. Where the
guide is silent, the line says « choix de l'application » and holds what the application
does today.

States are the stored status codes. ``REFUSEE_APRES_INFO`` is no status of its own: it is
a REFUSEE request whose one information loop has been used (asked and answered); it is
stored as REFUSEE with that history (see ``tests/water_fund/test_lifecycle.py``).
"""

from __future__ import annotations

NO = None  # refused for this side

SOUMISE = "SOUMISE"
APPROUVEE = "APPROUVEE"
REFUSEE = "REFUSEE"
EN_ATTENTE_INFORMATION = "EN_ATTENTE_INFORMATION"
EN_ATTENTE_PAIEMENT = "EN_ATTENTE_PAIEMENT"
PAYEE = "PAYEE"
APUREE = "APUREE"
ANNULEE = "ANNULEE"
REFUSEE_APRES_INFO = "REFUSEE_APRES_INFO"

#: The sides, in the order of the triples.
SIDES = ("cpas", "distributor", "fund_manager")
ACTIONS = ("approve", "refuse", "request_info", "answer_info", "validate", "pay", "cancel")

# Who acts, everywhere in the guide: the CPAS submits, completes and asks (« Un CPAS a soumis
# une demande », « vous devez … Valider », « Demander une information supplémentaire »); the
# distributor decides and pays (« Il pourra soit refuser ou valider la demande », « Le
# distributeur va ensuite payer la facture »). The fund manager (SPGE) only reads: the
# guide gives it no step (choix de l'application: no step for the fund manager).
# Cancellation: « ANNULEE : … annulée par le distributeur ou par le CPAS. » from the open
# states where work is ahead (SOUMISE, APPROUVEE, EN ATTENTE DE PAIEMENT); the guide does
# not say from which states: choix de l'application, not from the refused information loop
# (EN ATTENTE D'INFORMATION counts as refused).

LIFE_CYCLE: dict[str, dict[str, dict[str, tuple[str | None, str | None, str | None]]]] = {
    "fat": {
        SOUMISE: {
            #               CPAS  distributeur  gestionnaire
            # « En cas d'acceptation : le distributeur indiquera le montant approuvé. »
            "approve": (NO, APPROUVEE, NO),
            # « REFUSEE : Le distributeur a refusé la demande. »
            "refuse": (NO, REFUSEE, NO),
            # the loop starts from REFUSEE only
            "request_info": (NO, NO, NO),
            # nothing was asked
            "answer_info": (NO, NO, NO),
            # « lorsque vous avez accepté le montant » : the approval comes first
            "validate": (NO, NO, NO),
            # « En attente du paiement » comes after the validation
            "pay": (NO, NO, NO),
            # « annulée par le distributeur ou par le CPAS »
            "cancel": (ANNULEE, ANNULEE, NO),
        },
        APPROUVEE: {
            # already decided
            "approve": (NO, NO, NO),
            # « Il pourra soit refuser ou valider la demande » : once, from SOUMISE
            "refuse": (NO, NO, NO),
            # not refused
            "request_info": (NO, NO, NO),
            "answer_info": (NO, NO, NO),
            # « Ajouter la facture - Indiquer si le forfait a été payé - Valider. Le statut
            # de la demande passe en « EN ATTENTE DE PAIEMENT ». » (the CPAS)
            "validate": (EN_ATTENTE_PAIEMENT, NO, NO),
            # the CPAS has not validated the invoice yet
            "pay": (NO, NO, NO),
            # « annulée par le distributeur ou par le CPAS »
            "cancel": (ANNULEE, ANNULEE, NO),
        },
        REFUSEE: {
            # « Il ne sera plus possible de réactiver une demande refusée. »
            "approve": (NO, NO, NO),
            "refuse": (NO, NO, NO),
            # « le statut passe de « REFUSEE » à « EN ATTENTE DEMANDE D'INFORMATION » » (the CPAS:
            # « Demander une information supplémentaire »)
            "request_info": (EN_ATTENTE_INFORMATION, NO, NO),
            # nothing asked yet
            "answer_info": (NO, NO, NO),
            "validate": (NO, NO, NO),
            "pay": (NO, NO, NO),
            # « la demande sera clôturée. Vous ne pourrez plus y toucher. »
            "cancel": (NO, NO, NO),
        },
        EN_ATTENTE_INFORMATION: {
            "approve": (NO, NO, NO),
            "refuse": (NO, NO, NO),
            # already asked
            "request_info": (NO, NO, NO),
            # « Il aura la possibilité de vous répondre. Le statut de la demande passera
            # ensuite en « REFUSEE ». » (the distributor)
            "answer_info": (NO, REFUSEE, NO),
            "validate": (NO, NO, NO),
            "pay": (NO, NO, NO),
            # choix de l'application: the refused loop cannot be cancelled
            "cancel": (NO, NO, NO),
        },
        EN_ATTENTE_PAIEMENT: {
            "approve": (NO, NO, NO),
            "refuse": (NO, NO, NO),
            "request_info": (NO, NO, NO),
            "answer_info": (NO, NO, NO),
            # already validated
            "validate": (NO, NO, NO),
            # « Le distributeur va ensuite payer la facture et confirmer ce paiement. Le
            # statut passe en « PAYEE » »
            "pay": (NO, PAYEE, NO),
            # « annulée par le distributeur ou par le CPAS »
            "cancel": (ANNULEE, ANNULEE, NO),
        },
        PAYEE: {
            # « la demande d'intervention FAT est clôturée » : nothing more
            "approve": (NO, NO, NO),
            "refuse": (NO, NO, NO),
            "request_info": (NO, NO, NO),
            "answer_info": (NO, NO, NO),
            "validate": (NO, NO, NO),
            "pay": (NO, NO, NO),
            "cancel": (NO, NO, NO),
        },
        ANNULEE: {
            # « Il ne sera plus possible de réactiver une demande annulée. »
            "approve": (NO, NO, NO),
            "refuse": (NO, NO, NO),
            "request_info": (NO, NO, NO),
            "answer_info": (NO, NO, NO),
            "validate": (NO, NO, NO),
            "pay": (NO, NO, NO),
            "cancel": (NO, NO, NO),
        },
        REFUSEE_APRES_INFO: {
            # « En cas de refus : la demande sera clôturée. Vous ne pourrez plus y toucher. »
            # once the one loop is used (choix de l'application: one loop only, the guide
            # describes one question and one answer)
            "approve": (NO, NO, NO),
            "refuse": (NO, NO, NO),
            "request_info": (NO, NO, NO),
            "answer_info": (NO, NO, NO),
            "validate": (NO, NO, NO),
            "pay": (NO, NO, NO),
            "cancel": (NO, NO, NO),
        },
    },
    "fse": {
        SOUMISE: {
            #               CPAS  distributeur  gestionnaire
            # FSE has no « APPROUVEE »: the distributor validates (« Il pourra soit refuser
            # ou valider la demande »)
            "approve": (NO, NO, NO),
            # « REFUSEE : le distributeur a refusé la demande »
            "refuse": (NO, REFUSEE, NO),
            # the loop starts from REFUSEE only
            "request_info": (NO, NO, NO),
            "answer_info": (NO, NO, NO),
            # « Le distributeur a validé la demande d'intervention » → « EN ATTENTE DE
            # PAIEMENT » (with the accepted amount, « MONTANT ACCEPTÉ »)
            "validate": (NO, EN_ATTENTE_PAIEMENT, NO),
            # not validated yet
            "pay": (NO, NO, NO),
            # « ANNULEE : ce statut apparait lorsqu'une demande a été annulée » (either side,
            # as for the FAT: choix de l'application)
            "cancel": (ANNULEE, ANNULEE, NO),
        },
        REFUSEE: {
            "approve": (NO, NO, NO),
            "refuse": (NO, NO, NO),
            # « le statut passe de « REFUSEE » à « EN ATTENTE D'INFORMATION » »
            "request_info": (EN_ATTENTE_INFORMATION, NO, NO),
            "answer_info": (NO, NO, NO),
            "validate": (NO, NO, NO),
            "pay": (NO, NO, NO),
            # « Le statut de la demande reste en « REFUSEE ». La demande est clôturée. »
            "cancel": (NO, NO, NO),
        },
        EN_ATTENTE_INFORMATION: {
            "approve": (NO, NO, NO),
            "refuse": (NO, NO, NO),
            "request_info": (NO, NO, NO),
            # « Il aura la possibilité de vous répondre. Le statut de la demande passera
            # ensuite en « REFUSEE » »
            "answer_info": (NO, REFUSEE, NO),
            "validate": (NO, NO, NO),
            "pay": (NO, NO, NO),
            # choix de l'application: the refused loop cannot be cancelled
            "cancel": (NO, NO, NO),
        },
        EN_ATTENTE_PAIEMENT: {
            "approve": (NO, NO, NO),
            "refuse": (NO, NO, NO),
            "request_info": (NO, NO, NO),
            "answer_info": (NO, NO, NO),
            # already validated
            "validate": (NO, NO, NO),
            # « Lorsque le paiement est réalisé, le distributeur pourra clôturer la demande. »
            # « APUREE : la facture a été payée par le distributeur et la demande est clôturée »
            "pay": (NO, APUREE, NO),
            # « annulée » (either side, choix de l'application as for SOUMISE)
            "cancel": (ANNULEE, ANNULEE, NO),
        },
        APUREE: {
            # « la demande est clôturée »
            "approve": (NO, NO, NO),
            "refuse": (NO, NO, NO),
            "request_info": (NO, NO, NO),
            "answer_info": (NO, NO, NO),
            "validate": (NO, NO, NO),
            "pay": (NO, NO, NO),
            "cancel": (NO, NO, NO),
        },
        ANNULEE: {
            # « Il ne sera plus possible de réactiver une demande annulée. »
            "approve": (NO, NO, NO),
            "refuse": (NO, NO, NO),
            "request_info": (NO, NO, NO),
            "answer_info": (NO, NO, NO),
            "validate": (NO, NO, NO),
            "pay": (NO, NO, NO),
            "cancel": (NO, NO, NO),
        },
        REFUSEE_APRES_INFO: {
            # « Le statut de la demande passera ensuite en « REFUSEE » » … « La demande est
            # clôturée. » (choix de l'application: one loop only)
            "approve": (NO, NO, NO),
            "refuse": (NO, NO, NO),
            "request_info": (NO, NO, NO),
            "answer_info": (NO, NO, NO),
            "validate": (NO, NO, NO),
            "pay": (NO, NO, NO),
            "cancel": (NO, NO, NO),
        },
    },
}

#: The function code each step needs besides « Consulter » (choix de l'application: the
#: guide names no functions; these are the codes of ``cpas/water_fund/functions.py``,
#: written out here so that a step guarded by a wrong code fails).
FUNCTION: dict[str, dict[str, str]] = {
    "fat": {
        "approve": "water.fat.decide",
        "refuse": "water.fat.decide",
        "answer_info": "water.fat.decide",
        "request_info": "water.fat.request_info",
        "validate": "water.fat.validate",
        "pay": "water.fat.pay",
        "cancel": "water.fat.cancel",
    },
    "fse": {
        "validate": "water.fse.decide",
        "refuse": "water.fse.decide",
        "answer_info": "water.fse.decide",
        "request_info": "water.fse.request_info",
        "pay": "water.fse.pay",
        "cancel": "water.fse.cancel",
    },
}


def allowed(kind: str, state: str, side: str) -> dict[str, str]:
    """The actions this side may take in ``state``, with the status each reaches."""
    column = SIDES.index(side)
    return {
        action: row[column]
        for action, row in LIFE_CYCLE[kind][state].items()
        if row[column] is not None
    }


def allowed_steps() -> list[tuple[str, str, str, str, str]]:
    """Every (kind, state, action, side, target) the table allows."""
    return [
        (kind, state, action, side, target)
        for kind, states in LIFE_CYCLE.items()
        for state in states
        for side in SIDES
        for action, target in allowed(kind, state, side).items()
    ]
