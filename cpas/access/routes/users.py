"""Users: active and inactive lists, « Affecter les profils », (de)activation, export."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...concurrency import Conflict, keep_for_merge
from ...documents.pdf import send_pdf
from ...documents.xlsx import send_xlsx
from ...extensions import db
from ...htmx import render_page_or_fragment
from ...pagination import page_number, paginate
from ...security import acting_user, require_function
from ...templating import current_locale
from ...timeutil import utcnow
from .. import bp, queries, services
from ..forms import (
    UserAssignForm,
    UserStateForm,
    optional_id,
)
from ..functions import TREE
from ..models import User

# --------------------------------------------------------------------------- users


@bp.route("/utilisateurs")
@require_function("access.users")
def users():
    return _users_list(active=True)


@bp.route("/utilisateurs/inactifs")
@require_function("access.users")
def inactive_users():
    return _users_list(active=False)


def _users_list(active: bool):
    name = request.args.get("nom", "")[:100]
    query = queries.users_query(current_user.organisation_id, active=active, name=name)
    page = paginate(query, page_number(), 20)
    return render_page_or_fragment(
        "access/users.html",
        "access/_users_table.html",
        page=page,
        name=name,
        active=active,
        endpoint="access.users" if active else "access.inactive_users",
    )


@bp.route("/utilisateurs/<int:user_id>/profils", methods=["GET", "POST"])
@require_function("access.users")
def user_assign(user_id: int):
    user = queries.get_user_or_404(user_id)
    profiles = queries.org_profiles(current_user.organisation_id)
    form = UserAssignForm(obj=user)

    def page(chosen: set[int], status: int = 200, error: str | None = None):
        return render_template(
            "access/user_assign.html",
            user=user,
            profiles=profiles,
            chosen=chosen,
            form=form,
            error=error,
        ), status

    if request.method == "GET":
        return page({p.id for p in user.profiles})
    posted = request.form.getlist("profiles")
    known = {p.id: p for p in profiles}
    chosen_ids = {i for i in map(optional_id, posted) if i in known}
    if len(chosen_ids) != len(set(posted)):
        # An id that is not one of the organisation's profiles: refuse the whole change
        # rather than silently drop it (and with it, possibly, every profile of the user).
        error = _("Un des profils choisis n'existe pas : rien n'a été modifié.")
        return page(chosen_ids, 422, error)
    if not form.validate():  # a missing or garbage version: nothing is changed
        return page(chosen_ids, 422)
    chosen = [known[i] for i in sorted(chosen_ids)]
    try:
        services.assign_profiles(user, chosen, acting_user(), version=form.version.data)
    except Conflict as exc:
        # someone assigned profiles meanwhile: keep the ticks, show what is saved now
        db.session.rollback()
        saved_ids = {p.id for p in user.profiles}
        keep_for_merge(form, UserAssignForm(formdata=None, obj=user), exc)
        names = {p.id: p.name(current_locale()) for p in profiles}
        form.saved_profiles = {
            "only_saved": [names[i] for i in names if i in saved_ids - chosen_ids],
            "only_typed": [names[i] for i in names if i in chosen_ids - saved_ids],
        }
        return page(chosen_ids, 409)
    except services.AccessRuleError as exc:
        flash(str(exc), "error")
        return page(chosen_ids, 409)
    flash(_("Profils de %(name)s enregistrés.", name=user.full_name), "success")
    return redirect(url_for("access.users"))


@bp.route("/utilisateurs/<int:user_id>/imprimer")
@require_function("access.users")
def user_print(user_id: int):
    user = queries.get_user_or_404(user_id)
    return render_template("access/print_user.html", user=user, tree=TREE, now=utcnow())


@bp.route("/utilisateurs/<int:user_id>/pdf")
@require_function("access.users")
def user_pdf(user_id: int):
    user = queries.get_user_or_404(user_id)
    return send_pdf(
        f"acces-utilisateur-{user.id}.pdf",
        "access/print_user.html",
        user=user,
        tree=TREE,
        now=utcnow(),
        for_pdf=True,
    )


@bp.route("/utilisateurs/<int:user_id>/desactiver", methods=["POST"])
@require_function("access.users")
def user_deactivate(user_id: int):
    user = queries.get_user_or_404(user_id)
    if _change_state(user, services.deactivate_user):
        flash(
            _(
                "%(name)s a été désactivé(e) et déplacé(e) vers les inactifs.",
                name=user.full_name,
            ),
            "success",
        )
    return redirect(url_for("access.users"))


@bp.route("/utilisateurs/<int:user_id>/reactiver", methods=["POST"])
@require_function("access.users")
def user_reactivate(user_id: int):
    user = queries.get_user_or_404(user_id)
    if _change_state(user, services.reactivate_user):
        flash(_("%(name)s a été réactivé(e), sans profil.", name=user.full_name), "success")
    return redirect(url_for("access.inactive_users"))


def _change_state(user: User, change: Callable[[User, User, int | None], None]) -> bool:
    """Deactivate or reactivate from the posted version; say why not in a flash message."""
    form = UserStateForm()
    if not form.validate():  # a missing or garbage version: nothing is changed
        flash(" ".join(form.version.errors), "error")
        return False
    try:
        change(user, acting_user(), form.version.data)
    except Conflict as exc:  # the profiles were changed meanwhile (list loaded before)
        flash(exc.short + " " + _("Rien n'a été modifié."), "error")
        return False
    except services.AccessRuleError as exc:
        flash(str(exc), "error")
        return False
    return True


@bp.route("/utilisateurs/export.xlsx")
@require_function("access.export")
def users_export():
    services.log_consultation("access.export_review", acting_user(), details="revue des accès")
    stamp = utcnow().strftime("%Y%m%d")
    return send_xlsx(
        f"revue-des-acces-{stamp}.xlsx",
        [_("Nom"), _("Prénom"), _("E-mail"), _("Profils"), _("Code fonction"), _("Fonction")],
        queries.access_review_rows(current_user.organisation_id, current_locale()),
        title=_("Revue des accès"),
    )
