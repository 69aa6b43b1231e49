from ..access.function_types import EVERY_KIND
from ..domains import DomainBlueprint

#: Signing in, password reset and account requests: every kind of organisation.
KINDS = EVERY_KIND
bp = DomainBlueprint("auth", __name__, kinds=KINDS)
