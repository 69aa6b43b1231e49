"""« Ressources » of a member (seed 001 §9.4, §9.6), « Ressources du ménage » and the
computation « Calculer les ressources à prendre en compte pour le DIS ».

Plain forms (they work without JavaScript): « Nouvelle ressource » + « Ajouter » is a GET
that draws the fields of the chosen type (``?nouvelle=<type>``), « Enregistrer » posts
them; a refusal draws the page again with the message next to its field and the typed
values (422). The computation is a ``<dialog open>`` fragment that htmx loads into the
page (« Fermer » closes it: a ``method="dialog"`` form, no script); without JavaScript the
same URL answers with the household's page and the dialog in it, with « Retour ».
The rules, the freeze, the event and the audit are the services' (``..resources``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from ... import audit
from ...aid import services as aid_services
from ...aid.extend import MenuEntry, register_menu_entry
from ...aid.models import AidRequest
from ...aid.queries import get_request_or_404
from ...concurrency import Conflict, keep_for_merge, parse_version
from ...confirmation import confirmation_step, is_confirmed
from ...dossiers.models import Dossier, HouseholdMember
from ...dossiers.queries import get_dossier_or_404, get_member_or_404, remember
from ...htmx import is_htmx, redirect_after_post, render_page_or_fragment
from ...security import acting_user, require_function
from ...templating import format_money
from .. import calc
from .. import functions as fn
from .. import resources as service
from ..forms_resources import ResourceEditForm, ResourceForm
from ..models import CATEGORIES, RESOURCE_TYPES, RESOURCES, MemberInquiry, Resource
from ..queries import get_resource_or_404
from ..services import FROZEN, InquiryRuleError, find_inquiry, parts_of
from . import bp

View = str | Response | tuple[str, int]
M = "/<int:dossier_id>/demandes/<int:request_id>/membres/<int:member_id>"
R = "/<int:dossier_id>/demandes/<int:request_id>"

PAGE = "inquiry/resources.html"
HOUSEHOLD_PAGE = "inquiry/household_resources.html"
DIALOG = "inquiry/_computation.html"

ADDED = _l("Ressource ajoutée.")
UPDATED = _l("Ressource modifiée.")
DELETED = _l("Ressource supprimée.")
TICKED = _l("« Pas de ressources » enregistré.")
UNTICKED = _l("« Pas de ressources » décoché : vous pouvez ajouter des ressources.")
DELETE_QUESTION = _l("Supprimer cette ressource ? Elle disparaît de l'enquête sociale.")
DELETE_LABEL = _l("Supprimer la ressource")

register_menu_entry(
    MenuEntry(
        "household_resources",
        10,
        "inquiry.household_resources",
        _l("Ressources du ménage"),
        fn.RESOURCES_VIEW,
        current=("inquiry.household_resources", "inquiry.computation"),
    )
)

#: What each rule of the computation says (``cpas.inquiry.calc``).
UNVERIFIED_TEXT = _l("exonération non appliquée : montant officiel non vérifié")
RULE_TEXTS: dict[str, Any] = {
    calc.COUNTED: _l("pris en compte (D.I.S. coché)"),
    calc.NOT_TICKED: _l("non pris en compte : D.I.S. non coché"),
    calc.ENDED: _l("non pris en compte : ressource terminée avant la date d'entrée en vigueur"),
    calc.FAMILY_ALLOWANCES: _l(
        "non pris en compte : allocations familiales (AR du 11 juillet 2002, art. 22, § 1er, "
        "al. 1er, b)"
    ),
    calc.ART35: _l(
        "exonération socioprofessionnelle (AR du 11 juillet 2002, art. 35) : %(monthly)s par "
        "mois, en vigueur depuis le %(since)s"
    ),
    calc.STUDENT: _l(
        "exonération du job étudiant d'un étudiant avec PIIS (AR du 11 juillet 2002, art. 35) "
        ": %(monthly)s par mois, en vigueur depuis le %(since)s"
    ),
    calc.UNVERIFIED: UNVERIFIED_TEXT,
    calc.ARTISTIC_UNVERIFIED: UNVERIFIED_TEXT,
}
GENERAL_TEXTS: dict[str, Any] = {
    calc.GENERAL: _l(
        "exonération générale (AR du 11 juillet 2002, art. 22, § 2), catégorie « %(category)s » "
        ": %(amount)s par an"
    ),
    calc.GENERAL_NO_CATEGORY: _l(
        "exonération générale non appliquée : la catégorie du bénéficiaire (Information) "
        "n'est pas encodée"
    ),
    calc.GENERAL_NOT_BELOW: _l(
        "exonération générale non appliquée : les ressources prises en compte atteignent le "
        "revenu d'intégration de la catégorie (%(ri)s par mois)"
    ),
    calc.GENERAL_UNVERIFIED: _l(
        "exonération générale non appliquée : montant officiel non vérifié"
    ),
    calc.GENERAL_NOTHING: _l("exonération générale : aucune ressource n'est prise en compte"),
}


def explain(line: calc.ResourceLine) -> str:
    """The line's rule in words, with the amount in force."""
    text = str(RULE_TEXTS[line.rule])
    if line.rate is not None:
        return text % {
            "monthly": format_money(line.rate.amount),
            "since": line.rate.valid_from.strftime("%d/%m/%Y"),
        }
    return text


