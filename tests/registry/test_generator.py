"""The generator of fictitious persons, the demo persons and ``flask register generate``."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import delete, func, insert, select
from stdnum.be import nn

from cpas.extensions import db
from cpas.niss import format_niss
from cpas.registry import demo
from cpas.registry.demo_people import DEMO_HOUSEHOLDS, DEMO_NISS, ensure_demo_people
from cpas.registry.generator import generate_persons
from cpas.registry.models import RegisterPerson
from cpas.registry.numbers import niss_for
from cpas.registry.phonetic import phonetic_key

TODAY = date(2026, 3, 10)
COLUMNS = [c for c in RegisterPerson.__table__.c if c.name not in ("id", "created_at")]


def rows() -> list[RegisterPerson]:
    return list(db.session.scalars(select(RegisterPerson).order_by(RegisterPerson.id)))


def count() -> int:
    return db.session.scalar(select(func.count(RegisterPerson.id)))


def test_generates_the_requested_number_of_valid_unique_persons(ctx: Any) -> None:
    assert generate_persons(700, seed=1, batch=200, today=TODAY) == 700
    people = rows()
    assert len(people) == 700
    assert len({p.niss for p in people}) == 700
    for p in people:
        assert nn.validate(p.niss) == p.niss
        assert nn.get_birth_date(p.niss) == p.birth_date
        assert int(p.niss[6:9]) % 2 == (1 if p.sex == "M" else 0)
        assert date(1925, 1, 1) <= p.birth_date <= TODAY
        assert p.last_key == phonetic_key(p.last_name) and p.last_key
        assert p.first_key == phonetic_key(p.first_name) and p.first_key
        assert p.birth_precision == "day" and not p.is_bis
        assert p.niss not in DEMO_NISS
        assert p.postal_code and 1000 <= int(p.postal_code) <= 9999 and p.locality
        assert p.street and p.house_number and p.birth_place
        if p.registre == "Registre des étrangers":
            assert p.nationality != "Belge"
    assert {p.sex for p in people} == {"M", "F"}
    nationalities = [p.nationality for p in people]
    assert nationalities.count("Belge") > len(people) * 0.7
    assert len(set(nationalities)) > 2


def test_households_are_coherent(ctx: Any) -> None:
    generate_persons(1500, seed=2, batch=400, today=TODAY)
    households: dict[int, list[RegisterPerson]] = defaultdict(list)
    for p in rows():
        households[p.household_id].append(p)
    sizes = {len(members) for members in households.values()}
    assert 1 in sizes and max(sizes) >= 4 and max(sizes) <= 6
    relations = set()
    for members in households.values():
        heads = [m for m in members if m.is_head]
        assert len(heads) == 1
        head = heads[0]
        assert head.relation_to_head == "Chef de ménage"
        assert (TODAY - head.birth_date).days >= 18 * 365
        address = {(m.street, m.house_number, m.box, m.postal_code, m.locality) for m in members}
        assert len(address) == 1
        for m in members:
            relations.add(m.relation_to_head)
            if m.relation_to_head == "Enfant":
                assert m.last_name == head.last_name
                gap = (m.birth_date - head.birth_date).days
                assert 18 * 365 <= gap <= 40 * 366
                assert m.civil_state in ("Célibataire", "Divorcé(e)")
            elif m.relation_to_head == "Conjoint":
                assert head.civil_state == m.civil_state == "Marié(e)"
                assert abs((m.birth_date - head.birth_date).days) < 20 * 366
            elif m.relation_to_head == "Ascendant":
                assert m.birth_date < head.birth_date
            elif m is not head:
                assert m.relation_to_head in ("Cohabitant légal", "Autre")
        partners = [m for m in members if m.relation_to_head in ("Conjoint", "Cohabitant légal")]
        assert len(partners) <= 1
        for child in (m for m in members if m.relation_to_head == "Enfant"):
            for partner in partners:  # children are born after both parents' 18th year
                assert (child.birth_date - partner.birth_date).days >= 18 * 365
    assert {"Chef de ménage", "Conjoint", "Cohabitant légal", "Enfant"} <= relations


def test_household_ids_follow_the_existing_ones(ctx: Any) -> None:
    generate_persons(50, seed=3, today=TODAY)
    first_max = db.session.scalar(select(func.max(RegisterPerson.household_id)))
    generate_persons(50, seed=4, today=TODAY)
    new_ids = db.session.scalars(
        select(RegisterPerson.household_id).where(RegisterPerson.id > 50)
    ).all()
    assert min(new_ids) == first_max + 1


def snapshot() -> list[tuple]:
    return [tuple(getattr(p, c.name) for c in COLUMNS if c.name != "household_id") for p in rows()]


def test_same_seed_same_persons(ctx: Any) -> None:
    generate_persons(300, seed=42, batch=100, today=TODAY)
    first = snapshot()
    db.session.execute(delete(RegisterPerson))
    db.session.commit()
    generate_persons(300, seed=42, batch=100, today=TODAY)
    assert snapshot() == first
    db.session.execute(delete(RegisterPerson))
    db.session.commit()
    generate_persons(300, seed=43, batch=100, today=TODAY)
    assert snapshot() != first


def test_never_reuses_a_number_already_in_the_register(ctx: Any) -> None:
    generate_persons(400, seed=7, batch=150, today=TODAY)
    taken = [p.niss for p in rows()]
    db.session.execute(delete(RegisterPerson))
    # Others already hold every number the same seed would pick.
    db.session.execute(
        insert(RegisterPerson),
        [
            {
                "niss": niss,
                "last_name": "OCCUPE",
                "first_name": "Déjà",
                "last_key": "OKUPE",
                "first_key": "DEJA",
                "sex": "M" if int(niss[6:9]) % 2 else "F",
                "birth_date": nn.get_birth_date(niss),
                "registre": "Registre de la population",
            }
            for niss in taken
        ],
    )
    db.session.commit()
    assert generate_persons(400, seed=7, batch=150, today=TODAY) == 400
    new = db.session.scalars(
        select(RegisterPerson.niss).where(RegisterPerson.last_name != "OCCUPE")
    ).all()
    assert len(new) == 400
    assert not set(new) & set(taken)
    assert count() == 800 == len({p.niss for p in rows()})
    for niss in new:
        assert nn.is_valid(niss)


def test_zero_persons(ctx: Any) -> None:
    assert generate_persons(0) == 0
    assert count() == 0


def test_demo_people_are_added_once(ctx: Any) -> None:
    assert ensure_demo_people() == 4
    db.session.commit()
    assert ensure_demo_people() == 0
    people = {p.first_name: p for p in rows()}
    assert set(people) == {"Marie", "Jean", "Lucas", "Ahmed"}
    marie, jean, lucas, ahmed = (people[n] for n in ("Marie", "Jean", "Lucas", "Ahmed"))
    assert marie.niss == niss_for(date(1985, 3, 14), 124)
    assert (marie.last_name, marie.sex, marie.birth_place) == ("DUPONT", "F", "Liège")
    assert marie.is_head and marie.relation_to_head == "Chef de ménage"
    assert marie.household_id == jean.household_id == lucas.household_id != ahmed.household_id
    assert jean.last_name == "LEFEBVRE" and jean.relation_to_head == "Cohabitant légal"
    assert lucas.last_name == "DUPONT" and lucas.birth_date.year == 2016
    assert (TODAY - lucas.birth_date).days < 18 * 365  # a minor child
    assert ahmed.last_name == "MARTIN" and ahmed.is_head
    # The numbers the demo docstring and the README give.
    assert [format_niss(p.niss) for p in (marie, jean, lucas, ahmed)] == [
        "85.03.14-124.01",
        "82.09.02-057.19",
        "16.06.21-033.35",
        "79.11.05-211.17",
    ]
    for p in people.values():
        assert nn.validate(p.niss) == p.niss
        assert p.last_key == phonetic_key(p.last_name)


def test_a_missing_demo_member_rejoins_the_household(ctx: Any) -> None:
    ensure_demo_people()
    db.session.commit()
    lucas = DEMO_HOUSEHOLDS[0][2]["niss"]
    marie = db.session.scalar(select(RegisterPerson).where(RegisterPerson.first_name == "Marie"))
    db.session.execute(delete(RegisterPerson).where(RegisterPerson.niss == lucas))
    db.session.commit()
    assert ensure_demo_people() == 1
    restored = db.session.scalar(select(RegisterPerson).where(RegisterPerson.niss == lucas))
    assert restored.household_id == marie.household_id


def test_demo_seed_is_idempotent(ctx: Any) -> None:
    demo.seed({})
    db.session.commit()
    assert count() == demo.DEMO_PERSONS
    assert {p.niss for p in rows()} >= DEMO_NISS
    demo.seed({})
    db.session.commit()
    assert count() == demo.DEMO_PERSONS


def test_cli_generate(app: Any) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["register", "generate", "--persons", "60", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert "60 personnes ajoutées au registre local" in result.output
    assert "(total : 60 personnes)" in result.output
    result = runner.invoke(args=["register", "generate", "--persons", "15"])
    assert "(total : 75 personnes)" in result.output
    with app.app_context():
        assert count() == 75
    result = runner.invoke(args=["register", "generate", "--persons", "0"])
    assert result.exit_code != 0
