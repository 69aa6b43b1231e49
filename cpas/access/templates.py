"""Predefined profile templates (seed 002): they pre-tick a sensible set of functions."""

from __future__ import annotations

from dataclasses import dataclass

from .functions import ALL_FUNCTION_CODES, complete_dependencies


@dataclass(frozen=True)
class ProfileTemplate:
    key: str
    name_fr: str
    name_nl: str
    kinds: tuple[str, ...]
    prefixes: tuple[str, ...]  # function codes starting with one of these
    excluded: tuple[str, ...] = ()

    def codes(self) -> set[str]:
        chosen = {
            c
            for c in ALL_FUNCTION_CODES
            if c.startswith(self.prefixes) and not c.startswith(self.excluded or ("\0",))
        }
        return complete_dependencies(chosen)[0]


TEMPLATES: tuple[ProfileTemplate, ...] = (
    ProfileTemplate(
        "director",
        "Directeur général / Secrétaire",
        "Algemeen directeur / Secretaris",
        ("cpas",),
        (
            "dossiers.",
            "requests.",
            "inquiry.",
            "council.",
            "centre.",
            "deadlines.",
            "water.",
            "redi.",
            "access.audit",
        ),
    ),
    ProfileTemplate(
        "admin_agent",
        "Agent administratif",
        "Administratief medewerker",
        ("cpas",),
        (
            "dossiers.view",
            "dossiers.search",
            "dossiers.create",
            "deadlines.",
            "water.",
            "centre.view",
        ),
    ),
    ProfileTemplate(
        "social_worker",
        "Travailleur social",
        "Maatschappelijk werker",
        ("cpas",),
        (
            "dossiers.",
            "requests.",
            "inquiry.",
            "household.",
            "integrations.",
            "deadlines.",
            "water.fat.",
            "water.fse.",
        ),
        ("dossiers.archive",),
    ),
    ProfileTemplate(
        "finance",
        "Directeur financier / Receveur",
        "Financieel directeur / Ontvanger",
        ("cpas",),
        ("redi.", "water.", "dossiers.view", "dossiers.search"),
    ),
)


DISTRIBUTOR_TEMPLATES: tuple[ProfileTemplate, ...] = (
    ProfileTemplate(
        "distributor_agent",
        "Agent du distributeur",
        "Medewerker van de distributeur",
        ("distributor",),
        ("water.",),
    ),
    ProfileTemplate(
        "fund_manager_agent",
        "Gestionnaire du fonds",
        "Beheerder van het fonds",
        ("fund_manager",),
        ("water.",),
    ),
)
TEMPLATES = TEMPLATES + DISTRIBUTOR_TEMPLATES


def templates_for(kind: str) -> list[ProfileTemplate]:
    return [t for t in TEMPLATES if kind in t.kinds]
