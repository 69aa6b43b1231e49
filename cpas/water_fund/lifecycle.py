"""The two life cycles (FAT, FSE) on the workflow helper (``cpas.workflow``): the only
place that says which step moves a request from which status to which, which side
(CPAS / distributor) and which function code may take it, what it asks and what it changes.

The statuses themselves and what they mean live in ``states.py`` (re-exported here).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..templating import format_money
from ..timeutil import utcnow
from ..workflow import Firing, Input, RuleError, Step, Workflow
from .files import FileType
from .models import WaterRequest, WaterRequestEvent
from .notifications import notify
from .states import (  # noqa: F401 - the life cycle's vocabulary, read as lc.<name>
    ACTOR_LABELS,
    APPROVED,
    APPROVED_STATUSES,
    CANCELLED,
    CLOSED,
    CPAS,
    DISTRIBUTOR,
    EDITABLE,
    EDITABLE_AFTER_APPROVAL,
    FAT,
    FILES_CLOSED,
    FSE,
    FUND_MANAGER,
    INFO_PENDING,
    KIND_LABELS,
    KINDS,
    NEXT_ACTOR,
    NEXT_ACTOR_LABELS,
    OPEN_STATUSES,
    PAID,
    PAYMENT_PENDING,
    REFUSED,
    SETTLED,
    STATUS_LABELS,
    STATUSES,
    SUBMITTED,
    Status,
    counts_as,
    side_of,
)


class WaterRuleError(RuleError):
    """A change refused by a rule of the water fund; the message is for the user.

    ``field`` names the form field the message belongs next to (None: the whole form)."""


#: A refused step (wrong status, side or function): the water fund's own wording.
NOT_POSSIBLE = _l("Cette action n'est pas possible pour cette demande.")
STEP_GONE = _l(
    "L'action « %(action)s » n'est plus possible : la demande est maintenant au statut "
    "« %(status)s »."
)
INFO_ALREADY_ASKED = _l(
    "L'information complémentaire a déjà été demandée une fois : la demande refusée est clôturée."
)
INVOICE_NEEDED = _l("Ajoutez d'abord la facture (fichier de type « Facture »).")

CONFIRM_REFUSE = _l("Refuser cette demande ? Une demande refusée ne peut plus être réactivée.")
CONFIRM_CANCEL = _l("Annuler cette demande ? Une demande annulée ne peut plus être réactivée.")
CONFIRM_PAY_FAT = _l(
    "Confirmer le paiement ? La demande passera au statut PAYEE et sera clôturée : "
    "elle ne pourra plus être modifiée."
)
CONFIRM_PAY_FSE = _l(
    "Payer et clôturer ? La demande passera au statut APUREE et sera clôturée : "
    "elle ne pourra plus être modifiée."
)


# --------------------------------------------------------------------------- inputs


def _amount_shown(value: object) -> str:
    return format_money(value).replace(" €", "") if value is not None else ""  # type: ignore[arg-type]


def _amount(label: object) -> Input:
    """The amount the distributor grants: the requested one unless typed otherwise."""
    return Input(
        "amount",
        "money",
        label,
        missing=_l("Indiquez le montant approuvé (positif)."),
        default=lambda row: _amount_shown(row.requested_amount),
        saved=lambda row: _amount_shown(row.granted_amount) or None,
    )


def _comment(label: object, missing: object) -> Input:
    return Input("comment", "text", label, missing=missing)


FLAT_FEE = Input(
    "flat_fee_paid",
    "yesno",
    _l("Le forfait a-t-il été payé ?"),
    missing=_l("Indiquez si le forfait a été payé."),
    saved=lambda row: {True: "oui", False: "non"}.get(row.flat_fee_paid),
)
REFUSAL = _comment(_l("Motif du refus"), _l("Indiquez le motif du refus."))
INFO_QUESTION = _comment(
    _l("Description de la demande d'informations complémentaires"),
    _l("Décrivez l'information demandée."),
)
INFO_ANSWER = _comment(_l("Réponse"), _l("Indiquez votre réponse."))
CANCEL_REASON = _comment(_l("Raison de l'annulation"), _l("Indiquez la raison de l'annulation."))


# --------------------------------------------------------------------------- rules and changes


def info_asked(row: WaterRequest) -> bool:
    """Tell whether the CPAS already used the one information loop after the refusal."""
    return row.info_request is not None or any(e.action == "request_info" for e in row.events)


def _info_not_asked_yet(row: WaterRequest, user: object) -> object:
    # seed 000: one information loop after a refusal, then the request is closed for good
    return INFO_ALREADY_ASKED if info_asked(row) else None


def _invoice_attached(firing: Firing) -> None:
    if not any(f.file_type == FileType.INVOICE for f in firing.obj.files):
        raise WaterRuleError(str(INVOICE_NEEDED))


def _grant(firing: Firing) -> None:
    firing.obj.granted_amount = firing.given["amount"]


def _flat_fee(firing: Firing) -> None:
    firing.obj.flat_fee_paid = firing.given["flat_fee_paid"]


def _keep_question(firing: Firing) -> None:
    firing.obj.info_request = firing.given["comment"]


def _keep_answer(firing: Firing) -> None:
    firing.obj.info_answer = firing.given["comment"]


def _close(firing: Firing) -> None:
    firing.obj.closed_at = utcnow()


def _event(firing: Firing) -> None:
    """Append the history line (« Historique des statuts ») of the step."""
    firing.obj.events.append(
        WaterRequestEvent(
            user_id=firing.by.id,
            action=firing.step.action,
            from_status=firing.old,
            to_status=firing.new,
            comment=firing.given.get("comment"),
        )
    )


def _notify(firing: Firing) -> None:
    notify(firing.obj, firing.by)


# --------------------------------------------------------------------------- the two cycles


def _shared_steps(kind: str, cancel_from: tuple[str, ...]) -> tuple[Step, ...]:
    """Refuse, the one information loop, and cancel: the same in both cycles."""
    f = f"water.{kind}."
    return (
        Step(
            "refuse",
            (SUBMITTED,),
            REFUSED,
            (f + "decide",),
            _l("Refuser"),
            sides=(DISTRIBUTOR,),
            inputs=(REFUSAL,),
            confirm=CONFIRM_REFUSE,
        ),
        Step(
            "request_info",
            (REFUSED,),
            INFO_PENDING,
            (f + "request_info",),
            _l("Demander une information"),
            sides=(CPAS,),
            inputs=(INFO_QUESTION,),
            guard=_info_not_asked_yet,
            apply=_keep_question,
        ),
        Step(
            "answer_info",
            (INFO_PENDING,),
            REFUSED,
            (f + "decide",),
            _l("Répondre"),
            sides=(DISTRIBUTOR,),
            inputs=(INFO_ANSWER,),
            apply=_keep_answer,
        ),
        Step(
            "cancel",
            cancel_from,
            CANCELLED,
            (f + "cancel",),
            _l("Annuler"),
            sides=(CPAS, DISTRIBUTOR),
            inputs=(CANCEL_REASON,),
            confirm=CONFIRM_CANCEL,
            apply=_close,
        ),
    )


def _workflow(kind: str, steps: tuple[Step, ...]) -> Workflow:
    return Workflow(
        name=f"water.{kind}",
        states=Status,
        labels=STATUS_LABELS,
        steps=steps,
        side_of=side_of,
        record_event=_event,
        after_commit=(_notify,),
        not_possible=NOT_POSSIBLE,
        gone=STEP_GONE,
        error=WaterRuleError,
    )


_refuse, _request_info, _answer_info, _cancel = _shared_steps(
    FAT, (SUBMITTED, APPROVED, PAYMENT_PENDING)
)
FAT_WORKFLOW = _workflow(
    FAT,
    (
        Step(
            "approve",
            (SUBMITTED,),
            APPROVED,
            ("water.fat.decide",),
            _l("Approuver"),
            sides=(DISTRIBUTOR,),
            inputs=(_amount(_l("Montant approuvé")),),
            apply=_grant,
        ),
        _refuse,
        _request_info,
        _answer_info,
        Step(
            "validate",
            (APPROVED,),
            PAYMENT_PENDING,
            ("water.fat.validate",),
            _l("Valider"),
            sides=(CPAS,),
            inputs=(FLAT_FEE,),
            help=_l("La facture doit être ajoutée (type « Facture ») avant de valider."),
            checks=(_invoice_attached,),
            apply=_flat_fee,
        ),
        Step(
            "pay",
            (PAYMENT_PENDING,),
            PAID,
            ("water.fat.pay",),
            _l("Confirmer le paiement"),
            sides=(DISTRIBUTOR,),
            confirm=CONFIRM_PAY_FAT,
            apply=_close,
        ),
        _cancel,
    ),
)

_refuse, _request_info, _answer_info, _cancel = _shared_steps(FSE, (SUBMITTED, PAYMENT_PENDING))
FSE_WORKFLOW = _workflow(
    FSE,
    (
        Step(
            "validate",
            (SUBMITTED,),
            PAYMENT_PENDING,
            ("water.fse.decide",),
            _l("Valider"),
            sides=(DISTRIBUTOR,),
            inputs=(_amount(_l("Montant accepté")),),
            apply=_grant,
        ),
        _refuse,
        _request_info,
        _answer_info,
        Step(
            "pay",
            (PAYMENT_PENDING,),
            SETTLED,
            ("water.fse.pay",),
            _l("Payer et clôturer"),
            sides=(DISTRIBUTOR,),
            confirm=CONFIRM_PAY_FSE,
            apply=_close,
        ),
        _cancel,
    ),
)

WORKFLOWS: dict[str, Workflow] = {FAT: FAT_WORKFLOW, FSE: FSE_WORKFLOW}
#: Every action of either cycle (the audit actions are ``water.<kind>.<action>``).
ACTIONS: tuple[str, ...] = tuple(
    dict.fromkeys(s.action for w in WORKFLOWS.values() for s in w.steps)
)
