"""Access management screens."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from ..security import signed_in
from . import bp
from .functions import TREE


@bp.route("/mes-acces")
@signed_in
def my_access():  # type: ignore[no-untyped-def]
    """« Mes accès »: the signed-in user's own profiles and their functions."""
    return render_template("access/my_access.html", user=current_user, tree=TREE)
