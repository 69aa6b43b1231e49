"""« Impression » of an aid request for the Council (seed 001 §17.4): the parts one may
print, in their order, and what the document shows.

A part is data: its code (the ``partie=`` of the URL, never personal data), its label, the
template that draws it and a function that reads what it needs. The next issue (social
inquiry per member, formulaire A) adds its parts with ``register_part`` from its own
module, without editing this one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..centre.queries import profile_of
from ..dossiers import queries as dossier_queries
from ..dossiers.models import HouseholdSnapshot
from ..extensions import db
from ..registry.adapters import get_bcss
from ..registry.quality_codes import QUALITY_CODES
from .models import AidRequest

#: The time the document says it was printed at: the CPAS's, not the server's.
BELGIAN_TIME = ZoneInfo("Europe/Brussels")
#: The template of this module's own parts (it draws each one by its code).
OWN_TEMPLATE = "aid/_print_parts.html"


@dataclass(frozen=True)
class PrintPart:
    """One part of the printed request (« Demande », « Rapport »…)."""

    code: str
    label: Any
    #: Included with ``part`` (this object) and ``data`` (what ``context`` returned).
    template: str
    #: Reads what the part shows for a request (called only when the part is printed).
    context: Callable[[AidRequest], dict[str, Any]]
    #: The NISS of the people the part shows besides the beneficiary (each one is a
    #: consultation, logged as the household page logs it).
    people: Callable[[dict[str, Any]], Iterable[str]] = field(default=lambda _data: ())


class UnknownPart(ValueError):
    """A ``partie=`` no registered part has (a tampered URL or form)."""


_PARTS: list[PrintPart] = []


def register_part(part: PrintPart, *, after: str | None = None) -> PrintPart:
    """Add a part at the end (or right after the part ``after``); a code registered again
    replaces the earlier part in place (a module imported twice)."""
    for index, known in enumerate(_PARTS):
        if known.code == part.code:
            _PARTS[index] = part
            return part
    position = len(_PARTS)
    if after is not None:
        codes = [p.code for p in _PARTS]
        if after in codes:
            position = codes.index(after) + 1
    _PARTS.insert(position, part)
    return part


def parts() -> tuple[PrintPart, ...]:
    """Every part one may print, in the document's order."""
    return tuple(_PARTS)


def select_parts(codes: Iterable[str]) -> list[PrintPart]:
    """The parts named by ``codes`` in the document's order (not the order posted); an
    unknown code raises ``UnknownPart``; none at all gives an empty list."""
    wanted = set(codes)
    known = {p.code for p in _PARTS}
    unknown = wanted - known
    if unknown:
        raise UnknownPart(sorted(unknown)[0][:40])
    return [p for p in _PARTS if p.code in wanted]


@dataclass(frozen=True)
class PrintedPart:
    part: PrintPart
    data: dict[str, Any]


@dataclass(frozen=True)
class PrintedDocument:
    """What the preview and the PDF draw: the header facts and the chosen parts."""

    request: AidRequest
    parts: list[PrintedPart]
    centre: Any  # the « fiche signalétique » (address), or None
    printed_at: datetime

    @property
    def codes(self) -> list[str]:
        return [p.part.code for p in self.parts]

    @property
    def people(self) -> list[str]:
        """Everyone the document shows besides the beneficiary (sorted, once each)."""
        shown = {niss for p in self.parts for niss in p.part.people(p.data)}
        shown.discard(self.request.dossier.niss)
        return sorted(shown)


def document(request: AidRequest, chosen: list[PrintPart]) -> PrintedDocument:
    """Read every chosen part for ``request``."""
    return PrintedDocument(
        request=request,
        parts=[PrintedPart(part, part.context(request)) for part in chosen],
        centre=profile_of(request.organisation_id),
        printed_at=datetime.now(BELGIAN_TIME),
    )


# ------------------------------------------------------------------ this module's parts


def _request_facts(request: AidRequest) -> dict[str, Any]:
    origin = None
    if request.origin_id is not None:
        origin = db.session.get(AidRequest, request.origin_id)
    return {"origin": origin}


def _report(request: AidRequest) -> dict[str, Any]:
    return {"text": request.report, "at": request.report_at}


def _proposal(request: AidRequest) -> dict[str, Any]:
    return {"text": request.proposal, "meeting_date": request.meeting_date}


def request_snapshot(request: AidRequest) -> HouseholdSnapshot | None:
    """The official composition taken for this request (the latest, if taken anew)."""
    return db.session.scalar(
        select(HouseholdSnapshot)
        .where(
            HouseholdSnapshot.dossier_id == request.dossier_id,
            HouseholdSnapshot.request_id == request.id,
        )
        .order_by(HouseholdSnapshot.taken_at.desc(), HouseholdSnapshot.id.desc())
        .limit(1)
    )


def _household(request: AidRequest) -> dict[str, Any]:
    return {
        "snapshot": request_snapshot(request),
        "members": dossier_queries.current_members(request.dossier),
    }


def _household_people(data: dict[str, Any]) -> list[str]:
    people = [m.niss for m in data["members"]]
    if data["snapshot"] is not None:
        people += [p.niss for p in data["snapshot"].people]
    return people


def _integrations(request: AidRequest) -> dict[str, Any]:
    """Each de facto member's BCSS integrations from the request date on (future periods
    too), read from the adapter as the integrations page's « Consulter » reads them."""
    bcss = get_bcss()
    members = dossier_queries.current_members(request.dossier)
    rows = [
        (member, bcss.consult(request.organisation_id, member.niss, request.request_date, None))
        for member in members
    ]
    return {"rows": rows, "since": request.request_date, "codes": QUALITY_CODES}


def _integration_people(data: dict[str, Any]) -> list[str]:
    return [member.niss for member, _periods in data["rows"]]


register_part(PrintPart("demande", _l("Demande"), OWN_TEMPLATE, _request_facts))
register_part(PrintPart("rapport", _l("Rapport"), OWN_TEMPLATE, _report))
register_part(PrintPart("proposition", _l("Proposition"), OWN_TEMPLATE, _proposal))
register_part(
    PrintPart("menage", _l("Composition de ménage"), OWN_TEMPLATE, _household, _household_people)
)
register_part(
    PrintPart(
        "integrations",
        _l("Intégrations"),
        OWN_TEMPLATE,
        _integrations,
        _integration_people,
    )
)
