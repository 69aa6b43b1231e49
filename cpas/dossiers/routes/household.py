"""The household: the official composition from the register and the de facto one
(« Ajouter un membre », « Supprimer » and its undo, « Mettre à jour » from the register)."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ... import audit, session_refs
from ...concurrency import BAD_VERSION, Conflict, parse_version
from ...database import reads_only
from ...htmx import is_htmx, redirect_after_post, render_page_or_fragment
from ...inputs import parse_ids
from ...registry.adapters import PersonRecord
from ...security import acting_user, require_function
from .. import bp, freeze, panels, queries, services
from ..forms import MemberForm, PersonSearchForm
from ..models import RELATIONS, Dossier, HouseholdMember
from .common import (
    address_of,
    copy_legal_address,
    copy_requested,
    layout,
    member_link,
    person_search,
    register_person_or_404,
    search_context,
)


def _name(person: HouseholdMember | PersonRecord) -> str:
    return f"{person.first_name} {person.last_name}"


def _household_context(dossier: Dossier, removed: HouseholdMember | None = None) -> dict[str, Any]:
    members = queries.current_members(dossier)
    snapshot = queries.latest_snapshot(dossier)
    return {
        "members": members,
        "snapshot": snapshot,
        "difference": queries.compare(snapshot, members),
        "removed": removed,
        # why the household may not change now (the aid request before the Council), or None
        "frozen": freeze.frozen_reason(dossier),
        # the link behind a member's name (the social inquiry, registered from above)
        "member_link": panels.member_link,
    }


def _log_household_view(dossier: Dossier, context: dict[str, Any]) -> None:
    """Every person the household page shows is a consultation of that NISS."""
    shown = {m.niss for m in context["members"]}
    if context["snapshot"]:
        shown |= {p.niss for p in context["snapshot"].people}
    for niss in sorted(shown):
        audit.record_view("household.view", obj=dossier, niss=niss)


@bp.route("/<int:dossier_id>/menage")
@require_function("household.view")
def household(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    context = _household_context(dossier)
    _log_household_view(dossier, context)
    queries.remember(dossier)
    return render_template(
        "dossiers/household.html", **layout(dossier, relations=RELATIONS, **context)
    )


@bp.route("/<int:dossier_id>/menage/officiel", methods=["POST"])
@require_function("household.edit")
def household_refresh(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    try:
        services.refresh_official_household(dossier, acting_user())
    except services.DossierRuleError as exc:
        return _refused(dossier, exc)
    flash(_("Composition de ménage officielle mise à jour depuis le registre."), "success")
    return redirect(url_for("dossiers.household", dossier_id=dossier.id))


@bp.route("/<int:dossier_id>/menage/ajouter")
@require_function("household.edit")
def member_new(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    form = PersonSearchForm()
    return render_template(
        "dossiers/member_new.html",
        **layout(
            dossier,
            search_action=url_for("dossiers.member_search", dossier_id=dossier.id),
            details_url=member_link(dossier.id),
            **search_context(form, None, "dossiers.member_add"),
        ),
    )


@reads_only
@bp.route("/<int:dossier_id>/menage/recherche", methods=["POST"])
@require_function("household.edit")
def member_search(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    form = PersonSearchForm()
    ok = form.validate()
    context = search_context(form, person_search(form) if ok else None, "dossiers.member_add")
    context["search_action"] = url_for("dossiers.member_search", dossier_id=dossier.id)
    context["details_url"] = member_link(dossier.id)
    status = 200 if ok else 422
    return render_page_or_fragment(
        "dossiers/member_new.html", "dossiers/_person_search.html", **layout(dossier, **context)
    ), status


@bp.route("/<int:dossier_id>/menage/ajouter/<ref>", methods=["GET", "POST"])
@require_function("household.edit")
def member_add(dossier_id: int, ref: str):
    """« Identification »: register data, effective address, relation and start → « Ajouter »."""
    dossier = queries.get_dossier_or_404(dossier_id)
    row_id = session_refs.resolve(session_refs.REGISTER_PERSON, ref)
    if row_id is None:  # a register id, another session's or an expired reference
        abort(404)
    found = register_person_or_404(row_id)
    form = MemberForm()
    status = 200
    if request.method == "POST":
        if copy_requested():
            copy_legal_address(form, found)
        elif form.validate():
            try:
                services.add_member(
                    dossier,
                    found,
                    address_of(form),
                    form.relation.data,
                    form.relation_start.data,
                    acting_user(),
                )
            except services.HouseholdFrozen as exc:
                return _refused(dossier, exc)
            except services.DossierRuleError as exc:
                form.relation.errors.append(str(exc))
                status = 422
            else:
                flash(_("%(name)s ajouté(e) au ménage de fait.", name=_name(found)), "success")
                return redirect_after_post(url_for("dossiers.household", dossier_id=dossier.id))
        else:
            status = 422
    context = {
        "person": found,
        "form": form,
        "existing": None,
        "action": url_for("dossiers.member_add", dossier_id=dossier.id, ref=ref),
        "submit_label": _("Ajouter"),
        "member_mode": True,
        "inline": is_htmx(),
    }
    return render_page_or_fragment(
        "dossiers/person.html", "dossiers/_person_detail.html", **layout(dossier, **context)
    ), status


def _de_facto(
    dossier: Dossier,
    removed: HouseholdMember | None = None,
    conflict: Conflict | None = None,
) -> Response:
    context = _household_context(dossier, removed)
    _log_household_view(dossier, context)
    response = render_page_or_fragment(
        "dossiers/household.html",
        "dossiers/_household_body.html",
        **layout(dossier, relations=RELATIONS, conflict=conflict, **context),
    )
    if conflict is not None:
        response.status_code = 409
    return response


def _refused(dossier: Dossier, exc: Exception) -> Response:
    """A household change refused by a rule (the household frozen): the page again with the
    message, nothing changed (409)."""
    flash(str(exc), "error")
    response = _de_facto(dossier)
    response.status_code = 409
    return response


def _posted_version() -> int:
    """The version a household button posts with its member; garbage is a 400."""
    version = parse_version(request.form.get("version"))
    if version is None:
        abort(400, description=str(BAD_VERSION))
    return version


@bp.route("/<int:dossier_id>/menage/membres/<int:member_id>/supprimer", methods=["POST"])
@require_function("household.edit")
def member_remove(dossier_id: int, member_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    member = queries.get_member_or_404(dossier, member_id)
    version = _posted_version()
    try:
        services.remove_member(member, acting_user(), version=version)
    except Conflict as exc:
        return _de_facto(dossier, conflict=exc)
    except services.DossierRuleError as exc:
        return _refused(dossier, exc)
    flash(_("%(name)s retiré(e) du ménage de fait.", name=_name(member)), "success")
    return _de_facto(dossier, removed=member)


@bp.route("/<int:dossier_id>/menage/membres/<int:member_id>/restaurer", methods=["POST"])
@require_function("household.edit")
def member_restore(dossier_id: int, member_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    member = queries.get_member_or_404(dossier, member_id)
    version = _posted_version()
    try:
        services.restore_member(member, acting_user(), version=version)
    except Conflict as exc:
        return _de_facto(dossier, conflict=exc)
    except services.DossierRuleError as exc:
        return _refused(dossier, exc)
    flash(_("%(name)s remis(e) dans le ménage de fait.", name=_name(member)), "success")
    return _de_facto(dossier)


@bp.route("/<int:dossier_id>/menage/membres/actualiser", methods=["POST"])
@require_function("household.edit")
def members_refresh(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    wanted = set(parse_ids(request.form.getlist("membres")) or [])
    members = [m for m in queries.current_members(dossier) if m.id in wanted]
    if not members:
        flash(_("Sélectionnez au moins un membre à mettre à jour."), "error")
    else:
        try:
            count = services.refresh_members(dossier, members, acting_user())
        except services.DossierRuleError as exc:
            return _refused(dossier, exc)
        flash(
            _("Données de %(count)s membre(s) mises à jour depuis le registre.", count=count),
            "success",
        )
    return _de_facto(dossier)
