from ..access.function_types import EVERY_KIND
from ..domains import DomainBlueprint

#: The home page and the language switch: every kind of organisation.
KINDS = EVERY_KIND
bp = DomainBlueprint("main", __name__, kinds=KINDS)
