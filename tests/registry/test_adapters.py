"""The local adapters: register look-ups, phonetic search, BIS numbers, BCSS integrations."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from stdnum.be import bis

from cpas.extensions import db
from cpas.registry.adapters import (
    MAX_CANDIDATES,
    BisRequest,
    LocalBcss,
    LocalRegister,
    Period,
    PhoneticQuery,
    check_settings,
    get_bcss,
    get_register,
)
from cpas.registry.birthdates import PartialDate
from cpas.registry.models import BcssIntegration, RegisterPerson
from cpas.registry.numbers import bis_for, niss_for
from cpas.registry.phonetic import phonetic_key

D = date


def search(last: str, first: str, birth: PartialDate, tolerance: int) -> list[Any]:
    return LocalRegister().phonetic(PhoneticQuery(last, first, birth, tolerance))


# --------------------------------------------------------------------------- look-ups


def test_by_niss_and_by_ref(person: Any) -> None:
    marie = person(
        street="Rue Saint-Gilles",
        house_number="45",
        postal_code="4000",
        locality="Liège",
        household_id=9,
        is_head=True,
        relation_to_head="Chef de ménage",
    )
    register = LocalRegister()
    found = register.by_niss(marie.niss)
    assert found is not None
    assert (found.ref, found.niss, found.last_name, found.first_name) == (
        marie.id,
        marie.niss,
        "DUPONT",
        "Marie",
    )
    assert found.birth_display == "14/03/1985"
    assert found.address_display == "Rue Saint-Gilles 45, 4000 Liège"
    assert found.household_id == 9 and found.is_head
    assert register.by_ref(marie.id) == found
    assert register.by_niss("85073003328") is None
    assert register.by_ref(marie.id + 1000) is None


def test_phonetic_finds_a_variant_spelling_with_an_unknown_day(person: Any) -> None:
    marie = person("DUPONT", "Marie", "F", D(1985, 3, 14))
    person("DUPONT", "Jeanne", "F", D(1985, 3, 2))
    person("DUPONT", "Marine", "F", D(1985, 3, 28))
    person("DUPONT", "Mari", "F", D(1985, 3, 20))  # same key as Marie, not the same name
    person("DUMONT", "Marie", "F", D(1985, 3, 14))  # another name
    before = person("DUPONT", "Marie", "F", D(1985, 2, 28))  # just outside 00/03 t=0
    after = person("DUPONT", "Marie", "F", D(1985, 4, 1))
    results = search("Dupond", "Marie", PartialDate(1985, 3, 0), 0)
    assert [r.first_name for r in results] == ["Marie", "Mari", "Marine", "Jeanne"]
    assert results[0].niss == marie.niss
    assert results[0].score > results[1].score > results[2].score > results[3].score
    assert {r.last_name for r in results} == {"DUPONT"}
    # Tolerance 1: one month either side, so both neighbours come in; the exact day first.
    wider = search("Dupond", "Marie", PartialDate(1985, 3, 0), 1)
    assert {before.niss, after.niss} <= {r.niss for r in wider}
    assert wider[0].niss == marie.niss


def test_phonetic_window_limits_are_inclusive(person: Any) -> None:
    first = person("PEETERS", "Jan", "M", D(1998, 1, 1))
    last = person("PEETERS", "Jan", "M", D(2002, 12, 31))
    person("PEETERS", "Jan", "M", D(1997, 12, 31))
    person("PEETERS", "Jan", "M", D(2003, 1, 1))
    found = {r.niss for r in search("Peters", "Jan", PartialDate(2000, 0, 0), 2)}
    assert found == {first.niss, last.niss}
    exact = person("PEETERS", "Jan", "M", D(1970, 6, 15))
    person("PEETERS", "Jan", "M", D(1970, 6, 18))
    assert [r.niss for r in search("Peeters", "Jan", PartialDate(1970, 6, 15), 0)] == [exact.niss]
    assert len(search("Peeters", "Jan", PartialDate(1970, 6, 15), 3)) == 2


def register_row(first_name: str, sex: str, born: date, serial: int) -> dict[str, Any]:
    return {
        "niss": niss_for(born, serial),
        "last_name": "DUBOIS",
        "first_name": first_name,
        "last_key": phonetic_key("Dubois"),
        "first_key": phonetic_key(first_name),
        "sex": sex,
        "birth_date": born,
        "registre": "Registre de la population",
    }


def test_phonetic_keeps_the_first_name_match_beyond_the_candidate_cap(ctx: Any) -> None:
    """A common name in a wide window: the right person is not lost in the first 500 rows."""
    first_day = D(1980, 1, 1).toordinal()
    rows = [
        register_row("Luc", "M", D.fromordinal(first_day + n % 300), 1 + 2 * (n // 300))
        for n in range(MAX_CANDIDATES + 20)
    ]
    rows.append(register_row("Sophie", "F", D(1980, 12, 30), 2))  # last in index order
    db.session.execute(insert(RegisterPerson), rows)
    db.session.commit()
    results = search("Dubois", "Sophie", PartialDate(1980, 0, 0), 0)
    assert results[0].first_name == "Sophie"
    assert len(results) == 50


def test_household_returns_the_members_head_first(person: Any) -> None:
    child = person(
        "DUPONT", "Lucas", "M", D(2016, 6, 21), household_id=5, relation_to_head="Enfant"
    )
    head = person(
        "DUPONT",
        "Marie",
        "F",
        D(1985, 3, 14),
        household_id=5,
        is_head=True,
        relation_to_head="Chef de ménage",
    )
    partner = person(
        "LEFEBVRE", "Jean", "M", D(1982, 9, 2), household_id=5, relation_to_head="Cohabitant légal"
    )
    person("MARTIN", "Ahmed", "M", D(1979, 11, 5), household_id=6, is_head=True)
    alone = person("RENARD", "Luc", "M", D(1960, 1, 1))
    register = LocalRegister()
    members = register.household(child.niss)
    assert [m.niss for m in members] == [head.niss, partner.niss, child.niss]
    assert [m.niss for m in register.household(head.niss)] == [m.niss for m in members]
    assert [m.niss for m in register.household(alone.niss)] == [alone.niss]
    assert register.household("85073003328") == []


def test_get_adapters_follow_the_settings(ctx: Any) -> None:
    assert ctx.config["REGISTER_ADAPTER"] == "local" and ctx.config["BCSS_ADAPTER"] == "local"
    assert isinstance(get_register(), LocalRegister)
    assert isinstance(get_bcss(), LocalBcss)


@pytest.mark.parametrize("key", ["REGISTER_ADAPTER", "BCSS_ADAPTER"])
def test_an_unknown_adapter_fails_clearly_at_first_use(ctx: Any, key: str) -> None:
    ctx.config[key] = "real"
    with pytest.raises(RuntimeError, match=rf"{key}='real' is not an adapter .*known: local"):
        get_bcss()  # the BCSS adapter asks for the register adapter too
    with pytest.raises(RuntimeError, match=key):
        check_settings(ctx.config)
    if key == "REGISTER_ADAPTER":
        with pytest.raises(RuntimeError, match=key):
            get_register()
    else:
        assert isinstance(get_register(), LocalRegister)  # only the BCSS one is wrong


def test_the_adapters_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from cpas.config import from_environment

    monkeypatch.setenv("REGISTER_ADAPTER", "national")
    monkeypatch.setenv("BCSS_ADAPTER", "bcss-test")
    values = from_environment()
    assert values["REGISTER_ADAPTER"] == "national" and values["BCSS_ADAPTER"] == "bcss-test"


# --------------------------------------------------------------------------- BIS numbers


def bis_request(birth: PartialDate, sex: str = "M", **fields: Any) -> BisRequest:
    return BisRequest(last_name=" Lechien ", first_name="Ruby", sex=sex, birth=birth, **fields)


def test_assign_bis_with_a_full_date(ctx: Any) -> None:
    record = LocalRegister().assign_bis(
        bis_request(PartialDate(1990, 5, 12), birth_place="Kinshasa")
    )
    db.session.commit()
    assert bis.validate(record.niss) == record.niss
    assert record.niss[:6] == "904512"  # month + 40: the sex is known
    assert int(record.niss[6:9]) % 2 == 1  # a man: odd serial
    assert record.is_bis and record.registre == "Registre BIS (BCSS)"
    assert (record.last_name, record.first_name, record.birth_place) == (
        "LECHIEN",
        "Ruby",
        "Kinshasa",
    )
    assert LocalRegister().by_niss(record.niss) == record
    # The BIS person is found by the phonetic search too.
    assert record.niss in {r.niss for r in search("Leschien", "Rubi", PartialDate(1990, 5, 0), 0)}


@pytest.mark.parametrize(
    "birth,prefix,precision,display",
    [
        (PartialDate(1990, 5, 0), "904500", "month", "00/05/1990"),
        (PartialDate(1990, 0, 0), "904000", "year", "00/00/1990"),
        (PartialDate(2004, 7, 0), "044700", "month", "00/07/2004"),
    ],
)
def test_assign_bis_with_a_partial_date(
    ctx: Any, birth: PartialDate, prefix: str, precision: str, display: str
) -> None:
    record = LocalRegister().assign_bis(
        bis_request(
            birth,
            sex="F",
            street="Rue Haute",
            house_number="1",
            postal_code="1000",
            locality="Bruxelles",
        )
    )
    assert bis.validate(record.niss) == record.niss
    assert record.niss.startswith(prefix)
    assert int(record.niss[6:9]) % 2 == 0  # a woman: even serial
    assert (record.birth_precision, record.birth_display) == (precision, display)
    assert record.birth_date == birth.first_day()


def test_two_assignments_with_the_same_data_give_two_numbers(ctx: Any) -> None:
    register = LocalRegister()
    first = register.assign_bis(bis_request(PartialDate(1990, 5, 0)))
    second = register.assign_bis(bis_request(PartialDate(1990, 5, 0)))
    db.session.commit()
    assert first.niss != second.niss
    assert bis.is_valid(first.niss) and bis.is_valid(second.niss)
    assert db.session.scalar(select(func.count(RegisterPerson.id))) == 2


def test_assign_bis_skips_a_number_already_taken(person: Any) -> None:
    birth = PartialDate(1990, 5, 12)
    taken = bis_for(birth, 1)
    person("AUTRE", "Personne", "M", D(1990, 5, 12), niss=taken)
    record = LocalRegister().assign_bis(bis_request(birth))
    db.session.commit()
    assert record.niss != taken
    assert record.niss == bis_for(birth, 3)


# --------------------------------------------------------------------------- BCSS


@pytest.fixture
def orgs(make_org: Any) -> tuple[int, int]:
    return make_org().id, make_org().id  # before the test's session opens a transaction


@pytest.fixture
def bcss_setup(orgs: tuple[int, int], person: Any) -> tuple[LocalBcss, int, str]:
    marie = person()
    return LocalBcss(LocalRegister()), orgs[0], marie.niss


def periods(bcss: LocalBcss, org: int, niss: str, start: date = D(2000, 1, 1), end=None) -> list:
    return [(code, p.start, p.end) for code, p in bcss.consult(org, niss, start, end)]


def test_integrate_within_the_maximum(bcss_setup: Any) -> None:
    bcss, org, niss = bcss_setup
    result = bcss.integrate(org, niss, "001", Period(D(2026, 1, 15), D(2026, 3, 14)), None)
    db.session.commit()
    assert result.ok and result.message == "Intégration effectuée."
    assert periods(bcss, org, niss) == [("001", D(2026, 1, 15), D(2026, 3, 14))]


def test_integrate_beyond_the_maximum_is_red(bcss_setup: Any) -> None:
    bcss, org, niss = bcss_setup
    result = bcss.integrate(org, niss, "001", Period(D(2026, 1, 15), D(2026, 3, 15)), None)
    assert not result.ok
    assert "Durée maximale du code 001" in result.message and "2 mois" in result.message
    result = bcss.integrate(org, niss, "031", Period(D(2026, 1, 15), D(2026, 2, 15)), None)
    assert not result.ok
    result = bcss.integrate(org, niss, "040", Period(D(2026, 1, 1), D(2027, 1, 1)), None)
    assert not result.ok
    assert periods(bcss, org, niss) == []


def test_open_ended_only_where_the_code_allows_it(bcss_setup: Any) -> None:
    bcss, org, niss = bcss_setup
    assert not bcss.integrate(org, niss, "002", Period(D(2026, 1, 1), None), None).ok
    assert bcss.integrate(org, niss, "011", Period(D(2026, 1, 1), None), None).ok
    assert periods(bcss, org, niss) == [("011", D(2026, 1, 1), None)]


def test_integrate_refusals(bcss_setup: Any) -> None:
    bcss, org, niss = bcss_setup
    unknown = bcss.integrate(org, "85073003328", "001", Period(D(2026, 1, 1), D(2026, 1, 31)), None)
    assert not unknown.ok and unknown.message == "Personne inconnue du registre : non intégrée."
    bad_code = bcss.integrate(org, niss, "099", Period(D(2026, 1, 1), D(2026, 1, 31)), None)
    assert not bad_code.ok and bad_code.message == "Code qualité inconnu."
    reversed_ = bcss.integrate(org, niss, "002", Period(D(2026, 2, 1), D(2026, 1, 31)), None)
    assert not reversed_.ok and reversed_.message == "La date de fin précède la date de début."
    assert db.session.scalar(select(func.count(BcssIntegration.id))) == 0


def test_overlapping_and_adjacent_periods_of_a_code_merge(bcss_setup: Any) -> None:
    bcss, org, niss = bcss_setup
    assert bcss.integrate(org, niss, "002", Period(D(2026, 1, 1), D(2026, 3, 31)), None).ok
    assert bcss.integrate(org, niss, "002", Period(D(2026, 3, 1), D(2026, 6, 30)), None).ok
    assert periods(bcss, org, niss) == [("002", D(2026, 1, 1), D(2026, 6, 30))]
    # Adjacent after, then adjacent before: still one period.
    assert bcss.integrate(org, niss, "002", Period(D(2026, 7, 1), D(2026, 8, 31)), None).ok
    assert bcss.integrate(org, niss, "002", Period(D(2025, 12, 1), D(2025, 12, 31)), None).ok
    assert periods(bcss, org, niss) == [("002", D(2025, 12, 1), D(2026, 8, 31))]
    # Another code is kept apart; a gap is kept as two periods.
    assert bcss.integrate(org, niss, "005", Period(D(2026, 2, 1), D(2026, 2, 28)), None).ok
    assert bcss.integrate(org, niss, "002", Period(D(2026, 10, 1), D(2026, 10, 31)), None).ok
    db.session.commit()
    assert periods(bcss, org, niss) == [
        ("002", D(2025, 12, 1), D(2026, 8, 31)),
        ("005", D(2026, 2, 1), D(2026, 2, 28)),
        ("002", D(2026, 10, 1), D(2026, 10, 31)),
    ]


def test_deintegrate_splits_a_period(bcss_setup: Any) -> None:
    bcss, org, niss = bcss_setup
    bcss.integrate(org, niss, "002", Period(D(2026, 1, 1), D(2026, 12, 31)), None)
    result = bcss.deintegrate(org, niss, Period(D(2026, 4, 1), D(2026, 4, 30)), None)
    db.session.commit()
    assert result.ok and result.message == "Désintégration effectuée."
    assert periods(bcss, org, niss) == [
        ("002", D(2026, 1, 1), D(2026, 3, 31)),
        ("002", D(2026, 5, 1), D(2026, 12, 31)),
    ]
    # From a date on, without an end: what follows is removed.
    assert bcss.deintegrate(org, niss, Period(D(2026, 6, 1), None), None).ok
    assert periods(bcss, org, niss) == [
        ("002", D(2026, 1, 1), D(2026, 3, 31)),
        ("002", D(2026, 5, 1), D(2026, 5, 31)),
    ]
    nothing = bcss.deintegrate(org, niss, Period(D(2027, 1, 1), D(2027, 1, 31)), None)
    assert not nothing.ok and nothing.message == "Aucune intégration sur cette période."


def test_consult_returns_the_overlapping_periods_of_the_organisation(
    bcss_setup: Any, orgs: tuple[int, int]
) -> None:
    bcss, org, niss = bcss_setup
    other = orgs[1]
    bcss.integrate(org, niss, "002", Period(D(2026, 1, 1), D(2026, 1, 31)), None)
    bcss.integrate(org, niss, "002", Period(D(2026, 3, 1), D(2026, 3, 31)), None)
    bcss.integrate(org, niss, "001", Period(D(2026, 6, 1), D(2026, 7, 31)), None)
    bcss.integrate(other, niss, "001", Period(D(2026, 3, 1), D(2026, 3, 31)), None)
    db.session.commit()
    assert periods(bcss, org, niss, D(2026, 2, 15), D(2026, 3, 15)) == [
        ("002", D(2026, 3, 1), D(2026, 3, 31))
    ]
    assert periods(bcss, org, niss, D(2026, 1, 31), D(2026, 3, 1)) == [
        ("002", D(2026, 1, 1), D(2026, 1, 31)),
        ("002", D(2026, 3, 1), D(2026, 3, 31)),
    ]
    # Without an end date, future periods are returned too.
    assert periods(bcss, org, niss, D(2026, 3, 31), None) == [
        ("002", D(2026, 3, 1), D(2026, 3, 31)),
        ("001", D(2026, 6, 1), D(2026, 7, 31)),
    ]
    assert periods(bcss, org, niss, D(2026, 8, 1), None) == []
    assert periods(bcss, other, niss) == [("001", D(2026, 3, 1), D(2026, 3, 31))]


@pytest.mark.parametrize("key", ["REGISTER_ADAPTER", "BCSS_ADAPTER"])
def test_an_unknown_adapter_stops_the_app_at_start_up(tmp_path, key):
    from cpas import create_app

    config = {
        "TESTING": True,
        "SECRET_KEY": "x",
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "INSTANCE_PATH": str(tmp_path),
        key: "national",
    }
    with pytest.raises(RuntimeError, match=key):
        create_app(config)
    config[key] = "local"
    assert create_app(config).config[key] == "local"
