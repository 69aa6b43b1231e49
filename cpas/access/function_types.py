"""Building blocks of the function tree, shared by every domain's ``functions.py``."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Organisation kinds (``OrganisationKind`` values; plain strings so that this module
#: imports no model).
CPAS = "cpas"
DISTRIBUTOR = "distributor"
FUND_MANAGER = "fund_manager"
EVERY_KIND: tuple[str, ...] = (CPAS, DISTRIBUTOR, FUND_MANAGER)


@dataclass(frozen=True)
class Function:
    """A function code. ``kinds``: the organisation kinds whose daily work uses it (its
    side); None takes the group's. Predefined templates never tick another side's code."""

    code: str
    label_fr: str
    label_nl: str
    requires: tuple[str, ...] = ()
    kinds: tuple[str, ...] | None = None

    def label(self, locale: str = "fr") -> str:
        return self.label_nl if locale == "nl" else self.label_fr


@dataclass(frozen=True)
class FunctionGroup:
    """A group of the tree; ``kinds`` is the side of every function that declares none."""

    code: str
    label_fr: str
    label_nl: str
    functions: tuple[Function, ...] = field(default_factory=tuple)
    kinds: tuple[str, ...] = EVERY_KIND

    def label(self, locale: str = "fr") -> str:
        return self.label_nl if locale == "nl" else self.label_fr

    def kinds_of(self, function: Function) -> tuple[str, ...]:
        """The organisation kinds a function of this group belongs to."""
        return function.kinds if function.kinds is not None else self.kinds


@dataclass(frozen=True)
class NavItem:
    """A navigation entry: shown when the user holds ``code`` (None: any signed-in user)
    and belongs to an organisation of one of ``kinds`` (None: the kinds of ``code``)."""

    endpoint: str
    label: str
    code: str | None = None
    order: int = 50
    kinds: tuple[str, ...] | None = None