def explain_general(result: calc.Computation) -> str:
    text = str(GENERAL_TEXTS[result.general_rule])
    values: dict[str, str] = {}
    if result.general_rule == calc.GENERAL and result.general_rate is not None:
        values = {
            "category": str(CATEGORIES.get(result.category or "", "")),
            "amount": format_money(result.general_rate.amount),
        }
    elif result.general_rule == calc.GENERAL_NOT_BELOW and result.ri_rate is not None:
        values = {"ri": format_money(result.ri_rate.amount)}
    return text % values if values else text


# ------------------------------------------------------------------ loading and context


def _load_request(dossier_id: int, request_id: int) -> tuple[Dossier, AidRequest]:
    dossier = get_dossier_or_404(dossier_id)
    return dossier, get_request_or_404(dossier, request_id)


def _load(
    dossier_id: int, request_id: int, member_id: int
) -> tuple[Dossier, AidRequest, HouseholdMember]:
    dossier, req = _load_request(dossier_id, request_id)
    member = get_member_or_404(dossier, member_id)
    if member.removed_at is not None or RESOURCES not in parts_of(member):
        abort(404)  # a minor child has no resources part (seed 001 §9.6)
    return dossier, req, member


def _ids(dossier: Dossier, req: AidRequest, member: HouseholdMember) -> dict[str, Any]:
    return {"dossier_id": dossier.id, "request_id": req.id, "member_id": member.id}


def _computation_urls(dossier: Dossier, req: AidRequest) -> dict[str, str]:
    ids: dict[str, Any] = {"dossier_id": dossier.id, "request_id": req.id}
    return {
        "computation_url": url_for("inquiry.computation", **ids),
        "computation_details_url": url_for("inquiry.computation", details=1, **ids),
        "household_url": url_for("inquiry.household_resources", **ids),
    }


