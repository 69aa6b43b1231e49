from flask import Blueprint

bp = Blueprint("redi", __name__, url_prefix="/redi")
