"""The local register: fictitious persons in the ``register_person`` table, searched by NISS,
by phonetic key within a birth-date window, by household; BIS numbers assigned locally."""

from __future__ import annotations

import functools
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, case, select

from ..extensions import db
from ..niss import format_niss
from .birthdates import PartialDate, search_window
from .interfaces import (
    INFORMATION_TYPES,
    MAX_CANDIDATES,
    MAX_RESULTS,
    SOURCE_LABEL,
    BisRequest,
    InformationType,
    PersonRecord,
    PhoneticQuery,
)
from .labels import register_value
from .models import RegisterPerson
from .numbers import bis_for, serials_for
from .phonetic import fold_name, phonetic_key


def _record(row: Any, score: int = 0) -> PersonRecord:
    """A register row (ORM object or plain row) as the adapter returns it."""
    return PersonRecord(
        ref=row.id,
        niss=row.niss,
        last_name=row.last_name,
        first_name=row.first_name,
        sex=row.sex,
        birth_date=row.birth_date,
        birth_precision=row.birth_precision,
        birth_place=row.birth_place,
        nationality=row.nationality,
        civil_state=row.civil_state,
        registre=row.registre,
        street=row.street,
        house_number=row.house_number,
        box=row.box,
        postal_code=row.postal_code,
        locality=row.locality,
        household_id=row.household_id,
        is_head=row.is_head,
        relation_to_head=row.relation_to_head,
        is_bis=row.is_bis,
        score=score,
    )


@functools.cache
def _phonetic_statement() -> Select:
    """Built once (a statement object keeps its SQL cache key): plain rows, not ORM
    objects, since the candidates are only read and ranked."""
    return (
        select(*RegisterPerson.__table__.columns)
        .where(
            RegisterPerson.last_key == bindparam("key"),
            RegisterPerson.birth_date.between(bindparam("low"), bindparam("high")),
        )
        # A common name over a wide window has more candidates than the cap: keep the
        # same-sounding first names among those ranked.
        .order_by(case((RegisterPerson.first_key == bindparam("first_key"), 0), else_=1))
        .limit(MAX_CANDIDATES)
    )


class BisExhausted(Exception):
    """Every serial of that birth date is taken (998 persons): cannot happen in practice."""


