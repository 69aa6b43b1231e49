"""« Mes accès » and the profiles: list, create, edit, delete, print."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ...concurrency import Conflict, keep_for_merge
from ...documents.pdf import send_pdf
from ...extensions import db
from ...htmx import render_page_or_fragment
from ...security import acting_user, require_function, signed_in
from ...templating import current_locale
from ...timeutil import utcnow
from .. import bp, queries, services
from ..forms import (
    ProfileForm,
)
from ..functions import FUNCTIONS, TREE
from ..models import Profile
from ..templates import templates_for

# --------------------------------------------------------------------------- « Mes accès »


@bp.route("/mes-acces")
@signed_in
def my_access():
    """« Mes accès »: the signed-in user's own profiles and their functions."""
    return render_template("access/my_access.html", user=current_user, tree=TREE)


@bp.route("/mes-acces/pdf")
@signed_in
def my_access_pdf():
    return send_pdf(
        "mes-acces.pdf", "access/print_user.html", user=current_user, tree=TREE, now=utcnow()
    )


# --------------------------------------------------------------------------- profiles


@bp.route("/profils")
@require_function("access.profiles")
def profiles():
    return render_template(
        "access/profiles.html", profiles=queries.org_profiles(current_user.organisation_id)
    )


def _tree_action(codes: set[str], action: str) -> set[str]:
    """Apply a tree button (template, select/deselect all or a group) to the ticked codes."""
    if action == "all":
        return set(FUNCTIONS)
    if action == "none":
        return set()
    kind, _sep, key = action.partition(":")
    if kind == "template":
        for template in templates_for(current_user.organisation.kind):
            if template.key == key:
                return template.codes()
    group = next((g for g in TREE if g.code == key), None)
    if group is not None:
        group_codes = {f.code for f in group.functions}
        return codes | group_codes if kind == "group" else codes - group_codes
    return codes


def _profile_form_page(form, codes, profile=None, status=200):
    context = {
        "form": form,
        "profile": profile,
        "tree": queries.tree_with_ticks(codes, current_locale()),
        "templates": templates_for(current_user.organisation.kind),
    }
    return render_page_or_fragment(
        "access/profile_form.html", "access/_function_tree.html", **context
    ), status


@bp.route("/profils/nouveau", methods=["GET", "POST"])
@require_function("access.profiles")
def profile_create():
    return _edit_profile(None)


@bp.route("/profils/<int:profile_id>", methods=["GET", "POST"])
@require_function("access.profiles")
def profile_manage(profile_id: int):
    profile = queries.get_profile_or_404(profile_id)
    if profile.all_access:
        if request.method == "POST":
            flash(_("Le profil « Tous les accès » ne peut pas être modifié."), "error")
            return redirect(url_for("access.profile_manage", profile_id=profile.id))
        return render_template(
            "access/profile_builtin.html",
            profile=profile,
            tree=queries.tree_with_ticks(set(FUNCTIONS), current_locale()),
        )
    return _edit_profile(profile)


def _edit_profile(profile: Profile | None):
    form = ProfileForm(obj=profile)
    if profile is None:
        del form.version  # a new profile has no version yet
    if request.method == "GET":
        codes = set(profile.function_codes) if profile else set()
        return _profile_form_page(form, codes, profile)
    codes = {c for c in request.form.getlist("functions") if c in FUNCTIONS}
    action = request.form.get("action", "save")
    if action != "save":  # a tree button: redraw the tree, save nothing
        return _profile_form_page(form, _tree_action(codes, action), profile)
    if not form.validate():
        return _profile_form_page(form, codes, profile, 422)
    try:
        saved = services.save_profile(
            current_user.organisation_id,
            form.name_fr.data,
            form.name_nl.data,
            codes,
            acting_user(),
            profile,
            version=form.version.data if profile else None,
        )
    except Conflict as exc:
        # someone saved the profile meanwhile: keep the typed names and ticks, show theirs
        db.session.rollback()
        assert profile is not None  # a new profile has no version to conflict on
        keep_for_merge(form, ProfileForm(formdata=None, obj=profile), exc)
        form.saved_functions = _function_differences(codes, set(profile.function_codes))
        return _profile_form_page(form, codes, profile, 409)
    except services.AccessRuleError as exc:
        flash(str(exc), "error")
        return _profile_form_page(form, codes, profile, 409)
    except IntegrityError:  # unique name per organisation
        db.session.rollback()
        form.name_fr.errors = [*form.name_fr.errors, _("Un profil porte déjà ce nom.")]
        return _profile_form_page(form, codes, profile, 422)
    message = _(
        "Le profil « %(name)s » a été enregistré.", name=saved.profile.name(current_locale())
    )
    if saved.added:
        labels = ", ".join(FUNCTIONS[c].label(current_locale()) for c in saved.added)
        message += " " + _("Fonctions ajoutées car requises : %(labels)s.", labels=labels)
    flash(message, "success")
    return redirect(url_for("access.profiles"))


def _function_differences(typed: set[str], saved: set[str]) -> dict[str, list[str]]:
    """Functions the saved profile has that the typed one lacks, and the other way round."""
    locale = current_locale()

    def labels(codes: set[str]) -> list[str]:
        return [FUNCTIONS[c].label(locale) for c in FUNCTIONS if c in codes]

    return {"only_saved": labels(saved - typed), "only_typed": labels(typed - saved)}


@bp.route("/profils/<int:profile_id>/supprimer", methods=["POST"])
@require_function("access.profiles")
def profile_delete(profile_id: int):
    profile = queries.get_profile_or_404(profile_id)
    try:
        name = profile.name(current_locale())
        services.delete_profile(profile, acting_user())
        flash(_("Le profil « %(name)s » a été supprimé.", name=name), "success")
    except services.AccessRuleError as exc:
        flash(str(exc), "error")
    return redirect(url_for("access.profiles"))


@bp.route("/profils/<int:profile_id>/imprimer")
@require_function("access.profiles")
def profile_print(profile_id: int):
    profile = queries.get_profile_or_404(profile_id)
    return render_template("access/print_profile.html", profile=profile, tree=TREE, now=utcnow())


@bp.route("/profils/<int:profile_id>/pdf")
@require_function("access.profiles")
def profile_pdf(profile_id: int):
    profile = queries.get_profile_or_404(profile_id)
    return send_pdf(
        f"profil-{profile.id}.pdf",
        "access/print_profile.html",
        profile=profile,
        tree=TREE,
        now=utcnow(),
        for_pdf=True,
    )
