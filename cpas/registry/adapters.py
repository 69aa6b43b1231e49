"""Adapters to the National Register and the BCSS, and the local ones over fictitious data.

The real services are reachable only by accredited software; the app talks to them through
these two interfaces. ``get_register()`` and ``get_bcss()`` return the adapters chosen by
the ``REGISTER_ADAPTER`` / ``BCSS_ADAPTER`` settings; ``"local"`` (the default and the only
one shipped) reads the local register of fictitious persons (``flask register generate``)
and keeps integrations in the ``bcss_integration`` table. Screens say « Registre local
(personnes fictives) » so that nobody thinks the real register was reached.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import Select, and_, bindparam, case, or_, select

from ..extensions import db
from .birthdates import PartialDate, format_birth, search_window
from .models import BcssIntegration, RegisterPerson
from .numbers import bis_for, serials_for
from .phonetic import fold_name, phonetic_key
from .quality_codes import QUALITY_CODES

SOURCE_LABEL = "Registre local (personnes fictives)"
MAX_RESULTS = 50
#: Rows read from the table before ranking.
MAX_CANDIDATES = 500


@dataclass(frozen=True)
class PersonRecord:
    """A person as the register returns it (immutable register data)."""

    ref: int  # the adapter's own reference: used in URLs instead of the NISS
    niss: str
    last_name: str
    first_name: str
    sex: str
    birth_date: date
    birth_precision: str
    birth_place: str | None
    nationality: str
    civil_state: str | None
    registre: str
    street: str | None
    house_number: str | None
    box: str | None
    postal_code: str | None
    locality: str | None
    household_id: int | None
    is_head: bool
    relation_to_head: str | None
    is_bis: bool = False
    score: int = 0

    @property
    def birth_display(self) -> str:
        return format_birth(self.birth_date, self.birth_precision)

    @property
    def address_display(self) -> str:
        if not self.street:
            return ""
        box = f" bte {self.box}" if self.box else ""
        return f"{self.street} {self.house_number or ''}{box}, {self.postal_code} {self.locality}"


@dataclass(frozen=True)
class PhoneticQuery:
    last_name: str
    first_name: str
    birth: PartialDate
    tolerance: int


@dataclass(frozen=True)
class BisRequest:
    """What « Attribuer un numéro bis » needs (validated by the form)."""

    last_name: str
    first_name: str
    sex: str
    birth: PartialDate
    birth_place: str | None = None
    nationality: str = "Inconnue"
    street: str | None = None
    house_number: str | None = None
    box: str | None = None
    postal_code: str | None = None
    locality: str | None = None


@dataclass(frozen=True)
class Period:
    start: date
    end: date | None  # None: open-ended


@dataclass(frozen=True)
class IntegrationResult:
    """Outcome of an integration or de-integration for one person (green / red)."""

    niss: str
    ok: bool
    message: str
    periods: tuple[tuple[str, Period], ...] = field(default_factory=tuple)


class RegisterAdapter(Protocol):
    source_label: str

    def by_niss(self, niss: str) -> PersonRecord | None: ...

    def by_ref(self, ref: int) -> PersonRecord | None: ...

    def phonetic(self, query: PhoneticQuery) -> list[PersonRecord]: ...

    def household(self, niss: str) -> list[PersonRecord]: ...

    def assign_bis(self, request: BisRequest) -> PersonRecord: ...


class BcssAdapter(Protocol):
    def integrate(
        self, organisation_id: int, niss: str, code: str, period: Period, by_id: int | None
    ) -> IntegrationResult: ...

    def deintegrate(
        self, organisation_id: int, niss: str, period: Period, by_id: int | None
    ) -> IntegrationResult: ...

    def consult(
        self, organisation_id: int, niss: str, start: date, end: date | None
    ) -> list[tuple[str, Period]]: ...


# --------------------------------------------------------------------------- local register


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


def _bis_prefix(birth: PartialDate) -> str:
    return f"{birth.year % 100:02d}{birth.month + 40:02d}{birth.day:02d}"


# --------------------------------------------------------------------------- local BCSS


class LocalBcss:
    """The BCSS repertoire of integrations, kept in the ``bcss_integration`` table."""

    def __init__(self, register: RegisterAdapter) -> None:
        self.register = register

    def _overlapping(self, organisation_id: int, niss: str, start: date, end: date | None):
        conditions = [
            BcssIntegration.organisation_id == organisation_id,
            BcssIntegration.niss == niss,
            or_(BcssIntegration.end.is_(None), BcssIntegration.end >= start),
        ]
        if end is not None:
            conditions.append(BcssIntegration.start <= end)
        return db.session.scalars(
            select(BcssIntegration).where(and_(*conditions)).order_by(BcssIntegration.start)
        ).all()

    def integrate(
        self, organisation_id: int, niss: str, code: str, period: Period, by_id: int | None
    ) -> IntegrationResult:
        quality = QUALITY_CODES.get(code)
        if quality is None:
            return IntegrationResult(niss, False, "Code qualité inconnu.")
        if self.register.by_niss(niss) is None:
            return IntegrationResult(niss, False, "Personne inconnue du registre : non intégrée.")
        limit = quality.max_end(period.start)
        if period.end is not None and period.end < period.start:
            return IntegrationResult(niss, False, "La date de fin précède la date de début.")
        if limit is not None and (period.end is None or period.end > limit):
            return IntegrationResult(
                niss,
                False,
                f"Durée maximale du code {code} ({quality.duration_label.lower()}) dépassée.",
            )
        # Same code, overlapping or adjacent periods (on either side) are merged into one.
        start, end = period.start, period.end
        after = None if end is None else end + timedelta(days=1)
        for row in self._overlapping(organisation_id, niss, start - timedelta(days=1), after):
            if row.quality_code != code:
                continue
            start = min(start, row.start)
            end = None if row.end is None or end is None else max(end, row.end)
            db.session.delete(row)
        db.session.add(
            BcssIntegration(
                organisation_id=organisation_id,
                niss=niss,
                quality_code=code,
                start=start,
                end=end,
                created_by_id=by_id,
            )
        )
        db.session.flush()
        return IntegrationResult(
            niss, True, "Intégration effectuée.", ((code, Period(period.start, period.end)),)
        )

    def deintegrate(
        self, organisation_id: int, niss: str, period: Period, by_id: int | None
    ) -> IntegrationResult:
        if period.end is not None and period.end < period.start:
            return IntegrationResult(niss, False, "La date de fin précède la date de début.")
        rows = self._overlapping(organisation_id, niss, period.start, period.end)
        if not rows:
            return IntegrationResult(niss, False, "Aucune intégration sur cette période.")
        for row in rows:
            # Keep what lies before and after the de-integrated period.
            if row.start < period.start:
                db.session.add(
                    BcssIntegration(
                        organisation_id=organisation_id,
                        niss=niss,
                        quality_code=row.quality_code,
                        start=row.start,
                        end=period.start - timedelta(days=1),
                        created_by_id=by_id,
                    )
                )
            if period.end is not None and (row.end is None or row.end > period.end):
                db.session.add(
                    BcssIntegration(
                        organisation_id=organisation_id,
                        niss=niss,
                        quality_code=row.quality_code,
                        start=period.end + timedelta(days=1),
                        end=row.end,
                        created_by_id=by_id,
                    )
                )
            db.session.delete(row)
        db.session.flush()
        return IntegrationResult(niss, True, "Désintégration effectuée.")

    def consult(
        self, organisation_id: int, niss: str, start: date, end: date | None
    ) -> list[tuple[str, Period]]:
        return [
            (row.quality_code, Period(row.start, row.end))
            for row in self._overlapping(organisation_id, niss, start, end)
        ]


def get_register() -> RegisterAdapter:
    """The National Register adapter configured for this app."""
    name = current_app.config.get("REGISTER_ADAPTER", "local")
    if name != "local":
        raise RuntimeError(f"unknown REGISTER_ADAPTER {name!r}: only 'local' is shipped")
    return LocalRegister()


def get_bcss() -> BcssAdapter:
    """The BCSS adapter configured for this app."""
    name = current_app.config.get("BCSS_ADAPTER", "local")
    if name != "local":
        raise RuntimeError(f"unknown BCSS_ADAPTER {name!r}: only 'local' is shipped")
    return LocalBcss(get_register())
