from ..domains import DomainBlueprint
from .functions import KINDS

bp = DomainBlueprint("dossiers", __name__, url_prefix="/dossiers", kinds=KINDS)
