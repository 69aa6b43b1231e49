from flask import Blueprint

bp = Blueprint("water_fund", __name__, url_prefix="/fonds-eau")
