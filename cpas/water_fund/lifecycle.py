"""The two life cycles (FAT, FSE): one transition table per kind, the only place that says
which action moves a request from which status to which, who (side) may do it, with
which function code.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

CPAS = "cpas"
DISTRIBUTOR = "distributor"

SUBMITTED = "SOUMISE"
APPROVED = "APPROUVEE"
REFUSED = "REFUSEE"
INFO_PENDING = "EN_ATTENTE_INFORMATION"
PAYMENT_PENDING = "EN_ATTENTE_PAIEMENT"
PAID = "PAYEE"
SETTLED = "APUREE"
CANCELLED = "ANNULEE"

STATUS_LABELS = {
    SUBMITTED: "SOUMISE",
    APPROVED: "APPROUVEE",
    REFUSED: "REFUSEE",
    INFO_PENDING: "EN ATTENTE D'INFORMATION",
    PAYMENT_PENDING: "EN ATTENTE DE PAIEMENT",
    PAID: "PAYEE",
    SETTLED: "APUREE",
    CANCELLED: "ANNULEE",
}
KIND_LABELS = {"fat": "FAT", "fse": "FSE"}
KINDS = ("fat", "fse")


@dataclass(frozen=True)
class Transition:
    action: str
    source: tuple[str, ...]
    target: str
    side: str | tuple[str, ...]
    function: str
    label: str
    #: The question asked before an irreversible step, naming its consequence; the service
    #: refuses the step until the form says it was confirmed.
    confirm: str = ""

    def allowed_side(self, side: str) -> bool:
        return side in ((self.side,) if isinstance(self.side, str) else self.side)


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


def _cycle(kind: str) -> tuple[Transition, ...]:
    f = f"water.{kind}."
    if kind == "fat":
        return (
            Transition("approve", (SUBMITTED,), APPROVED, DISTRIBUTOR, f + "decide", "Approuver"),
            Transition(
                "refuse",
                (SUBMITTED,),
                REFUSED,
                DISTRIBUTOR,
                f + "decide",
                "Refuser",
                CONFIRM_REFUSE,
            ),
            Transition(
                "request_info",
                (REFUSED,),
                INFO_PENDING,
                CPAS,
                f + "request_info",
                "Demander une information",
            ),
            Transition(
                "answer_info", (INFO_PENDING,), REFUSED, DISTRIBUTOR, f + "decide", "Répondre"
            ),
            Transition("validate", (APPROVED,), PAYMENT_PENDING, CPAS, f + "validate", "Valider"),
            Transition(
                "pay",
                (PAYMENT_PENDING,),
                PAID,
                DISTRIBUTOR,
                f + "pay",
                "Confirmer le paiement",
                CONFIRM_PAY_FAT,
            ),
            Transition(
                "cancel",
                (SUBMITTED, APPROVED, PAYMENT_PENDING),
                CANCELLED,
                (CPAS, DISTRIBUTOR),
                f + "cancel",
                "Annuler",
                CONFIRM_CANCEL,
            ),
        )
    return (
        Transition("validate", (SUBMITTED,), PAYMENT_PENDING, DISTRIBUTOR, f + "decide", "Valider"),
        Transition(
            "refuse", (SUBMITTED,), REFUSED, DISTRIBUTOR, f + "decide", "Refuser", CONFIRM_REFUSE
        ),
        Transition(
            "request_info",
            (REFUSED,),
            INFO_PENDING,
            CPAS,
            f + "request_info",
            "Demander une information",
        ),
        Transition("answer_info", (INFO_PENDING,), REFUSED, DISTRIBUTOR, f + "decide", "Répondre"),
        Transition(
            "pay",
            (PAYMENT_PENDING,),
            SETTLED,
            DISTRIBUTOR,
            f + "pay",
            "Payer et clôturer",
            CONFIRM_PAY_FSE,
        ),
        Transition(
            "cancel",
            (SUBMITTED, PAYMENT_PENDING),
            CANCELLED,
            (CPAS, DISTRIBUTOR),
            f + "cancel",
            "Annuler",
            CONFIRM_CANCEL,
        ),
    )


TRANSITIONS: dict[str, tuple[Transition, ...]] = {kind: _cycle(kind) for kind in KINDS}
STATUSES: dict[str, tuple[str, ...]] = {
    "fat": (SUBMITTED, APPROVED, REFUSED, INFO_PENDING, PAYMENT_PENDING, PAID, CANCELLED),
    "fse": (SUBMITTED, REFUSED, INFO_PENDING, PAYMENT_PENDING, SETTLED, CANCELLED),
}
#: Who must act next (« ACTION SUIVANTE »); "/" means closed.
NEXT_ACTOR = {
    SUBMITTED: "Distributeur",
    APPROVED: "CPAS",
    REFUSED: "/",
    INFO_PENDING: "Distributeur",
    PAYMENT_PENDING: "Distributeur",
    PAID: "/",
    SETTLED: "/",
    CANCELLED: "/",
}
CLOSED = {"fat": PAID, "fse": SETTLED}
FINAL = {REFUSED, PAID, SETTLED, CANCELLED}
#: The CPAS may edit the request's data only in these statuses.
EDITABLE = {SUBMITTED, APPROVED, PAYMENT_PENDING}
#: Statuses after the distributor's approval (FAT « Approuver », FSE « Valider »): what was
#: approved (beneficiary, amounts, who is paid and on which account) is locked.
APPROVED_STATUSES = {APPROVED, PAYMENT_PENDING}
#: The only fields the CPAS may still change once the distributor approved: its own
#: references, its contact person and free notes. Everything else stays as approved.
EDITABLE_AFTER_APPROVAL = frozenset(
    {
        "internal_ref",
        "contact_name",
        "contact_phone",
        "contact_email",
        "contractor_contact",
        "cpas_file_ref",
        "extra_info",
    }
)
#: Files may be added while the request is open (not refused, paid, settled or cancelled).
FILES_CLOSED = FINAL


def find(kind: str, action: str) -> Transition | None:
    return next((t for t in TRANSITIONS[kind] if t.action == action), None)


def available(
    kind: str, status: str, side: str, codes: frozenset[str], info_asked: bool = False
) -> list[Transition]:
    """The transitions this side, with these functions, may perform now.

    ``info_asked``: the CPAS already used the one information loop after the refusal, so
    the refused request is closed for good (seed 000: « Vous ne pourrez plus y toucher »)."""
    return [
        t
        for t in TRANSITIONS[kind]
        if status in t.source
        and t.allowed_side(side)
        and t.function in codes
        and not (info_asked and t.action == "request_info")
    ]


def counts_as(kind: str, status: str) -> str:
    """Dashboard bucket: closed, refused, cancelled or in progress."""
    if status == CLOSED[kind]:
        return "closed"
    if status in (REFUSED, INFO_PENDING):
        return "refused"
    if status == CANCELLED:
        return "cancelled"
    return "in_progress"
