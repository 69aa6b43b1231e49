from ..domains import DomainBlueprint
from .functions import KINDS

bp = DomainBlueprint("centre", __name__, url_prefix="/centre", kinds=KINDS)
