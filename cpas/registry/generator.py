"""Fictitious persons for the local register: coherent households at Belgian addresses.

``generate_persons(count)`` adds ``count`` persons (``flask register generate``, the demo
and the benchmarks call it). A household is 1 to 6 persons at one legal address: a head
(« Chef de ménage »), maybe a partner of similar age (« Conjoint », married, or
« Cohabitant légal »), children 18 to 40 years younger than the head with the head's
surname (« Enfant »), sometimes an ascendant (« Ascendant ») or another person (« Autre »).
Surnames and first names come with their usual spelling variants (Dupont / Dupond,
Peeters / Peters…) so that the phonetic search has something to find.

NISS numbers are valid (odd serial for men, even for women) and never collide: each batch
is checked against the table (one indexed ``IN`` query) before it is inserted, so memory
stays flat at a million rows. Batches are bulk-inserted and committed one by one. With a
seed (and a fixed ``today``) the output is deterministic.

The names and addresses are drawn from ``name_pool``; the fixed demo persons
(``ensure_demo_people()``) live in ``demo_people``.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from sqlalchemy import func, insert, select

from ..extensions import db
from ..timeutil import utcnow
from .demo_people import DEMO_NISS
from .models import RegisterPerson
from .name_pool import (
    ASCENDANT,
    CHILD,
    DIVORCED,
    FOREIGNERS,
    HEAD,
    LEGAL_COHABITANT,
    LOCALITIES,
    MARRIED,
    OTHER,
    POPULATION,
    SINGLE,
    SPOUSE,
    STREETS,
    WIDOWED,
    Picker,
    cached_key,
)
from .numbers import niss_for, serials_for

EARLIEST_BIRTH = date(1925, 1, 1)
YEAR = 365.25


# --------------------------------------------------------------------------- households


class _Household:
    """Builds the rows of one household (NISS assigned later, per batch)."""

    def __init__(self, picker: Picker, household_id: int, today: date) -> None:
        rng = self.rng = picker.rng
        self.picker = picker
        self.today = today
        self.culture = picker.culture()
        self.household_id = household_id
        region = rng.choice(self.culture.regions)
        postal_code, locality, _ = rng.choice(picker.localities[region])
        self.locality: str = locality
        number = str(rng.randint(1, 250))
        if rng.random() < 0.08:
            number += rng.choice("ABC")
        self.address = {
            "street": rng.choice(STREETS[region]),
            "house_number": number,
            "box": str(rng.randint(1, 12)) if rng.random() < 0.25 else None,
            "postal_code": postal_code,
            "locality": locality,
        }
        self.foreign = rng.random() < self.culture.foreign_share
        self.registre = FOREIGNERS if self.foreign and rng.random() < 0.6 else POPULATION
        self.rows: list[dict] = []
        self.latest_adult_birth = today.toordinal() - int(18 * YEAR)

    def _clamp(self, ordinal: int) -> int:
        """An adult's birth date (as an ordinal) between 1925 and 18 years ago."""
        return max(EARLIEST_BIRTH.toordinal(), min(ordinal, self.latest_adult_birth))

    def _nationality(self, born_here: bool) -> str:
        if not self.foreign:
            return "Belge"
        if born_here and self.rng.random() < 0.5:
            return "Belge"
        return self.culture.nationality

    def _birth_place(self, born_here: bool) -> str:
        if born_here or not self.culture.birth_places:
            if self.rng.random() < 0.6:
                return self.locality
            return self.rng.choice(LOCALITIES)[1]
        return self.rng.choice(self.culture.birth_places)

    def add(
        self,
        *,
        last_name: str,
        sex: str,
        birth: int,
        relation: str,
        civil_state: str,
        born_here: bool,
    ) -> None:
        first_name = self.picker.weighted(self.culture.men if sex == "M" else self.culture.women)
        nationality = self._nationality(born_here)
        self.rows.append(
            {
                "is_bis": False,
                "last_name": last_name.upper(),
                "first_name": first_name,
                "last_key": cached_key(last_name),
                "first_key": cached_key(first_name),
                "sex": sex,
                "birth_date": date.fromordinal(birth),
                "birth_precision": "day",
                "birth_place": self._birth_place(born_here),
                "nationality": nationality,
                "civil_state": civil_state,
                "registre": POPULATION if nationality == "Belge" else self.registre,
                **self.address,
                "household_id": self.household_id,
                "is_head": relation == HEAD,
                "relation_to_head": relation,
            }
        )

    def build(self, size: int) -> list[dict]:
        rng, today = self.rng, self.today.toordinal()
        surname = self.picker.weighted(self.culture.surnames)
        age = 18 + rng.betavariate(2.2, 3.0) * 80  # mostly 30-65, from 18 to 98
        head_birth = self._clamp(today - int(age * YEAR) - rng.randrange(365))
        head_sex = "M" if rng.random() < 0.55 else "F"
        head_here = not self.foreign or rng.random() < 0.3
        slots = size - 1
        partner: int | None = None
        relation = SPOUSE
        if slots and rng.random() < 0.75:
            partner = self._clamp(head_birth + int(rng.gauss(0, 3.5 * YEAR)))
            relation = SPOUSE if rng.random() < 0.65 else LEGAL_COHABITANT
            slots -= 1
        older_parent = max(head_birth, partner or head_birth)
        if partner is None:
            head_state = (
                SINGLE
                if age < 30 or rng.random() < 0.4
                else rng.choice((DIVORCED, DIVORCED, WIDOWED if age > 55 else SINGLE))
            )
        elif relation == SPOUSE:
            head_state = MARRIED
        else:
            head_state = SINGLE if rng.random() < 0.7 else DIVORCED
        self.add(
            last_name=surname,
            sex=head_sex,
            birth=head_birth,
            relation=HEAD,
            civil_state=head_state,
            born_here=head_here,
        )
        if partner is not None:
            partner_sex = head_sex if rng.random() < 0.03 else ("F" if head_sex == "M" else "M")
            self.add(
                last_name=self.picker.weighted(self.culture.surnames),
                sex=partner_sex,
                birth=partner,
                relation=relation,
                civil_state=head_state if relation == SPOUSE else rng.choice((SINGLE, DIVORCED)),
                born_here=head_here or rng.random() < 0.3,
            )
        # Children: born 18 to 40 years after the head (and after the partner's 18th year).
        first_child = older_parent + int(18 * YEAR)
        last_child = min(head_birth + int(40 * YEAR), today - 1)
        ascendant_done = False
        for _ in range(slots):
            if first_child <= last_child and rng.random() < 0.85:
                birth = rng.randint(first_child, last_child)
                adult = birth <= self.latest_adult_birth
                state = SINGLE
                if adult and today - birth > 30 * YEAR and rng.random() < 0.3:
                    state = DIVORCED
                self.add(
                    last_name=surname,
                    sex=rng.choice("MF"),
                    birth=birth,
                    relation=CHILD,
                    civil_state=state,
                    born_here=True,
                )
                continue
            ascendant = head_birth - rng.randint(int(18 * YEAR), int(40 * YEAR))
            if not ascendant_done and ascendant >= EARLIEST_BIRTH.toordinal():
                ascendant_done = True
                sex = "F" if rng.random() < 0.7 else "M"
                same_name = sex == "M" or rng.random() < 0.5  # a mother keeps her own name
                self.add(
                    last_name=surname if same_name else self.picker.weighted(self.culture.surnames),
                    sex=sex,
                    birth=ascendant,
                    relation=ASCENDANT,
                    civil_state=WIDOWED if rng.random() < 0.7 else MARRIED,
                    born_here=not self.foreign,
                )
                continue
            self.add(
                last_name=self.picker.weighted(self.culture.surnames),
                sex=rng.choice("MF"),
                birth=self._clamp(head_birth + int(rng.gauss(0, 8 * YEAR))),
                relation=OTHER,
                civil_state=rng.choice((SINGLE, SINGLE, DIVORCED)),
                born_here=head_here,
            )
        return self.rows


