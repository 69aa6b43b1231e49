"""Writes of the water fund: create, edit, transitions, files, notifications, rights."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from .. import audit
from ..access.models import Organisation, OrganisationKind, User, cpas_distributor
from ..concurrency import Conflict as Conflict  # re-exported: routes catch services.Conflict
from ..concurrency import check_version, commit
from ..extensions import db
from ..mailer import link_to, send_mail
from ..textutil import fold
from ..timeutil import utcnow
from ..uploads import UploadStorageError, store_upload
from . import lifecycle as lc
from .files import CheckedFile, storage_dir
from .models import (
    DrawingRight,
    NotificationOptOut,
    WaterFile,
    WaterRequest,
    WaterRequestEvent,
    WaterRequestLine,
)
from .queries import side_of


class WaterRuleError(Exception):
    """A change refused by a rule of the life cycle; the message is for the user.

    ``field`` names the form field the message belongs next to (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ConfirmationNeeded(Exception):
    """An irreversible step was asked without its explicit confirmation; nothing changed."""

    def __init__(self, step: lc.Transition) -> None:
        super().__init__(str(step.confirm))
        self.step = step


REQUEST_FIELDS = (
    "internal_ref",
    "last_name",
    "first_name",
    "street",
    "house_number",
    "box",
    "postal_code",
    "locality",
    "client_number",
    "occupancy",
    "dependants",
    "billing_different",
    "billing_name",
    "billing_street",
    "billing_number",
    "billing_box",
    "billing_postal_code",
    "billing_locality",
    "contact_name",
    "contact_phone",
    "contact_email",
    "works_type",
    "quote_amount",
    "requested_amount",
    "payee",
    "contractor_name",
    "contractor_contact",
    "contractor_iban",
    "cpas_file_ref",
    "cpas_iban",
    "recurrence",
    "bailiff_info",
    "bailiff_water_invoice",
    "bailiff_fees",
    "late_interest",
    "penalty_clause",
    "extra_info",
)


def set_search_keys(row: WaterRequest) -> None:
    row.name_key = fold(row.last_name)[:100]
    row.first_key = fold(row.first_name)[:100]
    row.client_key = fold(row.client_number)[:100]
    row.ref_key = fold(row.internal_ref)[:100]


def _apply(row: WaterRequest, data: dict[str, Any]) -> None:
    for name in REQUEST_FIELDS:
        if name in data:
            value = data[name]
            setattr(row, name, value.strip() or None if isinstance(value, str) else value)
    if not row.billing_different:
        for name in ("name", "street", "number", "box", "postal_code", "locality"):
            setattr(row, f"billing_{name}", None)
    set_search_keys(row)
    lines = []
    for line_type in ("contract_account", "invoice_number"):
        for position, value in enumerate(data.get(line_type + "s") or []):
            if value and value.strip():
                lines.append(
                    WaterRequestLine(line_type=line_type, value=value.strip(), position=position)
                )
    if row.kind == "fse":
        row.lines = lines


def _event(row: WaterRequest, by: User, action: str, old: str | None, comment: str | None = None):
    row.events.append(
        WaterRequestEvent(
            user_id=by.id, action=action, from_status=old, to_status=row.status, comment=comment
        )
    )


def create_request(
    kind: str,
    cpas: Organisation,
    distributor: Organisation,
    data: dict[str, Any],
    by: User,
    quote: CheckedFile | None = None,
) -> WaterRequest:
    """Submit a new request (status SOUMISE). A FAT needs its quote file. Commits, notifies.

    UploadStorageError when the quote cannot be written: nothing is saved."""
    if distributor not in cpas.distributors:
        raise WaterRuleError("Ce distributeur n'est pas lié à votre CPAS.")
    if kind == "fat" and quote is None:
        raise WaterRuleError("Un devis est indispensable pour soumettre une demande FAT.")
    now = utcnow()
    row = WaterRequest(
        kind=kind,
        cpas_id=cpas.id,
        distributor_id=distributor.id,
        year=now.year,
        status=lc.SUBMITTED,
        created_at=now,
        created_by_id=by.id,
    )
    _apply(row, data)
    try:
        # the quote is written (temp name, rename) before the commit and removed if it fails
        with _stored(quote) as stored_name:
            db.session.add(row)
            if quote is not None:
                row.files.append(
                    WaterFile(
                        file_type="devis",
                        original_name=quote.original_name,
                        stored_name=stored_name,
                        mime_type=quote.mime_type,
                        size=len(quote.data),
                        uploaded_by_id=by.id,
                    )
                )
            _event(row, by, "submit", None)
            db.session.flush()
            audit.record(f"water.{kind}.create", obj=row, user=by)
            db.session.commit()
    except UploadStorageError:
        db.session.rollback()
        raise
    notify(row, by)
    return row


def _stored(checked: CheckedFile | None) -> AbstractContextManager[str | None]:
    """Store ``checked`` with ``store_upload`` (yields its name), or yield None without a file."""
    if checked is None:
        return nullcontext(None)
    return store_upload(storage_dir(), checked.data, checked.ext)


LOCKED_AFTER_APPROVAL = _l(
    "Le distributeur a approuvé cette demande : le bénéficiaire, les montants et le "
    "paiement ne peuvent plus être modifiés. Annulez la demande et introduisez-en une "
    "nouvelle si ces données doivent changer."
)


def _normalised(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def locked_changes(row: WaterRequest, data: dict[str, Any]) -> list[str]:
    """The fields, locked since the approval, whose posted value differs from the saved one."""
    billing = bool(data.get("billing_different", row.billing_different))
    changed = []
    for name in REQUEST_FIELDS:
        if name in lc.EDITABLE_AFTER_APPROVAL or name not in data:
            continue
        new = _normalised(data[name])
        if name.startswith("billing_") and name != "billing_different" and not billing:
            new = None  # _apply clears the billing address when it is not different
        old = getattr(row, name)
        if isinstance(old, bool) or isinstance(new, bool):
            old, new = bool(old), bool(new)
        if new != old:
            changed.append(name)
    if row.kind == "fse":
        for line_type in ("contract_account", "invoice_number"):
            posted = data.get(line_type + "s")
            if posted is None:
                continue
            values = [v.strip() for v in posted if v and v.strip()]
            if values != row.values(line_type):
                changed.append(line_type + "s")
    return changed


def update_request(row: WaterRequest, data: dict[str, Any], by: User, version: int | None) -> None:
    """Edit the request's data (CPAS side, editable statuses only). Commits."""
    check_version(row, version, by)
    if side_of(by) != lc.CPAS or row.status not in lc.EDITABLE:
        raise WaterRuleError("Cette demande ne peut plus être modifiée.")
    if row.status in lc.APPROVED_STATUSES:
        changed = locked_changes(row, data)
        if changed:
            raise WaterRuleError(str(LOCKED_AFTER_APPROVAL), field=changed[0])
    _apply(row, data)
    audit.record(f"water.{row.kind}.update", obj=row, user=by)
    commit(row)


@dataclass
class TransitionInput:
    amount: Decimal | None = None
    comment: str | None = None
    flat_fee_paid: bool | None = None
    #: The user confirmed an irreversible step (dialog, or the confirmation step page).
    confirmed: bool = False


def info_asked(row: WaterRequest) -> bool:
    """Tell whether the CPAS already used the one information loop after the refusal."""
    return row.info_request is not None or any(e.action == "request_info" for e in row.events)


COMMENT_NEEDED = {
    "request_info": "Décrivez l'information demandée.",
    "answer_info": "Indiquez votre réponse.",
    "cancel": "Indiquez la raison de l'annulation.",
    "refuse": "Indiquez le motif du refus.",
}


def transition(
    row: WaterRequest, action: str, by: User, version: int | None, given: TransitionInput
) -> None:
    """Move the request along its life cycle, if this side and function may. Commits, notifies."""
    check_version(row, version, by)
    step = lc.find(row.kind, action)
    side = side_of(by)
    if (
        step is None
        or row.status not in step.source
        or not step.allowed_side(side)
        or not by.has_function(step.function)
    ):
        raise WaterRuleError("Cette action n'est pas possible pour cette demande.")
    if action == "request_info" and info_asked(row):
        # seed 000: one information loop after a refusal, then the request is closed
        raise WaterRuleError(
            _(
                "L'information complémentaire a déjà été demandée une fois : "
                "la demande refusée est clôturée."
            )
        )
    # Every input is checked before anything changes.
    needs_amount = action == "approve" or (row.kind == "fse" and action == "validate")
    if needs_amount and (given.amount is None or given.amount <= 0):
        raise WaterRuleError("Indiquez le montant approuvé (positif).", field="amount")
    if action in COMMENT_NEEDED and not (given.comment and given.comment.strip()):
        raise WaterRuleError(COMMENT_NEEDED[action], field="comment")
    if row.kind == "fat" and action == "validate":
        if not any(f.file_type == "facture" for f in row.files):
            raise WaterRuleError("Ajoutez d'abord la facture (fichier de type « Facture »).")
        if given.flat_fee_paid is None:
            raise WaterRuleError("Indiquez si le forfait a été payé.", field="flat_fee_paid")
    if step.confirm and not given.confirmed:
        raise ConfirmationNeeded(step)
    if needs_amount:
        row.granted_amount = given.amount
    if row.kind == "fat" and action == "validate":
        row.flat_fee_paid = given.flat_fee_paid
    if action == "request_info":
        row.info_request = given.comment
    if action == "answer_info":
        row.info_answer = given.comment
    old = row.status
    row.status = step.target
    if step.target in lc.FINAL and step.target != lc.REFUSED:
        row.closed_at = utcnow()
    _event(row, by, action, old, given.comment)
    audit.record(f"water.{row.kind}.{action}", obj=row, user=by, details=f"{old} -> {step.target}")
    commit(row)
    notify(row, by)


def add_file(row: WaterRequest, file_type: str, checked: CheckedFile, by: User) -> WaterFile:
    """Attach a checked file to an open request. Commits; UploadStorageError if not written."""
    if row.status in lc.FILES_CLOSED:
        # refused, paid, settled or cancelled: « Vous ne pourrez plus y toucher »
        raise WaterRuleError(_("La demande est clôturée : plus d'ajout de fichier."))
    try:
        # written under a temporary name, renamed, and removed again if the commit fails
        with store_upload(storage_dir(), checked.data, checked.ext) as stored_name:
            stored = WaterFile(
                request_id=row.id,
                file_type=file_type,
                original_name=checked.original_name,
                stored_name=stored_name,
                mime_type=checked.mime_type,
                size=len(checked.data),
                uploaded_by_id=by.id,
            )
            db.session.add(stored)
            audit.record("water.file_add", obj=row, user=by, details=file_type)
            db.session.commit()
    except UploadStorageError:
        db.session.rollback()
        raise
    return stored


# --------------------------------------------------------------------------- notifications


def opted_out(user_id: int, kind: str) -> set[str]:
    return set(
        db.session.scalars(
            select(NotificationOptOut.status).where(
                NotificationOptOut.user_id == user_id, NotificationOptOut.kind == kind
            )
        )
    )


def save_notification_settings(user: User, kind: str, kept_on: set[str]) -> None:
    """Keep the ticked statuses on; every other status of the kind is turned off. Commits."""
    db.session.execute(
        NotificationOptOut.__table__.delete().where(
            NotificationOptOut.user_id == user.id, NotificationOptOut.kind == kind
        )
    )
    for status in lc.STATUSES[kind]:
        if status not in kept_on:
            db.session.add(NotificationOptOut(user_id=user.id, kind=kind, status=status))
    audit.record(f"water.{kind}.notifications", obj=user, user=user)
    db.session.commit()


def recipients(row: WaterRequest, by: User) -> list[str]:
    """The other side's users (and the CPAS contact) who kept this status on."""
    other_org = row.distributor_id if side_of(by) == lc.CPAS else row.cpas_id
    users = db.session.scalars(
        select(User).where(User.organisation_id == other_org, User.active.is_(True))
    )
    off = set(
        db.session.scalars(
            select(NotificationOptOut.user_id).where(
                NotificationOptOut.kind == row.kind, NotificationOptOut.status == row.status
            )
        )
    )
    emails = [
        u.email
        for u in users
        if u.id not in off and u.id != by.id and u.has_function(f"water.{row.kind}.view")
    ]
    contact = (row.contact_email or "").lower()
    if contact and contact != by.email and contact not in emails:
        holder = db.session.scalar(select(User).where(User.email == contact))
        if holder is None or holder.id not in off:
            emails.append(contact)
    return emails


def notify(row: WaterRequest, by: User) -> None:
    """Email the status change to each recipient apart: request number, status, link.

    No beneficiary's name: an e-mail leaves the intranet (mail servers, phones, forwards);
    the number is enough to open the request once signed in."""
    to = recipients(row, by)
    if not to:
        return
    values = {
        "kind": lc.KIND_LABELS[row.kind],
        "number": row.id,
        "status": lc.STATUS_LABELS[row.status],
        "next": lc.NEXT_ACTOR[row.status],
        "link": link_to("water_fund.request_detail", request_id=row.id),
    }
    send_mail(
        to,
        _("Demande %(kind)s n° %(number)s : %(status)s", **values),
        _(
            "Bonjour,\n\nLa demande d'intervention %(kind)s n° %(number)s est passée au statut "
            "« %(status)s ».\nAction suivante : %(next)s.\n\nConsulter la demande : %(link)s\n\n"
            "Vous recevez ce message selon vos réglages de notifications, modifiables dans "
            "« Gestion des notifications ».\n",
            **values,
        ),
    )


# --------------------------------------------------------------------------- drawing rights


def linked_pair(cpas_id: int | None, distributor_id: int | None) -> bool:
    """Tell whether this CPAS and this distributor are linked (``cpas_distributor``)."""
    cpas = aliased(Organisation)
    distributor = aliased(Organisation)
    found = db.session.scalar(
        select(cpas_distributor.c.cpas_id)
        .join(cpas, cpas.id == cpas_distributor.c.cpas_id)
        .join(distributor, distributor.id == cpas_distributor.c.distributor_id)
        .where(
            cpas_distributor.c.cpas_id == cpas_id,
            cpas_distributor.c.distributor_id == distributor_id,
            cpas.kind == OrganisationKind.CPAS.value,
            distributor.kind == OrganisationKind.DISTRIBUTOR.value,
        )
    )
    return found is not None


def save_drawing_right(
    cpas_id: int,
    distributor_id: int,
    year: int,
    initial: Decimal,
    complementary: Decimal,
    fat_funds: Decimal,
    by: User,
    *,
    version: int | None,
) -> DrawingRight:
    """Set DTI, DTC and FAT funds of a CPAS × distributor × year (fund manager). Commits.

    ``version`` is the one shown in the form: 0 when the pair had no right yet."""
    if not linked_pair(cpas_id, distributor_id):
        # A right for a pair that is not linked would count in no dashboard and mislead.
        raise WaterRuleError(
            _(
                "Ce CPAS n'est pas lié à ce distributeur : aucun droit de tirage ne peut y "
                "être encodé."
            )
        )
    right = db.session.scalar(
        select(DrawingRight).where(
            DrawingRight.cpas_id == cpas_id,
            DrawingRight.distributor_id == distributor_id,
            DrawingRight.year == year,
        )
    )
    if right is None:
        if version != 0:
            raise WaterRuleError(_("Ce formulaire n'est plus à jour : rechargez la page."))
        right = DrawingRight(cpas_id=cpas_id, distributor_id=distributor_id, year=year)
        right.updated_at, right.updated_by_id = utcnow(), by.id
        db.session.add(right)
    else:
        check_version(right, version, by)  # 0 here: someone created it meanwhile
    right.initial, right.complementary, right.fat_funds = initial, complementary, fat_funds
    db.session.flush()
    audit.record("water.rights_update", obj=right, user=by, details=f"{year}")
    commit(right)
    return right
