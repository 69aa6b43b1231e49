"""The fixed demo persons of the local register (the ones the demo and the README name)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, insert, select

from ..extensions import db
from ..timeutil import utcnow
from .models import RegisterPerson
from .name_pool import CHILD, DIVORCED, HEAD, LEGAL_COHABITANT, POPULATION, SINGLE
from .numbers import niss_for
from .phonetic import phonetic_key

# --------------------------------------------------------------------------- demo people


def _demo(
    last: str,
    first: str,
    sex: str,
    born: date,
    serial: int,
    place: str,
    relation: str,
    civil_state: str,
    address: tuple[str, str, str, str],
    nationality: str = "Belge",
) -> dict:
    street, number, postal_code, locality = address
    return {
        "niss": niss_for(born, serial),
        "is_bis": False,
        "last_name": last,
        "first_name": first,
        "last_key": phonetic_key(last),
        "first_key": phonetic_key(first),
        "sex": sex,
        "birth_date": born,
        "birth_precision": "day",
        "birth_place": place,
        "nationality": nationality,
        "civil_state": civil_state,
        "registre": POPULATION,
        "street": street,
        "house_number": number,
        "box": None,
        "postal_code": postal_code,
        "locality": locality,
        "is_head": relation == HEAD,
        "relation_to_head": relation,
    }


_LIEGE = ("Rue Saint-Gilles", "45", "4000", "Liège")
_BRUXELLES = ("Rue Haute", "101", "1000", "Bruxelles")

#: The fixed demo persons, one tuple per household (head first). Their NISS (``niss_for``):
#: DUPONT Marie 85.03.14-124.01, LEFEBVRE Jean 82.09.02-057.19, DUPONT Lucas 16.06.21-033.35
#: (born after 2000: check on 2 + 9 digits), MARTIN Ahmed 79.11.05-211.17.
DEMO_HOUSEHOLDS: tuple[tuple[dict, ...], ...] = (
    (
        _demo("DUPONT", "Marie", "F", date(1985, 3, 14), 124, "Liège", HEAD, SINGLE, _LIEGE),
        _demo(
            "LEFEBVRE", "Jean", "M", date(1982, 9, 2), 57, "Namur", LEGAL_COHABITANT, SINGLE,
            _LIEGE,
        ),
        _demo("DUPONT", "Lucas", "M", date(2016, 6, 21), 33, "Liège", CHILD, SINGLE, _LIEGE),
    ),
    (
        _demo(
            "MARTIN", "Ahmed", "M", date(1979, 11, 5), 211, "Bruxelles", HEAD, DIVORCED,
            _BRUXELLES,
        ),
    ),
)  # fmt: skip
DEMO_NISS = frozenset(p["niss"] for household in DEMO_HOUSEHOLDS for p in household)


def ensure_demo_people() -> int:
    """Add the fixed demo persons that are missing; return how many were added."""
    session = db.session
    existing = {
        row.niss: row.household_id
        for row in session.execute(
            select(RegisterPerson.niss, RegisterPerson.household_id).where(
                RegisterPerson.niss.in_(DEMO_NISS)
            )
        )
    }
    added = 0
    for household in DEMO_HOUSEHOLDS:
        missing = [p for p in household if p["niss"] not in existing]
        if not missing:
            continue
        household_id = next(
            (existing[p["niss"]] for p in household if existing.get(p["niss"]) is not None),
            None,
        )
        if household_id is None:
            household_id = (session.scalar(select(func.max(RegisterPerson.household_id))) or 0) + 1
        now = utcnow()
        session.execute(
            insert(RegisterPerson),
            [{**p, "household_id": household_id, "created_at": now} for p in missing],
        )
        added += len(missing)
    if added:
        session.flush()
    return added
