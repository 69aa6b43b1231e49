"""Sign-in, sign-out and password reset pages."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..security import acting_user, public, signed_in
from ..urls import safe_local_path
from . import bp, services
from .forms import ForgotPasswordForm, LoginForm, NewPasswordForm

RESET_SENT = _l(
    "Si un compte actif correspond à cette adresse, un e-mail contenant un lien de "
    "réinitialisation vient d'être envoyé. Le lien est valable une heure."
)
RESET_INVALID = _l(
    "Ce lien de réinitialisation n'est plus valable (déjà utilisé ou expiré). "
    "Demandez-en un nouveau."
)


def _safe_next(target: str | None) -> str:
    return safe_local_path(target, url_for("main.home"))


@bp.route("/connexion", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        result = services.authenticate(
            form.email.data, form.password.data, request.remote_addr or "?"
        )
        if result.user is not None:
            return redirect(_safe_next(request.args.get("next")))
        error = result.error
        status = 401
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/deconnexion", methods=["POST"])
@signed_in
@login_required
def logout():
    services.sign_out(acting_user())
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, request.remote_addr or "?")
        flash(str(RESET_SENT), "info")
        return redirect(url_for("auth.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/forgot.html", form=form), status


@bp.route("/reinitialiser/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    record = services.find_valid_token(token)
    if record is None:
        return render_template("auth/reset_invalid.html", message=RESET_INVALID), 410
    form = NewPasswordForm()
    form._account_email = record.user.email
    if form.validate_on_submit():
        services.reset_password(record, form.password.data)
        flash(_("Votre mot de passe a été modifié. Vous pouvez vous connecter."), "success")
        return redirect(url_for("auth.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/reset.html", form=form), status
