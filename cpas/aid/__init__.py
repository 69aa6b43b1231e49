"""Aid requests (Loi du 2 avril 1965): from « Nouvelle demande » to the Council."""

from ..domains import DomainBlueprint
from .functions import KINDS

# Aid requests are the CPAS's own work: distributors and the fund manager never reach them.
bp = DomainBlueprint("aid", __name__, url_prefix="/dossiers", kinds=KINDS)
