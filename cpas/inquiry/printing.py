"""The social inquiry's parts of « Impression » (issue 15 §9): identification, information,
resources (with the computation for the D.I.S.) and expenses of each de facto member the
part concerns, and formulaire A. Registered after the aid request's own parts
(``cpas.aid.printing.register_part``), drawn by ``templates/inquiry/_print_parts.html``.

Each part reads the request's inquiry at once (``queries.household_inquiries``: three
queries whatever the household's size) and gives back the NISS of everyone it shows
(``people``: each one is a consultation, logged by the print routes).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l

from ..aid.models import AidRequest
from ..aid.printing import PrintPart, register_part
from ..dossiers import queries as dossier_queries
from ..dossiers.models import HouseholdMember
from . import queries, services
from .forms_information import INSURERS, REGISTRES
from .information import COLUMNS_BY_RELATION
from .models import (
    CATEGORIES,
    EXPENSE_TYPES,
    EXPENSES,
    FORM_A_RELATIONS,
    FORM_A_STATUSES,
    HOUSING,
    IDENTIFICATION,
    INFORMATION,
    INSURABILITY,
    RESIDENCE_PERMITS,
    RESOURCE_TYPES,
    RESOURCES,
)

TEMPLATE = "inquiry/_print_parts.html"

#: The part codes (the ``partie=`` of the print URLs), in the document's order.
IDENTIFICATION_PART = "identification"
INFORMATION_PART = "information"
RESOURCES_PART = "ressources"
EXPENSES_PART = "depenses"
FORM_A_PART = "formulaire_a"

#: The information fields in print order, with their labels (the Information page's).
INFORMATION_LABELS: dict[str, Any] = {
    "category": _l("Catégorie"),
    "housing": _l("Situation de logement"),
    "homeless": _l("Sans-abri"),
    "student_piis": _l("Etudiant avec PIIS"),
    "dependent_children": _l("Nombre d'enfants à charge"),
    "nationality": _l("Nationalité"),
    "residence_permit": _l("Titre de séjour"),
    "arrival_date": _l("Date d'arrivée en Belgique"),
    "insurability": _l("Assurabilité (mutuelle en ordre ?)"),
    "health_insurer": _l("Organisme assureur"),
}
#: The choices' labels of the information fields that have some.
INFORMATION_CHOICES: dict[str, dict[str, Any]] = {
    "category": CATEGORIES,
    "housing": HOUSING,
    "residence_permit": RESIDENCE_PERMITS,
    "insurability": INSURABILITY,
    "health_insurer": INSURERS,
}


def _members_with(request: AidRequest, part: str) -> list[HouseholdMember]:
    """The de facto members (main beneficiary first) whose relation has ``part``."""
    return [
        m for m in dossier_queries.current_members(request.dossier) if part in services.parts_of(m)
    ]


def _rows(request: AidRequest, part: str) -> list[tuple[HouseholdMember, Any]]:
    """(member, its inquiry or None) for every member the part concerns."""
    inquiries = queries.household_inquiries(request)
    return [(m, inquiries.get(m.id)) for m in _members_with(request, part)]


def _row_people(data: dict[str, Any]) -> list[str]:
    return [member.niss for member, *_rest in data["rows"]]


# ------------------------------------------------------------------ the parts


def _identification(request: AidRequest) -> dict[str, Any]:
    return {"rows": _rows(request, IDENTIFICATION), "registres": REGISTRES}


def _information(request: AidRequest) -> dict[str, Any]:
    """Each member's information as (label, shown value) in the order of its relation's
    fields; an inquiry never saved has none (« Aucune donnée encodée »)."""
    rows = []
    for member, inquiry in _rows(request, INFORMATION):
        fields: list[tuple[Any, Any]] = []
        if inquiry is not None and inquiry.informed:
            wanted = COLUMNS_BY_RELATION.get(member.relation, ())
            for name in INFORMATION_LABELS:
                if name in wanted:
                    fields.append((INFORMATION_LABELS[name], _shown(name, getattr(inquiry, name))))
        rows.append((member, fields))
    return {"rows": rows}


def _shown(name: str, value: Any) -> Any:
    """A saved information value as the page shows it (a label, Oui/Non, a date)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _l("Oui") if value else _l("Non")
    if name in INFORMATION_CHOICES:
        return INFORMATION_CHOICES[name].get(value, value)
    if name == "arrival_date":
        return value.strftime("%d/%m/%Y")
    return value


def _resources(request: AidRequest) -> dict[str, Any]:
    """Each member's resources and the household's computation for the D.I.S. (the
    resources page's, ``cpas.inquiry.resources.household_computation``)."""
    from . import resources as resource_service
    from .routes.resources import explain, explain_general

    members = _members_with(request, RESOURCES)
    result, inquiries = resource_service.household_computation(
        request, dossier_queries.current_members(request.dossier)
    )
    rows = []
    for member in members:
        inquiry = inquiries.get(member.id)
        rows.append((member, inquiry, list(inquiry.resources) if inquiry else []))
    return {
        "rows": rows,
        "computation": result,
        "members": {m.id: m for m in members},
        "category_label": CATEGORIES.get(result.category or ""),
        "type_labels": RESOURCE_TYPES,
        "explain": explain,
        "explain_general": explain_general(result),
    }


def _expenses(request: AidRequest) -> dict[str, Any]:
    rows = [
        (member, list(inquiry.expenses) if inquiry else [])
        for member, inquiry in _rows(request, EXPENSES)
    ]
    return {"rows": rows, "type_labels": EXPENSE_TYPES}


def _form_a(request: AidRequest) -> dict[str, Any]:
    form = queries.form_a_of(request)
    members = {m.id: m for m in dossier_queries.current_members(request.dossier)}
    lines = (
        [(members.get(line.member_id) or line.member, line) for line in form.members]
        if form
        else []
    )
    return {
        "form": form,
        "lines": lines,
        "statuses": FORM_A_STATUSES,
        "relations": FORM_A_RELATIONS,
    }


def _form_a_people(data: dict[str, Any]) -> Iterable[str]:
    return [line.niss for _member, line in data["lines"]]


def register() -> None:
    """Add the inquiry's parts after « Intégrations », in the seed's order (again on a
    second import: a code registered again replaces its part in place)."""
    after = "integrations"
    for part in (
        PrintPart(
            IDENTIFICATION_PART, _l("Identification"), TEMPLATE, _identification, _row_people
        ),
        PrintPart(INFORMATION_PART, _l("Information"), TEMPLATE, _information, _row_people),
        PrintPart(RESOURCES_PART, _l("Ressources"), TEMPLATE, _resources, _row_people),
        PrintPart(EXPENSES_PART, _l("Dépenses"), TEMPLATE, _expenses, _row_people),
        PrintPart(FORM_A_PART, _l("Formulaire A"), TEMPLATE, _form_a, _form_a_people),
    ):
        register_part(part, after=after)
        after = part.code


register()
