"""Home page and health check."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from ..security import public, signed_in
from . import bp


@bp.route("/")
@signed_in
def home():  # type: ignore[no-untyped-def]
    return render_template("main/home.html", organisation=current_user.organisation)


@bp.route("/sante")
@public
def health():  # type: ignore[no-untyped-def]
    return {"status": "ok"}
