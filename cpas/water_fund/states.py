"""The statuses of a FAT/FSE request and what each means (seed 000), without the steps.

The steps that move a request between them are declared in ``lifecycle.py``; this module
holds only what the reads, the notifications and the templates need, so that none of them
imports the workflows (which import the notifications).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l

from ..access.function_types import CPAS as CPAS
from ..access.function_types import DISTRIBUTOR as DISTRIBUTOR
from ..access.function_types import FUND_MANAGER as FUND_MANAGER
from ..access.models import OrganisationKind, User


class Status(StrEnum):
    """A request's status, stored as its code."""

    SUBMITTED = "SOUMISE"
    APPROVED = "APPROUVEE"
    REFUSED = "REFUSEE"
    INFO_PENDING = "EN_ATTENTE_INFORMATION"
    PAYMENT_PENDING = "EN_ATTENTE_PAIEMENT"
    PAID = "PAYEE"
    SETTLED = "APUREE"
    CANCELLED = "ANNULEE"


SUBMITTED = Status.SUBMITTED
APPROVED = Status.APPROVED
REFUSED = Status.REFUSED
INFO_PENDING = Status.INFO_PENDING
PAYMENT_PENDING = Status.PAYMENT_PENDING
PAID = Status.PAID
SETTLED = Status.SETTLED
CANCELLED = Status.CANCELLED

#: What a status is called on the screens, in the e-mails and the exports (the code is stored).
STATUS_LABELS: dict[str, Any] = {
    SUBMITTED: _l("SOUMISE"),
    APPROVED: _l("APPROUVEE"),
    REFUSED: _l("REFUSEE"),
    INFO_PENDING: _l("EN ATTENTE D'INFORMATION"),
    PAYMENT_PENDING: _l("EN ATTENTE DE PAIEMENT"),
    PAID: _l("PAYEE"),
    SETTLED: _l("APUREE"),
    CANCELLED: _l("ANNULEE"),
}
FAT = "fat"
FSE = "fse"
KINDS = (FAT, FSE)
KIND_LABELS: dict[str, str] = {FAT: "FAT", FSE: "FSE"}

STATUSES: dict[str, tuple[str, ...]] = {
    FAT: (SUBMITTED, APPROVED, REFUSED, INFO_PENDING, PAYMENT_PENDING, PAID, CANCELLED),
    FSE: (SUBMITTED, REFUSED, INFO_PENDING, PAYMENT_PENDING, SETTLED, CANCELLED),
}
#: Who must act next (« ACTION SUIVANTE »); "/" means closed.
NEXT_ACTOR: dict[str, str] = {
    SUBMITTED: "Distributeur",
    APPROVED: "CPAS",
    REFUSED: "/",
    INFO_PENDING: "Distributeur",
    PAYMENT_PENDING: "Distributeur",
    PAID: "/",
    SETTLED: "/",
    CANCELLED: "/",
}
#: What the next actor is called (the code above is the list filter's value, « suivant »).
ACTOR_LABELS: dict[str, Any] = {"Distributeur": _l("Distributeur"), "CPAS": _l("CPAS"), "/": "/"}
#: The next actor of each status, as shown (« ACTION SUIVANTE » column, panel, e-mail).
NEXT_ACTOR_LABELS: dict[str, Any] = {s: ACTOR_LABELS[who] for s, who in NEXT_ACTOR.items()}
CLOSED: dict[str, str] = {FAT: PAID, FSE: SETTLED}
FINAL = frozenset({REFUSED, PAID, SETTLED, CANCELLED})
#: The CPAS may edit the request's data only in these statuses; they are also the « open »
#: statuses of the lists (« Éditer », « Annuler » links): submitted, approved, to be paid.
EDITABLE = frozenset({SUBMITTED, APPROVED, PAYMENT_PENDING})
OPEN_STATUSES = EDITABLE
#: Statuses after the distributor's approval (FAT « Approuver », FSE « Valider »): what was
#: approved (beneficiary, amounts, who is paid and on which account) is locked.
APPROVED_STATUSES = frozenset({APPROVED, PAYMENT_PENDING})
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


def side_of(user: User) -> str:
    """The side ``user`` acts for: the CPAS, the distributor or the fund manager."""
    kind = user.organisation.kind
    if kind == OrganisationKind.CPAS:
        return CPAS
    if kind == OrganisationKind.DISTRIBUTOR:
        return DISTRIBUTOR
    return FUND_MANAGER


def counts_as(kind: str, status: str) -> str:
    """Dashboard bucket: closed, refused, cancelled or in progress."""
    if status == CLOSED[kind]:
        return "closed"
    if status in (REFUSED, INFO_PENDING):
        return "refused"
    if status == CANCELLED:
        return "cancelled"
    return "in_progress"
