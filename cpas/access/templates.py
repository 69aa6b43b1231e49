"""Predefined profile templates (seed 002): they pre-tick the functions of a role's daily work.

A template names the parts of the tree its role works in (code prefixes); the set it ticks
is that selection restricted to the functions of its organisation's side (``kinds``
declared on each function in the domains' ``functions.py``). So a CPAS template never
ticks what only a distributor does (approve, pay) and a distributor template never ticks
what only a CPAS does (create, add the invoice and validate).
"""

from __future__ import annotations

from dataclasses import dataclass

from .function_types import CPAS, DISTRIBUTOR, FUND_MANAGER
from .functions import codes_for_kind, complete_dependencies

#: Everything of the water fund that the organisation's side uses.
WATER = ("water.",)


@dataclass(frozen=True)
class ProfileTemplate:
    key: str
    name_fr: str
    name_nl: str
    kind: str
    prefixes: tuple[str, ...]  # function codes starting with one of these (or equal)
    excluded: tuple[str, ...] = ()

    @property
    def kinds(self) -> tuple[str, ...]:
        return (self.kind,)

    def name(self, locale: str = "fr") -> str:
        """The name in the reader's language, as for profiles."""
        return self.name_nl if locale == "nl" else self.name_fr

    def codes(self) -> set[str]:
        """The ticked codes: the role's parts of the tree, on its side only."""
        own_side = codes_for_kind(self.kind)
        chosen = {
            c
            for c in own_side
            if c.startswith(self.prefixes) and not (self.excluded and c.startswith(self.excluded))
        }
        complete, _added = complete_dependencies(chosen)
        return complete & own_side


TEMPLATES: tuple[ProfileTemplate, ...] = (
    ProfileTemplate(
        "director",
        "Directeur général / Secrétaire",
        "Algemeen directeur / Secretaris",
        CPAS,
        (
            "dossiers.",
            "household.",
            "integrations.",
            "aid.",
            "inquiry.",
            "centre.",
            *WATER,
            "redi.",
            "access.audit",
        ),
        ("redi.sign_president",),  # the President of the Council signs for himself
    ),
    ProfileTemplate(
        "admin_agent",
        "Agent administratif",
        "Administratief medewerker",
        CPAS,
        (
            "dossiers.view",
            "dossiers.search",
            "dossiers.create",
            "aid.list",
            "aid.print",
            *WATER,
            "centre.view",
        ),
    ),
    ProfileTemplate(
        "social_worker",
        "Travailleur social",
        "Maatschappelijk werker",
        CPAS,
        (
            "dossiers.",
            "household.",
            "integrations.",
            # every aid request function but closing (the director closes) and the
            # Council's own (decision, form)
            "aid.",
            "inquiry.",
            "water.fat.",
            "water.fse.",
            # The FAT invoice is a file: without it an approved FAT cannot be validated.
            "water.files",
            "water.notifications",
            "water.dashboard",
            "centre.view",
        ),
        ("dossiers.archive", "aid.close", "aid.decide", "aid.send_form"),
    ),
    ProfileTemplate(
        "finance",
        "Directeur financier / Receveur",
        "Financieel directeur / Ontvanger",
        CPAS,
        ("redi.", *WATER, "dossiers.view", "dossiers.search"),
        ("redi.sign_",),  # the President and the Director general sign the report
    ),
    ProfileTemplate(
        "distributor_agent",
        "Agent du distributeur",
        "Medewerker van de distributeur",
        DISTRIBUTOR,
        WATER,
    ),
    ProfileTemplate(
        "fund_manager_agent",
        "Gestionnaire du fonds",
        "Beheerder van het fonds",
        FUND_MANAGER,
        WATER,
    ),
)


def templates_for(kind: str) -> list[ProfileTemplate]:
    """The predefined templates of an organisation kind."""
    return [t for t in TEMPLATES if t.kind == kind]