def _households(rng: random.Random, first_id: int, today: date) -> Iterator[list[dict]]:
    picker = Picker(rng)
    household_id = first_id
    while True:
        yield _Household(picker, household_id, today).build(picker.size())
        household_id += 1


# --------------------------------------------------------------------------- NISS


def _existing(niss: Iterable[str]) -> set[str]:
    """Which of these numbers the table already holds (one indexed query per chunk)."""
    wanted = list(niss)
    found: set[str] = set()
    for start in range(0, len(wanted), 2000):
        chunk = wanted[start : start + 2000]
        found.update(
            db.session.scalars(select(RegisterPerson.niss).where(RegisterPerson.niss.in_(chunk)))
        )
    return found


def _free_niss(rng: random.Random, birth: date, sex: str, taken: set[str]) -> str:
    """A NISS for this birth date and sex that is not in ``taken`` (and add it there)."""
    for _ in range(20):
        niss = niss_for(birth, rng.randrange(1, 998, 2) if sex == "M" else rng.randrange(2, 999, 2))
        if niss not in taken:
            taken.add(niss)
            return niss
    for serial in serials_for(sex):  # a crowded day: take the first free serial
        niss = niss_for(birth, serial)
        if niss not in taken:
            taken.add(niss)
            return niss
    raise RuntimeError(f"no free NISS serial left for {birth:%d/%m/%Y}")


def _assign_niss(rng: random.Random, rows: list[dict]) -> None:
    """Give every row a NISS unused in the batch, in the table and by the demo people."""
    taken = set(DEMO_NISS)
    for row in rows:
        row["niss"] = _free_niss(rng, row["birth_date"], row["sex"], taken)
    pending = rows
    while pending:
        clash = _existing(r["niss"] for r in pending)
        pending = [r for r in pending if r["niss"] in clash]
        for row in pending:  # its old number stays in ``taken``: it is someone else's
            row["niss"] = _free_niss(rng, row["birth_date"], row["sex"], taken)


# --------------------------------------------------------------------------- entry points


def generate_persons(
    count: int, *, seed: int | None = None, batch: int = 5000, today: date | None = None
) -> int:
    """Add ``count`` fictitious persons in households; return how many were added.

    Commits each batch. Deterministic for a given ``seed`` and ``today``.
    """
    if count <= 0:
        return 0
    rng = random.Random(seed)
    today = today or date.today()
    session = db.session
    session.commit()  # start the write transaction below afresh
    previous = session.info.get("write")
    session.info["write"] = True
    try:
        first_id = (session.scalar(select(func.max(RegisterPerson.household_id))) or 0) + 1
        households = _households(rng, first_id, today)
        buffer: list[dict] = []
        added = 0
        while added < count:
            want = min(batch, count - added)
            while len(buffer) < want:
                buffer.extend(next(households))
            rows, buffer = buffer[:want], buffer[want:]  # the last household may be cut
            _insert(rng, rows, utcnow())
            added += want
        return added
    finally:
        if previous is None:
            session.info.pop("write", None)
        else:
            session.info["write"] = previous


def _insert(rng: random.Random, rows: list[dict], now: datetime) -> None:
    _assign_niss(rng, rows)
    for row in rows:
        row["created_at"] = now
    db.session.execute(insert(RegisterPerson), rows)
    db.session.commit()
