"""A refused access to another organisation's record answers 404 AND is logged as a
security event (its own transaction), visible in Admin-Logs under « Événements de sécurité »,
without revealing the record it aimed at."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from cpas.access.models import AccountRequest, Profile, User
from cpas.dossiers.models import Dossier
from cpas.extensions import db
from tests.audit_helpers import entries_since, last_entry_id
from tests.helpers import page_text
from tests.water_fund.conftest import new_request, world  # noqa: F401  (fixtures)


def _dossier(app, org, last="PEETERS", first="Filip", niss="73041636537") -> int:
    with app.app_context():
        row = Dossier(
            organisation_id=org.id,
            niss=niss,
            dossier_number="4711",
            opened_on=date(2024, 1, 1),
            last_name=last,
            first_name=first,
            name_key=last.lower(),
            first_key=first.lower(),
            sex="M",
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def _profile(app, org) -> int:
    with app.app_context():
        row = Profile(organisation_id=org.id, name_fr="Profil secret", name_nl="Geheim")
        db.session.add(row)
        db.session.commit()
        return row.id


def _user_of(app, org) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.organisation_id == org.id))


def _account_request(app, org) -> int:
    with app.app_context():
        row = AccountRequest(
            organisation_id=org.id,
            last_name="JANSSENS",
            first_name="Els",
            email="els@example.test",
            password_hash="x",
            iban="BE68539007547034",
            representative="Directrice",
            phone="04 000 00 00",
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def _targets(app, world, new_request):  # noqa: F811
    """(method, URL, object type, object id) of records of CPAS B that CPAS A may not reach."""
    dossier = _dossier(app, world.cpas_b)
    profile = _profile(app, world.cpas_b)
    user = _user_of(app, world.cpas_b)
    account_request = _account_request(app, world.cpas_b)
    water = new_request("fat", cpas=world.cpas_b, by=world.user_b)
    return [
        ("GET", f"/dossiers/{dossier}", "Dossier", dossier),
        ("GET", f"/dossiers/{dossier}/menage", "Dossier", dossier),
        ("POST", f"/dossiers/{dossier}/archiver", "Dossier", dossier),
        ("GET", f"/acces/profils/{profile}", "Profile", profile),
        ("GET", f"/acces/utilisateurs/{user}/profils", "User", user),
        ("GET", f"/acces/demandes-de-compte/{account_request}", "AccountRequest", account_request),
        ("GET", f"/fonds-eau/fat/{water}", "WaterRequest", water),
    ]


def test_cross_org_access_is_a_404_and_a_security_event(app, client, login_as, world, new_request):  # noqa: F811
    targets = _targets(app, world, new_request)
    login_as(world.user_a)
    for method, url, object_type, object_id in targets:
        mark = last_entry_id(app)
        response = client.open(url, method=method)
        assert response.status_code == 404, url
        entries = entries_since(app, mark)
        assert [
            (e.action, e.outcome, e.object_type, e.object_id, e.user_id, e.organisation_id)
            for e in entries
        ] == [
            (
                "security.cross_org",
                "denied",
                object_type,
                str(object_id),
                world.user_a.id,
                world.cpas_a.id,
            )
        ], url


def test_refused_post_changes_nothing(app, client, login_as, world):  # noqa: F811
    dossier = _dossier(app, world.cpas_b)
    login_as(world.user_a)
    assert client.post(f"/dossiers/{dossier}/archiver").status_code == 404
    with app.app_context():
        assert db.session.get(Dossier, dossier).archived is False


def test_unknown_id_is_a_plain_404(app, client, login_as, world):  # noqa: F811
    login_as(world.user_a)
    mark = last_entry_id(app)
    assert client.get("/dossiers/987654").status_code == 404
    assert entries_since(app, mark) == []


def test_same_answer_for_missing_and_foreign(app, client, login_as, world):  # noqa: F811
    dossier = _dossier(app, world.cpas_b)
    login_as(world.user_a)
    foreign = client.get(f"/dossiers/{dossier}")
    missing = client.get("/dossiers/987654")
    assert foreign.status_code == missing.status_code == 404

    # the same page but for the id in the URL (and the CSRF token, signed with a timestamp
    # that may tick between the two requests on a loaded machine)
    def page(response, *replace):
        html = response.get_data(as_text=True).replace(*replace or ("", ""))
        token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
        return html.replace(token, "<token>")

    assert page(foreign, f"/{dossier}", "/987654") == page(missing)


@pytest.mark.parametrize("choice", ["securite"])
def test_security_events_filter_in_admin_logs(app, client, login_as, world, choice):  # noqa: F811
    dossier = _dossier(app, world.cpas_b)
    own = _dossier(app, world.cpas_a, last="MAES", first="Lotte", niss="85073003328")
    login_as(world.user_a)
    assert client.get(f"/dossiers/{own}").status_code == 200
    assert client.get(f"/dossiers/{dossier}").status_code == 404
    response = client.post("/acces/admin-logs", data={"action": choice})
    text = page_text(response)
    assert response.status_code == 200
    assert "Accès refusé à un élément d'une autre organisation" in text
    assert f"Dossier n° {dossier}" in text  # the other CPAS's dossier is not described...
    assert "PEETERS" not in text and "Filip" not in text  # ...nor its holder named
    assert '<td title="dossiers.view">' not in text  # a plain consultation is no event
    assert "Refusé" in text
    everything = page_text(client.post("/acces/admin-logs", data={}))
    assert '<td title="dossiers.view">' in everything
    assert "Dossier 4711 – MAES Lotte" in everything


def test_security_event_counts_once_per_refusal(app, client, login_as, world):  # noqa: F811
    dossier = _dossier(app, world.cpas_b)
    login_as(world.user_a)
    for _ in range(3):
        client.get(f"/dossiers/{dossier}")
    with app.app_context():
        count = db.session.scalar(
            select(func.count())
            .where(
                db.text("action = 'security.cross_org'"),
            )
            .select_from(db.metadata.tables["audit_entry"])
        )
    assert count == 3
