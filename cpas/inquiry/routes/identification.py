"""« Identification » of a member's inquiry (seed 001 §9.2): the register's legal data, the
legal and the effective address (« Copier ces informations dans l'adresse de résidence
effective »), « Mettre à jour les données légales », the « registre d'inscription » by hand
when the register gives none, and the register's information types (TI) as ``<details>``
(« Tout déplier » / « Tout replier » are links: ``?ti=ouverts`` / ``?ti=fermes``).

The writes are ``cpas/inquiry/information.py``'s; the routes parse, call and draw.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from ... import audit
from ...aid.models import AidRequest
from ...aid.queries import get_request_or_404
from ...concurrency import Conflict
from ...dossiers.models import Dossier, HouseholdMember
from ...dossiers.queries import get_dossier_or_404, get_member_or_404, remember
from ...dossiers.services import Address, DossierRuleError
from ...htmx import redirect_after_post
from ...registry.adapters import get_register
from ...scoping import scoped_loader
from ...security import acting_user, require_function
from .. import functions as fn
from .. import information as service
from .. import links
from ..forms_information import REGISTRES, EffectiveAddressForm, RegistreForm
from ..models import IDENTIFICATION
from ..services import InquiryRuleError, ensure_open, ensure_part
from . import bp

View = str | Response | tuple[str, int]
M = "/<int:dossier_id>/demandes/<int:request_id>/membres/<int:member_id>"

ADDRESS_SAVED = _l("L'adresse de résidence effective a été enregistrée.")
LEGAL_REFRESHED = _l("Les données légales ont été mises à jour depuis le registre.")
LEGAL_UNKNOWN = _l("Le registre ne connaît plus cette personne : rien n'a été mis à jour.")
REGISTRE_SAVED = _l("Le registre d'inscription a été enregistré.")

#: ``?ti=`` → every information type open or closed (no script of our own).
TI_OPEN = "ouverts"
TI_CLOSED = "fermes"


@scoped_loader
def load_member(
    dossier_id: int, request_id: int, member_id: int, part: str
) -> tuple[Dossier, AidRequest, HouseholdMember]:
    """The dossier, its request and its member (scoped loaders); 404 when the member's
    relation has no such part (or the member left the household)."""
    dossier = get_dossier_or_404(dossier_id)
    req = get_request_or_404(dossier, request_id)
    member = get_member_or_404(dossier, member_id)
    try:
        ensure_part(member, part)
    except InquiryRuleError:
        abort(404)
    return dossier, req, member


def _address_form(member: HouseholdMember) -> EffectiveAddressForm:
    return EffectiveAddressForm(
        formdata=None,
        street=member.street,
        house_number=member.house_number,
        box=member.box,
        postal_code=member.postal_code,
        locality=member.locality,
        version=member.version,
    )


def _registre_form(member: HouseholdMember, inquiry: Any) -> RegistreForm:
    return RegistreForm(
        formdata=None,
        registre_manual=inquiry.registre_manual if inquiry else "",
        version=inquiry.version if inquiry else 0,
    )


def copy_legal_address(form: EffectiveAddressForm, member: HouseholdMember) -> None:
    """The legal address (from the register) into the effective address form, not saved."""
    form.street.data = member.legal_street
    form.house_number.data = member.legal_number
    form.box.data = member.legal_box
    form.postal_code.data = member.legal_postal_code
    form.locality.data = member.legal_locality
    for field in (form.street, form.house_number, form.box, form.postal_code, form.locality):
        field.raw_data = None
        field.errors = []


def _page(
    dossier: Dossier,
    req: AidRequest,
    member: HouseholdMember,
    status: int = 200,
    *,
    address_form: EffectiveAddressForm | None = None,
    registre_form: RegistreForm | None = None,
    message: str | None = None,
    conflict: Conflict | None = None,
) -> tuple[str, int]:
    """The identification page (with what was posted, its messages, and the status)."""
    register = get_register()
    person = register.by_niss(member.niss)
    types = register.information_types(member.niss)
    audit.record_view("inquiry.view", obj=req, niss=member.niss)
    shown = sorted({n for t in types for n in t.people} - {member.niss})
    audit.record_views("inquiry.view", shown, obj=req)
    remember(dossier)
    context = links.member_layout(dossier, req, member)
    ti = request.args.get("ti")
    context.update(
        address_form=address_form or _address_form(member),
        registre_form=registre_form or _registre_form(member, context["inquiry"]),
        registres=REGISTRES,
        information_types=types,
        birth_place=person.birth_place if person else None,
        ti_open=ti == TI_OPEN,
        ti_open_arg=TI_OPEN,
        ti_closed_arg=TI_CLOSED,
        source_label=register.source_label,
        message=message,
        conflict=conflict,
        can_edit_address=current_user.has_function(fn.ADDRESS_EDIT) and not context["frozen"],
    )
    return render_template("inquiry/identification.html", **context), status


def _back(dossier: Dossier, req: AidRequest, member: HouseholdMember) -> Response:
    return redirect_after_post(
        url_for(
            "inquiry.identification",
            dossier_id=dossier.id,
            request_id=req.id,
            member_id=member.id,
        )
    )


# ------------------------------------------------------------------ views


@bp.route(M, endpoint="identification")
@require_function(fn.INFO_VIEW)
def identification(dossier_id: int, request_id: int, member_id: int) -> View:
    dossier, req, member = load_member(dossier_id, request_id, member_id, IDENTIFICATION)
    return _page(dossier, req, member)


@bp.route(M + "/adresse", methods=["POST"], endpoint="address_save")
@require_function(fn.ADDRESS_EDIT)
def address_save(dossier_id: int, request_id: int, member_id: int) -> View:
    dossier, req, member = load_member(dossier_id, request_id, member_id, IDENTIFICATION)
    form = EffectiveAddressForm()
    if request.form.get("action") == "copier":
        try:
            ensure_open(req)
        except InquiryRuleError as exc:
            return _page(dossier, req, member, 422, message=str(exc))
        copy_legal_address(form, member)
        return _page(dossier, req, member, address_form=form)
    if not form.validate():
        return _page(dossier, req, member, 422, address_form=form)
    address = Address(
        street=form.street.data.strip(),
        house_number=form.house_number.data.strip(),
        box=(form.box.data or "").strip() or None,
        postal_code=form.postal_code.data.strip(),
        locality=form.locality.data.strip(),
    )
    try:
        service.save_effective_address(
            req, member, address, acting_user(), version=form.version.data
        )
    except Conflict as exc:
        form.version.data = exc.current_version
        return _page(dossier, req, member, 409, address_form=form, conflict=exc)
    except (InquiryRuleError, DossierRuleError) as exc:
        return _page(dossier, req, member, 422, address_form=form, message=str(exc))
    flash(ADDRESS_SAVED, "success")
    return _back(dossier, req, member)


@bp.route(M + "/donnees-legales", methods=["POST"], endpoint="legal_refresh")
@require_function(fn.ADDRESS_EDIT)
def legal_refresh(dossier_id: int, request_id: int, member_id: int) -> View:
    dossier, req, member = load_member(dossier_id, request_id, member_id, IDENTIFICATION)
    try:
        updated = service.refresh_legal_data(req, member, acting_user())
    except (InquiryRuleError, DossierRuleError) as exc:
        return _page(dossier, req, member, 422, message=str(exc))
    flash(LEGAL_REFRESHED if updated else LEGAL_UNKNOWN, "success" if updated else "error")
    return _back(dossier, req, member)


@bp.route(M + "/registre", methods=["POST"], endpoint="registre_save")
@require_function(fn.ADDRESS_EDIT)
def registre_save(dossier_id: int, request_id: int, member_id: int) -> View:
    dossier, req, member = load_member(dossier_id, request_id, member_id, IDENTIFICATION)
    form = RegistreForm()
    if not form.validate():
        return _page(dossier, req, member, 422, registre_form=form)
    try:
        service.save_registre(
            req, member, form.registre_manual.data, acting_user(), version=form.version.data
        )
    except Conflict as exc:
        form.version.data = exc.current_version
        return _page(dossier, req, member, 409, registre_form=form, conflict=exc)
    except InquiryRuleError as exc:
        form.registre_manual.errors = [str(exc)]
        return _page(dossier, req, member, 422, registre_form=form, message=str(exc))
    flash(REGISTRE_SAVED, "success")
    return _back(dossier, req, member)
