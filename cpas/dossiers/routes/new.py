"""« Nouveau dossier »: the register search, a person's details and the creation, and
« Attribuer un numéro bis » when the register knows nobody."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import session_refs
from ...database import reads_only
from ...htmx import is_htmx, redirect_after_post, render_page_or_fragment
from ...registry.adapters import BisRequest
from ...security import acting_user, require_function
from .. import bp, queries, services
from ..forms import AddressForm, BisForm, PersonSearchForm
from .common import (
    address_of,
    copy_legal_address,
    copy_requested,
    layout,
    person_link,
    person_search,
    register_person_or_404,
    search_context,
)


@bp.route("/nouveau")
@require_function("dossiers.create")
def new():
    form = PersonSearchForm()
    return render_template(
        "dossiers/new.html",
        **layout(
            search_action=url_for("dossiers.register_search"),
            **search_context(form, None, "dossiers.person"),
        ),
    )


@reads_only
@bp.route("/nouveau/recherche", methods=["POST"])
@require_function("dossiers.create")
def register_search():
    form = PersonSearchForm()
    if not form.validate():
        context = search_context(form, None, "dossiers.person")
        if is_htmx():
            return render_template("dossiers/_person_search.html", **context), 422
        return render_template(
            "dossiers/new.html",
            **layout(search_action=url_for("dossiers.register_search"), **context),
        ), 422
    context = search_context(form, person_search(form), "dossiers.person")
    return render_page_or_fragment(
        "dossiers/new.html",
        "dossiers/_person_search.html",
        **layout(search_action=url_for("dossiers.register_search"), **context),
    )


@bp.route("/nouveau/personne/<ref>", methods=["GET", "POST"])
@require_function("dossiers.create")
def person(ref: str):
    """« Détails »: the register data, the effective address, then « Créer le dossier ».

    ``ref`` comes from a search result of this session (never a guessable register id)."""
    row_id = session_refs.resolve(session_refs.REGISTER_PERSON, ref)
    if row_id is None:
        abort(404)
    found = register_person_or_404(row_id)
    existing = queries.dossier_for_niss(current_user.organisation_id, found.niss)
    form = AddressForm()
    status = 200
    if request.method == "POST":
        if copy_requested():
            copy_legal_address(form, found)
        elif form.validate():
            dossier, created = services.create_dossier(
                current_user.organisation, found, address_of(form), acting_user()
            )
            if created:
                flash(_("Dossier créé."), "success")
            else:
                flash(_("Cette personne a déjà un dossier au CPAS : le voici."), "info")
            return redirect_after_post(url_for("dossiers.detail", dossier_id=dossier.id))
        else:
            status = 422
    context: dict[str, Any] = {
        "person": found,
        "form": form,
        "existing": existing,
        "action": url_for("dossiers.person", ref=ref),
        "submit_label": _("Créer le dossier"),
        "member_mode": False,
        "inline": is_htmx(),
    }
    return render_page_or_fragment(
        "dossiers/person.html", "dossiers/_person_detail.html", **layout(**context)
    ), status


@bp.route("/nouveau/numero-bis", methods=["GET", "POST"])
@require_function("dossiers.bis")
def bis():
    """« Attribuer un numéro bis » when the register knows nobody."""
    form = BisForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            assert form.partial is not None  # set by a successful validate()
            person = services.assign_bis(
                BisRequest(
                    last_name=form.nom.data,
                    first_name=form.prenom.data,
                    sex=form.sexe.data,
                    birth=form.partial,
                    birth_place=(form.lieu_naissance.data or "").strip() or None,
                    nationality=(form.nationalite.data or "").strip() or "Inconnue",
                    street=(form.street.data or "").strip() or None,
                    house_number=(form.house_number.data or "").strip() or None,
                    box=(form.box.data or "").strip() or None,
                    postal_code=(form.postal_code.data or "").strip() or None,
                    locality=(form.locality.data or "").strip() or None,
                ),
                acting_user(),
            )
            flash(
                _(
                    "Numéro bis attribué : la personne est reprise au registre BIS (local). "
                    "Complétez l'adresse effective pour créer le dossier."
                ),
                "success",
            )
            return redirect(person_link(person.ref))
        status = 422
    return render_template("dossiers/bis.html", **layout(form=form)), status
