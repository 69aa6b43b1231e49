"""Access management screens: profiles, users, « Mes accès », Admin-Logs, account requests."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..concurrency import Conflict, keep_for_merge
from ..database import reads_only
from ..documents.pdf import send_pdf
from ..documents.xlsx import send_xlsx
from ..extensions import db
from ..htmx import render_page_or_fragment
from ..inputs import parse_page
from ..pagination import page_number, paginate
from ..security import public, require_function, signed_in
from ..templating import current_locale
from ..timeutil import utcnow
from . import audit_log as audit_log_words
from . import bp, queries, services
from .forms import (
    AcceptForm,
    AccountRequestEditForm,
    AccountRequestForm,
    AuditFilterForm,
    ProfileForm,
    RefuseForm,
    UserAssignForm,
    optional_id,
)
from .functions import FUNCTIONS, TREE
from .models import Profile
from .templates import templates_for

ACCOUNT_REQUEST_SENT = (
    "Votre demande a bien été envoyée. Elle sera examinée par un administrateur ; vous "
    "recevrez un e-mail dès qu'une décision sera prise."
)


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
            flash("Le profil « Tous les accès » ne peut pas être modifié.", "error")
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
            current_user._get_current_object(),
            profile,
            version=form.version.data if profile else None,
        )
    except Conflict as exc:
        # someone saved the profile meanwhile: keep the typed names and ticks, show theirs
        db.session.rollback()
        keep_for_merge(form, ProfileForm(formdata=None, obj=profile), exc)
        form.saved_functions = _function_differences(codes, set(profile.function_codes))
        return _profile_form_page(form, codes, profile, 409)
    except services.AccessRuleError as exc:
        flash(str(exc), "error")
        return _profile_form_page(form, codes, profile, 409)
    except IntegrityError:  # unique name per organisation
        db.session.rollback()
        form.name_fr.errors = [*form.name_fr.errors, "Un profil porte déjà ce nom."]
        return _profile_form_page(form, codes, profile, 422)
    message = f"Le profil « {saved.profile.name_fr} » a été enregistré."
    if saved.added:
        labels = ", ".join(FUNCTIONS[c].label(current_locale()) for c in saved.added)
        message += f" Fonctions ajoutées car requises : {labels}."
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
        name = profile.name_fr
        services.delete_profile(profile, current_user._get_current_object())
        flash(f"Le profil « {name} » a été supprimé.", "success")
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
        services.assign_profiles(
            user, chosen, current_user._get_current_object(), version=form.version.data
        )
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
    flash(f"Profils de {user.full_name} enregistrés.", "success")
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
    try:
        services.deactivate_user(user, current_user._get_current_object())
        flash(f"{user.full_name} a été désactivé(e) et déplacé(e) vers les inactifs.", "success")
    except services.AccessRuleError as exc:
        flash(str(exc), "error")
    return redirect(url_for("access.users"))


@bp.route("/utilisateurs/<int:user_id>/reactiver", methods=["POST"])
@require_function("access.users")
def user_reactivate(user_id: int):
    user = queries.get_user_or_404(user_id)
    try:
        services.reactivate_user(user, current_user._get_current_object())
        flash(f"{user.full_name} a été réactivé(e), sans profil.", "success")
    except services.AccessRuleError as exc:
        flash(str(exc), "error")
    return redirect(url_for("access.inactive_users"))


@bp.route("/utilisateurs/export.xlsx")
@require_function("access.export")
def users_export():
    services.log_consultation("access.export_review", details="revue des accès")
    stamp = utcnow().strftime("%Y%m%d")
    return send_xlsx(
        f"revue-des-acces-{stamp}.xlsx",
        ["Nom", "Prénom", "E-mail", "Profils", "Code fonction", "Fonction"],
        queries.access_review_rows(current_user.organisation_id, current_locale()),
        title="Revue des accès",
    )


# --------------------------------------------------------------------------- Admin-Logs


def _audit_filters() -> tuple[AuditFilterForm, dict]:
    form = AuditFilterForm(request.form if request.method == "POST" else None)
    org_id = current_user.organisation_id
    form.user_id.choices = [(0, _("Tous"))] + queries.org_users_for_select(org_id)
    actions = sorted(
        ((code, audit.action_label(code)) for code in queries.audit_actions(org_id)),
        key=lambda choice: choice[1].lower(),
    )
    form.action.choices = [
        ("", _("Toutes")),
        (queries.SECURITY_FILTER, _("Événements de sécurité")),
        *actions,
    ]
    filters: dict = {}
    if request.method == "POST" and form.validate():
        filters = {
            "date_from": form.date_from.data,
            "date_to": form.date_to.data,
            "user_id": form.user_id.data or None,
            "action": form.action.data or None,
            "niss": form.niss.data or None,
        }
    return form, filters


@reads_only
@bp.route("/admin-logs", methods=["GET", "POST"])
@require_function("access.audit")
def audit_log():
    """Search the audit log. A POST search keeps the NISS out of URLs and server logs."""
    form, filters = _audit_filters()
    status = 422 if form.errors else 200
    page_arg = request.form.get("page", "1") if request.method == "POST" else "1"
    page = paginate(
        queries.audit_query(current_user.organisation_id, **filters),
        parse_page(page_arg),
        50,
        scalars=False,
    )
    rows = audit_log_words.describe(page.items, current_user._get_current_object())
    # The log shows NISS too: each one on screen (and the one searched) is a consultation.
    shown = audit_log_words.shown_niss(rows)
    if filters.get("niss") and filters["niss"] not in shown:
        shown.insert(0, filters["niss"])
    audit.record_views(
        "access.audit_view", shown or [None], details="recherche" if filters else None
    )
    return render_page_or_fragment(
        "access/audit_log.html", "access/_audit_table.html", form=form, page=page, rows=rows
    ), status


@reads_only
@bp.route("/admin-logs/export.xlsx", methods=["POST"])
@require_function("access.audit")
def audit_export():
    form, filters = _audit_filters()
    if form.errors:
        return render_template("access/audit_log.html", form=form, page=None), 422
    # Built before the answer (not streamed): every NISS in the file is logged, and the
    # log is written after the view, before the download starts.
    rows = audit_log_words.describe_all(
        db.session.execute(queries.audit_query(current_user.organisation_id, **filters)),
        current_user._get_current_object(),
    )
    shown = audit_log_words.shown_niss(rows)
    if filters.get("niss") and filters["niss"] not in shown:
        shown.insert(0, filters["niss"])
    audit.record_views("access.audit_export", shown or [None])
    return send_xlsx(
        f"admin-logs-{utcnow():%Y%m%d}.xlsx",
        [
            _("Date et heure (Bruxelles)"),
            _("Utilisateur"),
            _("Action"),
            _("Objet"),
            _("NISS"),
            _("Résultat"),
            _("IP"),
            _("Code de l'action"),
        ],
        (
            [r.at, r.user, r.action, r.object, r.niss or "", r.outcome, r.entry.ip or "", r.code]
            for r in rows
        ),
        title="Admin-Logs",
    )


# --------------------------------------------------------------------------- account requests


@bp.route("/demande-de-compte", methods=["GET", "POST"])
@public
def account_request():
    """Public form « Demande d'un compte »."""
    form = AccountRequestForm()
    form.organisation_id.choices = [
        (o.id, f"{o.name} ({o.kind_label})") for o in queries.requestable_organisations()
    ]
    if request.method == "POST":
        from ..auth.services import ThrottleScope, count_attempt

        ip = request.remote_addr or "?"
        # Counted before anything else: robots, invalid forms, known and unknown e-mails.
        allowed = count_attempt(ThrottleScope.ACCOUNT_REQUEST, form.email.data or "", ip)
        if allowed and form.website.data:  # honeypot filled: a robot; answer as if all went well
            flash(ACCOUNT_REQUEST_SENT, "success")
            return redirect(url_for("auth.login"))
        if not allowed:
            return render_template(
                "access/account_request_form.html",
                form=form,
                error="Trop de demandes envoyées depuis cet ordinateur. Réessayez dans une heure.",
            ), 429
        if form.validate():
            services.submit_account_request(form.data, ip)
            flash(ACCOUNT_REQUEST_SENT, "success")
            return redirect(url_for("auth.login"))
        return render_template("access/account_request_form.html", form=form), 422
    return render_template("access/account_request_form.html", form=form)


