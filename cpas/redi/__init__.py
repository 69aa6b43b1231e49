from flask import Blueprint

from ..security import restrict_to_kinds
from .functions import KINDS

bp = Blueprint("redi", __name__, url_prefix="/redi")
# REDI is a CPAS subsidy: every REDI route refuses distributors and the fund manager, even
# with « Tous les accès » (the kinds are declared once, in functions.py).
restrict_to_kinds(bp, *KINDS)
