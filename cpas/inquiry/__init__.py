"""The social inquiry of an aid request (seed 001 §9, §11, §12): per household member
identification, information, resources (with D.I.S.) and expenses, the resources taken
into account, and formulaire A. Above the aid requests: it imports aid and dossiers."""

from ..domains import DomainBlueprint
from .functions import KINDS

bp = DomainBlueprint("inquiry", __name__, url_prefix="/dossiers", kinds=KINDS)
