"""A small dossiers world: two CPAS, a distributor, and a register household."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from cpas.access.models import OrganisationKind
from cpas.extensions import db
from cpas.registry.models import RegisterPerson
from cpas.registry.numbers import niss_for
from cpas.registry.phonetic import phonetic_key
from tests.helpers import member_add_url, register_person_url

ADDRESS = {
    "street": "Rue de la Station",
    "house_number": "12",
    "postal_code": "4000",
    "locality": "Liège",
}


def add_person(
    last: str,
    first: str,
    sex: str,
    born: date,
    serial: int,
    household: int | None = None,
    head: bool = False,
    relation: str | None = None,
    **extra,
) -> RegisterPerson:
    """Add a fictitious person to the local register (inside an app context)."""
    person = RegisterPerson(
        niss=niss_for(born, serial),
        last_name=last,
        first_name=first,
        last_key=phonetic_key(last),
        first_key=phonetic_key(first),
        sex=sex,
        birth_date=born,
        birth_place="Liège",
        nationality="Belge",
        civil_state="Célibataire",
        registre="Registre de la population",
        household_id=household,
        is_head=head,
        relation_to_head=relation,
        **{**ADDRESS, **extra},
    )
    db.session.add(person)
    db.session.flush()
    return person


@pytest.fixture
def people(app):
    """DUPONT Marie (head), her partner LEFEBVRE Jean, her child DUPONT Lucas, her mother
    DUPONT Anne (official household 1); and MARTIN Ahmed living alone (household 2)."""
    with app.app_context():
        rows = {
            "marie": add_person(
                "DUPONT", "Marie", "F", date(1985, 3, 14), 2, 1, True, "Chef de ménage"
            ),
            "jean": add_person(
                "LEFEBVRE", "Jean", "M", date(1983, 7, 2), 1, 1, False, "Cohabitant légal"
            ),
            "lucas": add_person("DUPONT", "Lucas", "M", date(2016, 5, 20), 3, 1, False, "Enfant"),
            "anne": add_person("DUPONT", "Anne", "F", date(1955, 1, 9), 4, 1, False, "Ascendant"),
            "ahmed": add_person(
                "MARTIN",
                "Ahmed",
                "M",
                date(1990, 10, 5),
                5,
                2,
                True,
                "Chef de ménage",
                street="Rue Haute",
                postal_code="1000",
                locality="Bruxelles",
            ),
        }
        db.session.commit()
        return SimpleNamespace(
            **{k: SimpleNamespace(id=v.id, niss=v.niss) for k, v in rows.items()}
        )


@pytest.fixture
def world(app, make_org, make_user, people):
    cpas_a = make_org(OrganisationKind.CPAS, name="CPAS A")
    cpas_b = make_org(OrganisationKind.CPAS, name="CPAS B")
    dist = make_org(OrganisationKind.DISTRIBUTOR, name="Distributeur X")
    return SimpleNamespace(
        cpas_a=cpas_a,
        cpas_b=cpas_b,
        dist=dist,
        people=people,
        user_a=make_user(cpas_a, all_access=True, email="as@cpas-a.be"),
        user_b=make_user(cpas_b, all_access=True, email="as@cpas-b.be"),
        user_dist=make_user(dist, all_access=True, email="agent@dist.be"),
    )


@pytest.fixture
def create_dossier(client, login_as, world):
    """Create a dossier through the screens; return its id."""

    def _create(person_ref: int, user=None) -> int:
        login_as(user or world.user_a)
        response = client.post(
            register_person_url(client, person_ref), data={"action": "enregistrer", **ADDRESS}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return int(response.headers["Location"].rstrip("/").split("/")[-1])

    return _create


# --------------------------------------------------------------------------- added helpers


def add_member_through_screens(client, dossier_id: int, ref: int, relation: str = "partner"):
    """POST « Ajouter » for register person ``ref`` (as the signed-in client)."""
    return client.post(
        member_add_url(client, dossier_id, ref),
        data={
            "action": "enregistrer",
            "relation": relation,
            "relation_start": "01/01/2020",
            **ADDRESS,
        },
    )


@pytest.fixture
def marie_dossier(app, client, world, create_dossier):
    """CPAS A's dossier of DUPONT Marie with her partner LEFEBVRE Jean in the de facto
    household; ``id``, ``main_id`` (Marie's member row) and ``jean_id``. Signed in as A."""
    from sqlalchemy import select

    from cpas.dossiers.models import HouseholdMember

    dossier_id = create_dossier(world.people.marie.id)
    response = add_member_through_screens(client, dossier_id, world.people.jean.id)
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        rows = db.session.scalars(
            select(HouseholdMember).where(HouseholdMember.dossier_id == dossier_id)
        ).all()
        main_id = next(m.id for m in rows if m.is_main)
        jean_id = next(m.id for m in rows if m.niss == world.people.jean.niss)
    return SimpleNamespace(id=dossier_id, main_id=main_id, jean_id=jean_id)
