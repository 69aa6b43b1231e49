from flask import Blueprint

bp = Blueprint("dossiers", __name__, url_prefix="/dossiers")