@bp.route("/demandes-de-compte")
@require_function("access.account_requests")
def account_requests():
    user = current_user._get_current_object()
    pending = paginate(queries.account_requests(user, pending=True), page_number(), 25)
    history = paginate(queries.account_requests(user, pending=False), page_number("hpage"), 25)
    return render_template("access/account_requests.html", pending=pending, history=history)


def _request_forms(row, accepting: bool = False):
    if accepting:  # the accept form posts no request field: show them as saved
        edit = AccountRequestEditForm(formdata=None, obj=row)
    else:
        edit = AccountRequestEditForm(obj=row if request.method == "GET" else None)
    orgs = queries.requestable_organisations()
    edit.organisation_id.choices = [(o.id, f"{o.name} ({o.kind_label})") for o in orgs]
    # The accept form reads the posted data only on its own route: after a save of the
    # request's fields, or on the review page, no profile is chosen for the administrator.
    accept = AcceptForm(formdata=None if not accepting else request.form)
    accept.set_profiles(
        [(p.id, p.name(current_locale())) for p in queries.org_profiles(row.organisation_id)]
    )
    return edit, accept, RefuseForm()


def _review_page(row, edit, accept, refuse, status: int = 200):
    """The review page; the accept card says what each profile of the organisation grants."""
    can_accept = row.organisation_id == current_user.organisation_id
    profiles = queries.org_profiles(row.organisation_id) if can_accept else []
    return render_template(
        "access/account_request_review.html",
        row=row,
        edit=edit,
        accept=accept,
        refuse=refuse,
        can_accept=can_accept,
        grants=queries.profile_grants(profiles, current_locale()),
        grant_profiles=profiles,
        accept_profile=next((p for p in profiles if p.id == accept.profile_id.data), None),
    ), status


