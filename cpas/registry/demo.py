"""Demo data of the local register: the fixed demo persons and 3,000 fictitious ones.

The fixed persons (``demo_people.DEMO_HOUSEHOLDS``): DUPONT Marie (85.03.14-124.01, born in
Liège), her legal cohabitant LEFEBVRE Jean (82.09.02-057.19) and their child DUPONT Lucas
(16.06.21-033.35) at Rue Saint-Gilles 45, 4000 Liège; MARTIN Ahmed (79.11.05-211.17), alone
at Rue Haute 101, 1000 Bruxelles.
"""

from __future__ import annotations

from sqlalchemy import func, select

from ..access.models import Organisation
from ..extensions import db
from .demo_people import ensure_demo_people
from .generator import generate_persons
from .models import RegisterPerson

DEMO_PERSONS = 3_000
DEMO_SEED = 1965  # fixed: the same demo register on every machine (for a given day)


def seed(orgs: dict[str, Organisation]) -> None:
    """Idempotent: adds only what is missing."""
    ensure_demo_people()
    db.session.commit()
    count = db.session.scalar(select(func.count(RegisterPerson.id))) or 0
    if count < DEMO_PERSONS:
        generate_persons(DEMO_PERSONS - count, seed=DEMO_SEED)
