from flask import Blueprint

bp = Blueprint("access", __name__, url_prefix="/acces")

from . import routes  # noqa: E402,F401
