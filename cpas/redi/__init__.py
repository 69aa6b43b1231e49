from flask import Blueprint

bp = Blueprint("redi", __name__, url_prefix="/redi")

from . import routes  # noqa: E402,F401
