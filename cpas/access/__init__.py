from ..domains import DomainBlueprint
from .function_types import EVERY_KIND

#: Access management is the base layer: every kind manages its own accounts and profiles.
KINDS = EVERY_KIND
bp = DomainBlueprint("access", __name__, url_prefix="/acces", kinds=KINDS)
