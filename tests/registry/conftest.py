"""Fixtures of the register tests: an app context and a factory of register persons."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from cpas.extensions import db
from cpas.registry.models import RegisterPerson
from cpas.registry.numbers import niss_for
from cpas.registry.phonetic import phonetic_key


@pytest.fixture
def ctx(app: Any) -> Iterator[Any]:
    with app.app_context():
        yield app
        db.session.rollback()


@pytest.fixture
def person(ctx: Any) -> Any:
    """Insert a register person; the NISS is built from the birth date and a serial."""
    serials: dict[tuple[date, str], int] = {}

    def _make(
        last_name: str = "DUPONT",
        first_name: str = "Marie",
        sex: str = "F",
        birth_date: date = date(1985, 3, 14),
        **fields: Any,
    ) -> RegisterPerson:
        start = 1 if sex == "M" else 2
        serial = serials.get((birth_date, sex), start + 100)
        serials[(birth_date, sex)] = serial + 2
        row = RegisterPerson(
            niss=fields.pop("niss", None) or niss_for(birth_date, serial),
            last_name=last_name,
            first_name=first_name,
            last_key=phonetic_key(last_name),
            first_key=phonetic_key(first_name),
            sex=sex,
            birth_date=birth_date,
            birth_place=fields.pop("birth_place", "Liège"),
            registre=fields.pop("registre", "Registre de la population"),
            **fields,
        )
        db.session.add(row)
        db.session.commit()
        return row

    return _make
