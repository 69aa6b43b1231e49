"""« Demande d'un compte »: the public form, and the review by an administrator."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...concurrency import Conflict, keep_for_merge
from ...extensions import db
from ...pagination import page_number, paginate
from ...security import acting_user, public, require_function
from ...templating import current_locale
from .. import bp, queries, services
from ..forms import (
    AcceptForm,
    AccountRequestEditForm,
    AccountRequestForm,
    RefuseForm,
    optional_id,
)

ACCOUNT_REQUEST_SENT = _l(
    "Votre demande a bien été envoyée. Elle sera examinée par un administrateur ; vous "
    "recevrez un e-mail dès qu'une décision sera prise."
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
        from ...auth.services import ThrottleScope, count_attempt

        ip = request.remote_addr or "?"
        # Counted before anything else: robots, invalid forms, known and unknown e-mails.
        allowed = count_attempt(ThrottleScope.ACCOUNT_REQUEST, form.email.data or "", ip)
        if allowed and form.website.data:  # honeypot filled: a robot; answer as if all went well
            flash(str(ACCOUNT_REQUEST_SENT), "success")
            return redirect(url_for("auth.login"))
        if not allowed:
            return render_template(
                "access/account_request_form.html",
                form=form,
                error=_(
                    "Trop de demandes envoyées depuis cet ordinateur. Réessayez dans une heure."
                ),
            ), 429
        if form.validate():
            services.submit_account_request(form.data, ip)
            flash(str(ACCOUNT_REQUEST_SENT), "success")
            return redirect(url_for("auth.login"))
        return render_template("access/account_request_form.html", form=form), 422
    return render_template("access/account_request_form.html", form=form)


@bp.route("/demandes-de-compte")
@require_function("access.account_requests")
def account_requests():
    user = acting_user()
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
        "access/_profile_grants.html",
        profile=profile,
        grants=grants.get(profile.id) if profile else None,
    )


@bp.route("/demandes-de-compte/<int:request_id>", methods=["GET", "POST"])
@require_function("access.account_requests")
def account_request_review(request_id: int):
    row = queries.get_account_request_or_404(request_id)
    edit, accept, refuse = _request_forms(row)
    status = 200
    if request.method == "POST":
        if row.organisation_id != current_user.organisation_id:
            flash(_("Seule l'organisation concernée peut modifier cette demande."), "error")
            return redirect(url_for("access.account_request_review", request_id=row.id))
        if edit.validate():
            try:
                services.update_account_request(
                    row, edit.data, acting_user(), version=edit.version.data
                )
                flash(_("Demande mise à jour."), "success")
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
        user = services.accept_account_request(
            row, profile, acting_user(), version=accept.version.data
        )
        flash(
            _("Compte créé pour %(name)s. Un e-mail lui a été envoyé.", name=user.full_name),
            "success",
        )
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
        # a missing or garbage version says so; otherwise the reason is what is missing
        flash(" ".join(refuse.version.errors) or _("Indiquez le motif du refus."), "error")
        return redirect(url_for("access.account_request_review", request_id=row.id))
    try:
        services.refuse_account_request(
            row, refuse.reason.data, acting_user(), version=refuse.version.data
        )
        flash(_("Demande refusée ; le demandeur a été prévenu par e-mail."), "success")
    except Conflict as exc:  # edited meanwhile: nothing refused, the page shows it as saved
        flash(exc.short + " " + _("Vérifiez la demande ; elle n'a pas été refusée."), "error")
        return redirect(url_for("access.account_request_review", request_id=row.id))
    except services.AccessRuleError as exc:
        flash(str(exc), "error")
    return redirect(url_for("access.account_requests"))
