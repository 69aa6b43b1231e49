"""The register's values shown in the reader's language.

The local register stores its values as the Belgian register words them in French (register,
civil state, place in the household, a few nationalities): they are data, kept as they are.
Screens show them through ``register_value``, which translates the known ones and returns any
other value (a real register's wording, a typed nationality) unchanged.
"""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from .name_pool import (
    ASCENDANT,
    CHILD,
    DIVORCED,
    FOREIGNERS,
    HEAD,
    LEGAL_COHABITANT,
    MARRIED,
    OTHER,
    POPULATION,
    SINGLE,
    SPOUSE,
    WIDOWED,
)

BIS_REGISTER = "Registre BIS (BCSS)"
UNKNOWN_NATIONALITY = "Inconnue"

VALUES: dict[str, LazyString] = {
    POPULATION: _l("Registre de la population"),
    FOREIGNERS: _l("Registre des étrangers"),
    BIS_REGISTER: _l("Registre BIS (BCSS)"),
    HEAD: _l("Chef de ménage"),
    SPOUSE: _l("Conjoint"),
    LEGAL_COHABITANT: _l("Cohabitant légal"),
    CHILD: _l("Enfant"),
    ASCENDANT: _l("Ascendant"),
    OTHER: _l("Autre"),
    SINGLE: _l("Célibataire"),
    MARRIED: _l("Marié(e)"),
    DIVORCED: _l("Divorcé(e)"),
    WIDOWED: _l("Veuf(ve)"),
    "Belge": _l("Belge"),
    "Marocaine": _l("Marocaine"),
    "Turque": _l("Turque"),
    "Italienne": _l("Italienne"),
    "Congolaise (RDC)": _l("Congolaise (RDC)"),
    "Roumaine": _l("Roumaine"),
    "Française": _l("Française"),
    UNKNOWN_NATIONALITY: _l("Inconnue"),
}


def register_value(value: str | None) -> str:
    """A register value in the reader's language (unknown values as they are; None: "")."""
    if not value:
        return ""
    label = VALUES.get(value)
    return str(label) if label is not None else value