class LocalRegister:
    """The National Register over the ``register_person`` table of fictitious persons."""

    source_label = SOURCE_LABEL

    def by_niss(self, niss: str) -> PersonRecord | None:
        row = db.session.scalar(select(RegisterPerson).where(RegisterPerson.niss == niss))
        return _record(row) if row else None

    def by_ref(self, ref: int) -> PersonRecord | None:
        row = db.session.get(RegisterPerson, ref)
        return _record(row) if row else None

    def phonetic(self, query: PhoneticQuery) -> list[PersonRecord]:
        """Same-sounding surname, birth date in the tolerance window; best matches first."""
        low, high = search_window(query.birth, query.tolerance)
        key = phonetic_key(query.last_name)
        first_key = phonetic_key(query.first_name)
        # Plain rows, not ORM objects: the candidates are only read and ranked.
        rows = db.session.execute(
            _phonetic_statement(),
            {"key": key, "low": low, "high": high, "first_key": first_key},
        ).all()
        folded_last = fold_name(query.last_name)
        folded_first = fold_name(query.first_name)
        target = query.birth.first_day()

        def score(row: Any) -> int:
            points = 0
            points += 40 if fold_name(row.last_name) == folded_last else 0
            if folded_first:
                if fold_name(row.first_name) == folded_first:
                    points += 40
                elif row.first_key == first_key:
                    points += 25
                elif fold_name(row.first_name).startswith(folded_first[:3]):
                    points += 10
            distance = abs((row.birth_date - target).days)
            points += max(0, 20 - distance // 30)
            return points

        ranked = sorted(
            ((score(r), r) for r in rows),
            key=lambda pair: (-pair[0], pair[1].last_name, pair[1].first_name, pair[1].id),
        )
        return [_record(r, s) for s, r in ranked[:MAX_RESULTS]]

    def household(self, niss: str) -> list[PersonRecord]:
        person = db.session.scalar(select(RegisterPerson).where(RegisterPerson.niss == niss))
        if person is None:
            return []
        if person.household_id is None:
            return [_record(person)]
        rows = db.session.scalars(
            select(RegisterPerson)
            .where(RegisterPerson.household_id == person.household_id)
            .order_by(RegisterPerson.is_head.desc(), RegisterPerson.birth_date)
        ).all()
        return [_record(r) for r in rows]

    def information_types(self, niss: str) -> list[InformationType]:
        """« Information(s) supplémentaire(s) »: the TI of a person, from its row and its
        household's (none for a NISS the register does not know)."""
        household_of = (
            select(RegisterPerson.household_id).where(RegisterPerson.niss == niss).scalar_subquery()
        )
        rows = db.session.scalars(  # the person and its household in one query
            select(RegisterPerson)
            .where((RegisterPerson.niss == niss) | (RegisterPerson.household_id == household_of))
            .order_by(RegisterPerson.is_head.desc(), RegisterPerson.birth_date)
        ).all()
        person = next((_record(r) for r in rows if r.niss == niss), None)
        if person is None:
            return []
        household = [_record(r) for r in rows] if person.household_id is not None else [person]
        return _information_types(person, household)

    def assign_bis(self, request: BisRequest) -> PersonRecord:
        """Give a new BIS number that no one has, and add the person to the BIS register."""
        taken = set(
            db.session.scalars(
                select(RegisterPerson.niss).where(
                    RegisterPerson.niss.like(_bis_prefix(request.birth) + "%")
                )
            )
        )
        for serial in serials_for(request.sex):
            niss = bis_for(request.birth, serial)
            if niss in taken:
                continue
            row = RegisterPerson(
                niss=niss,
                is_bis=True,
                last_name=request.last_name.strip().upper(),
                first_name=request.first_name.strip(),
                last_key=phonetic_key(request.last_name),
                first_key=phonetic_key(request.first_name),
                sex=request.sex,
                birth_date=request.birth.first_day(),
                birth_precision=request.birth.precision,
                birth_place=request.birth_place,
                nationality=request.nationality or "Inconnue",
                civil_state=None,
                registre="Registre BIS (BCSS)",
                street=request.street,
                house_number=request.house_number,
                box=request.box,
                postal_code=request.postal_code,
                locality=request.locality,
            )
            db.session.add(row)
            db.session.flush()  # the unique NISS constraint guards a concurrent twin
            return _record(row)
        raise BisExhausted()


def _information_types(
    person: PersonRecord, household: list[PersonRecord]
) -> list[InformationType]:
    """The information types of ``person`` from the fictitious data: its row and its
    household's (the local register keeps no history: TI 141 gives the current head)."""

    def ti(code: str, lines: list[str], people: tuple[str, ...] = ()) -> InformationType:
        return InformationType(code, INFORMATION_TYPES[code], tuple(lines), people)

    if person.street:
        residence = [
            _(
                "Commune : %(postal_code)s %(locality)s",
                postal_code=person.postal_code or "",
                locality=person.locality or "",
            ),
            _("Adresse : %(address)s", address=person.address_display),
        ]
    else:
        residence = [_("Aucune résidence principale inscrite.")]
    head = next((p for p in household if p.is_head), None)
    if head is not None:
        heads = [
            _(
                "Chef de ménage actuel : %(name)s (NISS %(niss)s)",
                name=f"{head.last_name} {head.first_name}",
                niss=format_niss(head.niss),
            ),
            _("Le registre local ne conserve pas les chefs de ménage précédents."),
        ]
    else:
        heads = [_("Aucun chef de ménage inscrit.")]
    return [
        ti("001", residence),
        ti(
            "010",
            [
                _("Nom : %(name)s", name=person.last_name),
                _("Prénom(s) : %(names)s", names=person.first_name),
            ],
        ),
        ti("031", [_("Nationalité : %(value)s", value=register_value(person.nationality))]),
        ti(
            "100",
            [
                _("Lieu de naissance : %(place)s", place=person.birth_place or "—"),
                _("Date de naissance : %(date)s", date=person.birth_display),
            ],
        ),
        ti("120", [_("État civil : %(state)s", state=register_value(person.civil_state) or "—")]),
        ti(
            "140",
            [
                f"{p.last_name} {p.first_name} — {format_niss(p.niss)} — "
                f"{register_value(p.relation_to_head) or '—'}"
                for p in household
            ],
            tuple(p.niss for p in household),
        ),
        ti("141", heads, (head.niss,) if head is not None else ()),
        ti("210", [_("Registre : %(registre)s", registre=register_value(person.registre))]),
    ]


def _bis_prefix(birth: PartialDate) -> str:
    return f"{birth.year % 100:02d}{birth.month + 40:02d}{birth.day:02d}"


# --------------------------------------------------------------------------- local BCSS
