"""Home page and health check."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from ..security import acting_user, public, signed_in
from . import bp


@bp.route("/")
@signed_in
def home():
    return render_template("main/home.html", organisation=current_user.organisation)


@bp.route("/sante")
@public
def health():
    return {"status": "ok"}


@bp.route("/langue", methods=["POST"])
@public
def set_language():
    """Switch the interface language (fr/nl); remembered on the account when signed in."""
    from flask import redirect, request, session, url_for

    from ..access.services import set_locale

    locale = request.form.get("locale", "fr")
    if locale not in ("fr", "nl"):
        locale = "fr"
    session["locale"] = locale
    if current_user.is_authenticated:
        set_locale(acting_user(), locale)
    target = request.form.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("main.home")
    return redirect(target)
