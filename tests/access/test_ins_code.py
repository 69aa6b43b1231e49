"""One CPAS per INS code: the form says so next to the field; the database refuses it too."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from cpas.access.models import Organisation, OrganisationKind
from cpas.extensions import db
from tests.helpers import page_text

FICHE = {
    "name": "CPAS de Test",
    "street": "Rue de l'Hôtel de Ville",
    "house_number": "1",
    "postal_code": "4000",
    "locality": "Liège",
    "ins_code": "62063",
    "email": "",
}


def _ins(app, org_id):
    with app.app_context():
        return db.session.get(Organisation, org_id).ins_code


def test_another_cpas_code_refused_next_to_the_field(app, client, make_org, make_user, login_as):
    make_org(OrganisationKind.CPAS, name="CPAS de Liège", ins_code="62063")
    mine = make_org(OrganisationKind.CPAS, name="CPAS de Test", ins_code="62099")
    login_as(make_user(mine, all_access=True))
    response = client.post("/centre/fiche", data={**FICHE, "version": "1"})
    assert response.status_code == 422
    html = page_text(response)
    assert "Ce code INS est déjà celui d'un autre CPAS." in html
    assert 'value="62063"' in html and "Rue de l&#39;Hôtel de Ville" in response.get_data(
        as_text=True
    )  # what was typed is kept
    assert _ins(app, mine.id) == "62099"


def test_own_code_saved_again(app, client, make_org, make_user, login_as):
    mine = make_org(OrganisationKind.CPAS, name="CPAS de Test", ins_code="62063")
    login_as(make_user(mine, all_access=True))
    page = client.get("/centre/fiche").get_data(as_text=True)
    import re

    version = re.search(r'name="version"[^>]*value="(\d+)"', page)
    data = {**FICHE, **({"version": version.group(1)} if version else {})}
    response = client.post("/centre/fiche", data=data)
    assert response.status_code == 302, page_text(response)[:500]
    assert _ins(app, mine.id) == "62063"


def test_database_refuses_a_second_cpas_with_the_code(app, make_org):
    make_org(OrganisationKind.CPAS, name="CPAS Un", ins_code="62063")
    with pytest.raises(IntegrityError):
        make_org(OrganisationKind.CPAS, name="CPAS Deux", ins_code="62063")
    # Organisations without a code (distributors, the fund manager) are many.
    make_org(OrganisationKind.DISTRIBUTOR, name="D1")
    make_org(OrganisationKind.DISTRIBUTOR, name="D2")


def test_code_taken_meanwhile_gives_the_message_not_a_500(
    app, client, make_org, make_user, login_as, monkeypatch
):
    """Two CPAS saving the same code at once: the loser's check ran before the winner's
    commit, so the unique constraint refuses it; the page says why, next to the field."""
    import cpas.centre.forms as centre_forms

    mine = make_org(OrganisationKind.CPAS, name="CPAS de Test", ins_code="62099")
    make_org(OrganisationKind.CPAS, name="CPAS de Liège", ins_code="62063")  # the winner
    login_as(make_user(mine, all_access=True))
    real_check = centre_forms.ins_code_taken
    calls = []

    def check_then_lose_the_race(code, organisation_id):
        calls.append(code)
        if len(calls) == 1:  # checked before the other CPAS's commit: not taken yet
            return False
        return real_check(code, organisation_id)

    monkeypatch.setattr(centre_forms, "ins_code_taken", check_then_lose_the_race)
    page = client.get("/centre/fiche").get_data(as_text=True)
    import re

    version = re.search(r'name="version"[^>]*value="(\d+)"', page)
    data = {**FICHE, **({"version": version.group(1)} if version else {})}
    response = client.post("/centre/fiche", data=data)
    assert response.status_code == 422
    assert "Ce code INS est déjà celui d'un autre CPAS." in page_text(response)
    assert _ins(app, mine.id) == "62099"
