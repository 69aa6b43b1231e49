from flask import Blueprint

bp = Blueprint("water_fund", __name__, url_prefix="/fonds-eau")

from . import routes  # noqa: E402,F401
