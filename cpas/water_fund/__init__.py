from ..domains import DomainBlueprint
from .functions import KINDS

bp = DomainBlueprint("water_fund", __name__, url_prefix="/fonds-eau", kinds=KINDS)