def _page(
    dossier: Dossier,
    req: AidRequest,
    member: HouseholdMember,
    *,
    form: ResourceForm | None = None,
    editing: Resource | None = None,
    message: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The member's resources page: the list with what counts, « Nouvelle ressource », the
    form of the chosen type or of the resource being changed."""
    from ..links import member_layout

    result, inquiries = service.household_computation(req, list(dossier.members))
    inquiry: MemberInquiry | None = inquiries.get(member.id)
    frozen = aid_services.is_frozen(req)
    audit.record_view("inquiry.view", obj=req, niss=member.niss)
    remember(dossier)
    can_edit = current_user.has_function(fn.RESOURCES_EDIT) and not frozen
    context = member_layout(
        dossier,
        req,
        member,
        inquiry=inquiry,
        part=RESOURCES,
        resources=list(inquiry.resources) if inquiry else [],
        computation=result,
        types=[(k, RESOURCE_TYPES[k]) for k in service.allowed_types(member)],
        type_labels=RESOURCE_TYPES,
        form=form if can_edit else None,
        editing=editing if can_edit else None,
        message=message,
        can_edit=can_edit,
        explain=explain,
        ids=_ids(dossier, req, member),
        **_computation_urls(dossier, req),
    )
    return render_template(PAGE, **context), status


def _to_page(dossier: Dossier, req: AidRequest, member: HouseholdMember) -> Response:
    return redirect_after_post(url_for("inquiry.resources", **_ids(dossier, req, member)))


def _data(form: ResourceForm, kind: str) -> service.ResourceData:
    amount = form.annual_amount.data
    assert isinstance(amount, Decimal)
    return service.ResourceData(
        kind=kind,
        detail=(form.detail.data or "").strip() or None,
        annual_amount=amount,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        counts_for_dis=bool(form.counts_for_dis.data),
    )


def _frozen(req: AidRequest, member: HouseholdMember) -> str | None:
    """Why nothing posted can change (frozen request…), said before any field is read."""
    try:
        service.ensure_editable(req, member)
    except InquiryRuleError as exc:
        return str(exc)
    return None


def _refusal(form: ResourceForm, exc: InquiryRuleError) -> str | None:
    """A rule's message next to its field, or (the freeze, the type…) above the form."""
    if exc.field and exc.field in form._fields and exc.field != "kind":
        form[exc.field].errors = [*form[exc.field].errors, str(exc)]
        return None
    return str(exc)


# ------------------------------------------------------------------ a member's resources


@bp.route(f"{M}/ressources", endpoint="resources")
@require_function(fn.RESOURCES_VIEW)
def resources(dossier_id: int, request_id: int, member_id: int) -> View:
    dossier, req, member = _load(dossier_id, request_id, member_id)
    kind = request.args.get("nouvelle")
    if not kind:
        return _page(dossier, req, member)
    # « Nouvelle ressource » → « Ajouter »: the fields of that type, or why not
    form = ResourceForm(formdata=None).for_kind(kind)
    try:
        service.ensure_editable(req, member)
        found = find_inquiry(req, member)
        service.check_type(member, found, kind)
        if found is not None and found.no_resources:
            raise InquiryRuleError(service.TICKED, field="kind")
    except InquiryRuleError as exc:
        return _page(dossier, req, member, message=str(exc), status=422)
    return _page(dossier, req, member, form=form)


@bp.route(f"{M}/ressources", methods=["POST"], endpoint="resource_add")
@require_function(fn.RESOURCES_EDIT)
def resource_add(dossier_id: int, request_id: int, member_id: int) -> View:
    dossier, req, member = _load(dossier_id, request_id, member_id)
    form = ResourceForm()
    kind = form.kind.data or ""
    form.for_kind(kind)
    if (frozen := _frozen(req, member)) is not None:
        return _page(dossier, req, member, message=frozen, status=422)
    message = None
    if form.validate():
        try:
            service.add_resource(req, member, _data(form, kind), acting_user())
        except InquiryRuleError as exc:
            message = _refusal(form, exc)
        else:
            flash(str(ADDED), "success")
            return _to_page(dossier, req, member)
    elif kind not in RESOURCE_TYPES:
        message = str(service.UNKNOWN_TYPE)
    return _page(dossier, req, member, form=form, message=message, status=422)


@bp.route(
    f"{M}/ressources/<int:resource_id>/modifier",
    methods=["GET", "POST"],
    endpoint="resource_edit",
)
@require_function(fn.RESOURCES_EDIT)
def resource_edit(dossier_id: int, request_id: int, member_id: int, resource_id: int) -> View:
    dossier, req, member = _load(dossier_id, request_id, member_id)
    inquiry = _inquiry_or_404(req, member)
    resource = get_resource_or_404(inquiry, resource_id)
    if request.method == "GET":
        form = ResourceEditForm(formdata=None, obj=resource).for_kind(resource.kind)
        form.version.data = resource.version
        try:
            service.ensure_editable(req, member)
        except InquiryRuleError as exc:
            return _page(dossier, req, member, message=str(exc), status=422)
        return _page(dossier, req, member, form=form, editing=resource)
    form = ResourceEditForm().for_kind(resource.kind)
    if (frozen := _frozen(req, member)) is not None:
        return _page(dossier, req, member, message=frozen, status=422)
    status, message = 422, None
    if form.validate():
        try:
            service.update_resource(
                req, member, resource, _data(form, resource.kind), form.version.data, acting_user()
            )
        except InquiryRuleError as exc:
            message = _refusal(form, exc)
        except Conflict as exc:
            saved = ResourceEditForm(formdata=None, obj=resource).for_kind(resource.kind)
            keep_for_merge(form, saved, exc)
            status = 409
        else:
            flash(str(UPDATED), "success")
            return _to_page(dossier, req, member)
    return _page(dossier, req, member, form=form, editing=resource, message=message, status=status)


@bp.route(
    f"{M}/ressources/<int:resource_id>/supprimer", methods=["POST"], endpoint="resource_delete"
)
@require_function(fn.RESOURCES_EDIT)
def resource_delete(dossier_id: int, request_id: int, member_id: int, resource_id: int) -> View:
    dossier, req, member = _load(dossier_id, request_id, member_id)
    inquiry = _inquiry_or_404(req, member)
    resource = get_resource_or_404(inquiry, resource_id)
    version = parse_version(request.form.get("version"))
    try:
        if not is_confirmed(request.form):
            service.ensure_editable(req, member)  # the freeze answers before the question
            ids = _ids(dossier, req, member)
            return confirmation_step(
                str(DELETE_QUESTION),
                str(DELETE_LABEL),
                url_for("inquiry.resource_delete", resource_id=resource.id, **ids),
                url_for("inquiry.resources", **ids),
                keep={"version": "" if version is None else str(version)},
            )
        service.delete_resource(req, member, resource, version, acting_user())
    except InquiryRuleError as exc:
        return _page(dossier, req, member, message=str(exc), status=422)
    except Conflict as exc:
        return _page(dossier, req, member, message=exc.short, status=409)
    flash(str(DELETED), "success")
    return _to_page(dossier, req, member)


@bp.route(f"{M}/pas-de-ressources", methods=["POST"], endpoint="no_resources")
@require_function(fn.RESOURCES_EDIT)
def no_resources(dossier_id: int, request_id: int, member_id: int) -> View:
    dossier, req, member = _load(dossier_id, request_id, member_id)
    value = request.form.get("value")
    if (frozen := _frozen(req, member)) is not None:
        return _page(dossier, req, member, message=frozen, status=422)
    if value not in ("0", "1"):
        return _page(dossier, req, member, message=_("Choix invalide."), status=422)
    try:
        service.set_no_resources(req, member, value == "1", acting_user())
    except InquiryRuleError as exc:
        return _page(dossier, req, member, message=str(exc), status=422)
    flash(str(TICKED if value == "1" else UNTICKED), "success")
    return _to_page(dossier, req, member)


def _inquiry_or_404(req: AidRequest, member: HouseholdMember) -> MemberInquiry:
    inquiry = find_inquiry(req, member)
    if inquiry is None:
        abort(404)
    return inquiry


# ------------------------------------------------------------------ the household


def _household_context(dossier: Dossier, req: AidRequest, **extra: Any) -> dict[str, Any]:
    """« Ressources du ménage »: each present member with a resources part, their totals,
    and the computation (one query for the inquiries, one for their resources)."""
    from ...aid.routes.request_page import request_context

    members = [m for m in dossier.members if m.removed_at is None]
    result, inquiries = service.household_computation(req, members)
    rows: list[dict[str, Any]] = []
    for member in members:
        if RESOURCES not in parts_of(member):
            continue
        inquiry = inquiries.get(member.id)
        resources = list(inquiry.resources) if inquiry else []
        rows.append(
            {
                "member": member,
                "inquiry": inquiry,
                "count": len(resources),
                "annual": sum((r.annual_amount for r in resources), Decimal("0.00")),
                "counted": result.member_total(member.id),
            }
        )
    audit.record_views("inquiry.view", (row["member"].niss for row in rows), obj=req)
    remember(dossier)
    by_id = {m.id: m for m in members}
    return request_context(
        dossier,
        req,
        rows=rows,
        members=by_id,
        computation=result,
        category_label=CATEGORIES.get(result.category or ""),
        type_labels=RESOURCE_TYPES,
        explain=explain,
        explain_general=explain_general(result),
        frozen_message=FROZEN,
        **_computation_urls(dossier, req),
        **extra,
    )


@bp.route(f"{R}/ressources", endpoint="household_resources")
@require_function(fn.RESOURCES_VIEW)
def household_resources(dossier_id: int, request_id: int) -> View:
    dossier, req = _load_request(dossier_id, request_id)
    return render_template(HOUSEHOLD_PAGE, **_household_context(dossier, req, dialog=False))


@bp.route(f"{R}/ressources/calcul", endpoint="computation")
@require_function(fn.RESOURCES_VIEW)
def computation(dossier_id: int, request_id: int) -> View:
    """The dialog: with htmx the ``<dialog open>`` fragment, else the household's page with
    the dialog in it."""
    dossier, req = _load_request(dossier_id, request_id)
    details = request.args.get("details") == "1"
    context = _household_context(dossier, req, dialog=True, details=details, as_page=not is_htmx())
    return render_page_or_fragment(HOUSEHOLD_PAGE, DIALOG, **context)
