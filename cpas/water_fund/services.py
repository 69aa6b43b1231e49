"""Writes of the water fund's requests: create, edit, take a step, add a file.

Notifications are in ``notifications.py``, drawing rights in ``rights.py``."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import audit
from ..access.models import Organisation, User
from ..concurrency import Conflict as Conflict  # re-exported: callers catch services.Conflict
from ..concurrency import commit, ensure_current, stamp
from ..extensions import db
from ..textutil import fold
from ..timeutil import utcnow
from ..uploads import UploadStorageError, store_upload
from ..workflow import ConfirmationNeeded as ConfirmationNeeded  # re-exported for callers
from ..workflow import Outcome
from . import lifecycle as lc
from .files import CheckedFile, FileType, storage_dir
from .lifecycle import WaterRuleError as WaterRuleError  # re-exported: callers catch it
from .models import WaterFile, WaterRequest, WaterRequestEvent, WaterRequestLine
from .notifications import notify
from .states import side_of

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
    if row.kind == lc.FSE:
        row.lines = lines


def _submitted_event(row: WaterRequest, by: User) -> None:
    row.events.append(
        WaterRequestEvent(user_id=by.id, action="submit", from_status=None, to_status=row.status)
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
        raise WaterRuleError(_("Ce distributeur n'est pas lié à votre CPAS."))
    if kind == lc.FAT and quote is None:
        raise WaterRuleError(_("Un devis est indispensable pour soumettre une demande FAT."))
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
                        file_type=FileType.QUOTE,
                        original_name=quote.original_name,
                        stored_name=stored_name,
                        mime_type=quote.mime_type,
                        size=len(quote.data),
                        uploaded_by_id=by.id,
                    )
                )
            _submitted_event(row, by)
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
    if row.kind == lc.FSE:
        for line_type in ("contract_account", "invoice_number"):
            posted = data.get(line_type + "s")
            if posted is None:
                continue
            values = [v.strip() for v in posted if v and v.strip()]
            if values != row.values(line_type):
                changed.append(line_type + "s")
    return changed


def update_request(row: WaterRequest, data: dict[str, Any], by: User, version: int | None) -> None:
    """Edit the request's data (CPAS side, editable statuses only). Commits.

    Every rule is checked before the row changes (not even its stamp on a refusal)."""
    ensure_current(row, version)
    if side_of(by) != lc.CPAS or row.status not in lc.EDITABLE:
        raise WaterRuleError(_("Cette demande ne peut plus être modifiée."))
    if row.status in lc.APPROVED_STATUSES:
        changed = locked_changes(row, data)
        if changed:
            raise WaterRuleError(str(LOCKED_AFTER_APPROVAL), field=changed[0])
    stamp(row, by)
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


def transition(
    row: WaterRequest, action: str, by: User, version: int | None, given: TransitionInput
) -> None:
    """Take a step of the request's life cycle (``lifecycle.WORKFLOWS``) as ``by``.

    Everything is checked before anything changes (``Conflict``, ``WaterRuleError``,
    ``ConfirmationNeeded``: nothing changed); then event, audit entry, commit, e-mails."""
    comment = (given.comment or "").strip() or None
    values = {"amount": given.amount, "comment": comment, "flat_fee_paid": given.flat_fee_paid}
    lc.WORKFLOWS[row.kind].fire(row, action, by, version, values, confirmed=given.confirmed)


def submit_transition(
    row: WaterRequest, action: str, by: User, formdata: Mapping[str, Any]
) -> Outcome:
    """Take the step posted from the status panel; the outcome says what to draw again."""
    return lc.WORKFLOWS[row.kind].submit(row, action, by, formdata)


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
