"""The tree of function codes: every guarded feature of the app names one of these.

Each domain declares its groups in its own ``functions.py`` (``GROUPS`` and ``NAV``); this
module assembles the tree in menu order. Labels are French and Dutch. A function may
require others (``requires``): saving a profile adds what is missing.
"""

from __future__ import annotations

from dataclasses import replace

from flask_babel import lazy_gettext as _l

from ..aid import functions as aid_functions
from ..centre import functions as centre_functions
from ..dossiers import functions as dossiers_functions
from ..inquiry import functions as inquiry_functions
from ..redi import functions as redi_functions
from ..water_fund import functions as water_fund_functions
from .function_types import Function, FunctionGroup, NavItem

F = Function

ACCESS_GROUPS: tuple[FunctionGroup, ...] = (
    FunctionGroup(
        "access",
        "Gestion des accès",
        "Toegangsbeheer",
        (
            F("access.profiles", "Gérer les profils", "Profielen beheren"),
            F("access.users", "Gérer les utilisateurs", "Gebruikers beheren"),
            F(
                "access.account_requests",
                "Traiter les demandes de compte",
                "Accountaanvragen behandelen",
            ),
            F("access.audit", "Consulter les Admin-Logs", "Admin-logs raadplegen"),
            F(
                "access.export",
                "Exporter la revue des accès (Excel)",
                "Toegangsoverzicht exporteren (Excel)",
                ("access.users",),
            ),
        ),
    ),
)
ACCESS_NAV: tuple[NavItem, ...] = (
    NavItem("main.home", _l("Accueil"), None, 0),
    NavItem("access.profiles", _l("Profils"), "access.profiles", 80, group="access"),
    NavItem("access.users", _l("Utilisateurs"), "access.users", 81, group="access"),
    NavItem(
        "access.account_requests",
        _l("Demandes de compte"),
        "access.account_requests",
        82,
        group="access",
    ),
    NavItem("access.my_access", _l("Mes accès"), None, 83, group="access"),
    NavItem("access.audit_log", _l("Admin-Logs"), "access.audit", 90, group="logs"),
)


def _collect() -> tuple[tuple[FunctionGroup, ...], tuple[NavItem, ...]]:
    groups: list[FunctionGroup] = []
    nav: list[NavItem] = list(ACCESS_NAV)
    # in menu order
    for module in (
        centre_functions,
        dossiers_functions,
        aid_functions,
        inquiry_functions,
        water_fund_functions,
        redi_functions,
    ):
        groups.extend(module.GROUPS)
        nav.extend(module.NAV)
    groups.extend(ACCESS_GROUPS)  # administration last, as in the seed's annexes
    return tuple(groups), tuple(sorted(nav, key=lambda n: n.order))


TREE, _NAVIGATION = _collect()
FUNCTIONS: dict[str, Function] = {f.code: f for g in TREE for f in g.functions}
ALL_FUNCTION_CODES: frozenset[str] = frozenset(FUNCTIONS)
#: The side of each function: the organisation kinds whose work uses it.
FUNCTION_KINDS: dict[str, tuple[str, ...]] = {
    f.code: g.kinds_of(f) for g in TREE for f in g.functions
}


def codes_for_kind(kind: str) -> frozenset[str]:
    """The function codes an organisation of this kind has a use for."""
    return frozenset(code for code, kinds in FUNCTION_KINDS.items() if kind in kinds)


# A menu entry guarded by a function is shown only to the kinds of that function, so the
# side is declared once (on the function) and the menu follows it.
NAVIGATION: tuple[NavItem, ...] = tuple(
    replace(item, kinds=FUNCTION_KINDS[item.code])
    if item.kinds is None and item.code is not None
    else item
    for item in _NAVIGATION
)


def complete_dependencies(codes: set[str]) -> tuple[set[str], set[str]]:
    """Return (codes with every required function added, the codes that were added)."""
    result = {c for c in codes if c in FUNCTIONS}
    added: set[str] = set()
    pending = list(result)
    while pending:
        for required in FUNCTIONS[pending.pop()].requires:
            if required not in result:
                result.add(required)
                added.add(required)
                pending.append(required)
    return result, added