@bp.route("/demandes-de-compte/<int:request_id>/profil")
@require_function("access.account_requests")
def account_request_profile(request_id: int):
    """What the profile chosen in the accept form grants (htmx fragment, on change)."""
    row = queries.get_account_request_or_404(request_id)
    if row.organisation_id != current_user.organisation_id:
        abort(404)
    profile_id = optional_id(request.args.get("profile_id"))
    profile = queries.get_profile_or_404(profile_id) if profile_id is not None else None
    grants = queries.profile_grants([profile], current_locale()) if profile else {}
    return render_template(
        "access/_profile_grants.html", profile=profile, grants=grants.get(profile_id)
    )


@bp.route("/demandes-de-compte/<int:request_id>", methods=["GET", "POST"])
@require_function("access.account_requests")
def account_request_review(request_id: int):
    row = queries.get_account_request_or_404(request_id)
    edit, accept, refuse = _request_forms(row)
    status = 200
    if request.method == "POST":
        if row.organisation_id != current_user.organisation_id:
            flash("Seule l'organisation concernée peut modifier cette demande.", "error")
            return redirect(url_for("access.account_request_review", request_id=row.id))
        if edit.validate():
            try:
                services.update_account_request(
                    row, edit.data, current_user._get_current_object(), version=edit.version.data
                )
                flash("Demande mise à jour.", "success")
                return redirect(url_for("access.account_request_review", request_id=row.id))
            except Conflict as exc:
                # another administrator saved the request meanwhile: keep what was typed
                db.session.rollback()
                saved = AccountRequestEditForm(formdata=None, obj=row)
                saved.organisation_id.choices = edit.organisation_id.choices
                keep_for_merge(edit, saved, exc)
                status = 409
            except services.AccessRuleError as exc:
                flash(str(exc), "error")
                status = 409
        else:
            status = 422
    return _review_page(row, edit, accept, refuse, status)


@bp.route("/demandes-de-compte/<int:request_id>/accepter", methods=["POST"])
@require_function("access.account_requests")
def account_request_accept(request_id: int):
    row = queries.get_account_request_or_404(request_id)
    edit, accept, refuse = _request_forms(row, accepting=True)
    if not accept.validate():
        # The page again, the message next to the profile field, the request as saved.
        return _review_page(row, edit, accept, refuse, 422)
    profile = queries.get_profile_or_404(accept.profile_id.data)
    try:
        user = services.accept_account_request(row, profile, current_user._get_current_object())
        flash(f"Compte créé pour {user.full_name}. Un e-mail lui a été envoyé.", "success")
    except Conflict as exc:  # edited meanwhile: no account; the page shows the saved request
        flash(exc.short + " " + _("Vérifiez la demande ; rien n'a été créé."), "error")
        return redirect(url_for("access.account_request_review", request_id=row.id))
    except services.AccessRuleError as exc:
        flash(str(exc), "error")
    return redirect(url_for("access.account_requests"))


@bp.route("/demandes-de-compte/<int:request_id>/refuser", methods=["POST"])
@require_function("access.account_requests")
def account_request_refuse(request_id: int):
    row = queries.get_account_request_or_404(request_id)
    _edit, _accept, refuse = _request_forms(row)
    if not refuse.validate():
        flash("Indiquez le motif du refus.", "error")
        return redirect(url_for("access.account_request_review", request_id=row.id))
    try:
        services.refuse_account_request(row, refuse.reason.data, current_user._get_current_object())
        flash("Demande refusée ; le demandeur a été prévenu par e-mail.", "success")
    except Conflict as exc:  # edited meanwhile: nothing refused, the page shows it as saved
        flash(exc.short + " " + _("Vérifiez la demande ; elle n'a pas été refusée."), "error")
        return redirect(url_for("access.account_request_review", request_id=row.id))
    except services.AccessRuleError as exc:
        flash(str(exc), "error")
    return redirect(url_for("access.account_requests"))
