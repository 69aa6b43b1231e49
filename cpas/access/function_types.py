"""Building blocks of the function tree, shared by every domain's ``functions.py``."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

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


#: A menu group (issue 13): ``sections`` are the endpoint prefixes of its pages, so that the
#: group of the current page is highlighted even on a page that has no entry of its own.
@dataclass(frozen=True)
class NavGroup:
    code: str
    label: str | LazyString
    sections: tuple[str, ...]


#: The menu's groups in menu order, organised by work like PrimaWeb's home page.
NAV_GROUPS: tuple[NavGroup, ...] = (
    NavGroup("centre", _l("Informations sur le CPAS"), ("centre.",)),
    NavGroup(
        "access",
        _l("Accès"),
        (
            "access.profile",
            "access.user",
            "access.inactive_users",
            "access.account_request",
            "access.my_access",
        ),
    ),
    NavGroup("logs", _l("Admin-Logs"), ("access.audit",)),
    NavGroup("dossiers", _l("Gestion des dossiers"), ("dossiers.",)),
    NavGroup("water", _l("Fonds social de l'eau"), ("water_fund.",)),
    NavGroup("subsidies", _l("Subventions"), ("redi.",)),
)


@dataclass(frozen=True)
class NavItem:
    """A navigation entry: shown when the user holds ``code`` (None: any signed-in user)
    and belongs to an organisation of one of ``kinds`` (None: the kinds of ``code``).
    ``group``: the code of its ``NAV_GROUPS`` group (None: a link of its own, outside the
    groups, like « Accueil »)."""

    endpoint: str
    label: str | LazyString
    code: str | None = None
    order: int = 50
    kinds: tuple[str, ...] | None = None
    group: str | None = None
