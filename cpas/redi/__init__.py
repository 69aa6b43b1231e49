from ..domains import DomainBlueprint
from .functions import KINDS

# REDI is a CPAS subsidy: every REDI route refuses distributors and the fund manager, even
# with « Tous les accès ».
bp = DomainBlueprint("redi", __name__, url_prefix="/redi", kinds=KINDS)
