"""Accepting an account request: the administrator chooses the profile (never « Tous les
accès » by default) and the page says what the chosen profile grants."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from cpas.access.models import AccountRequest, OrganisationKind, Profile, User
from cpas.extensions import db
from tests.helpers import page_text


@pytest.fixture
def pending(app, make_org, make_user, make_profile):
    """A CPAS with its « Tous les accès » admin, a narrow profile and a pending request."""
    org = make_org(OrganisationKind.CPAS, name="CPAS Accueil")
    admin = make_user(org, all_access=True, email="admin@cpas-accueil.test")
    narrow = make_profile(org, ["access.audit"], name_fr="Lecteur des logs")
    with app.app_context():
        row = AccountRequest(
            organisation_id=org.id,
            last_name="Lambert",
            first_name="Julie",
            email="julie@cpas-accueil.test",
            password_hash="x",
            iban="BE71096123456769",
            representative="M. le Président",
            phone="081000000",
        )
        db.session.add(row)
        db.session.commit()
        all_access = db.session.scalar(
            select(Profile).where(Profile.organisation_id == org.id, Profile.all_access)
        )
        return {
            "org": org,
            "admin": admin,
            "narrow": narrow,
            "all_access_id": all_access.id,
            "request": row.id,
        }


def _accounts(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(User.id)).where(User.email == "julie@cpas-accueil.test")
        )


def _status(app, request_id) -> str:
    with app.app_context():
        return db.session.get(AccountRequest, request_id).status


def test_no_profile_is_preselected(client, login_as, pending):
    login_as(pending["admin"])
    html = client.get(f"/acces/demandes-de-compte/{pending['request']}").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="profile_id".*?</select>', html, re.S).group(0)
    options = re.findall(r"<option([^>]*)>([^<]*)</option>", select_html)
    selected = [label for attrs, label in options if "selected" in attrs]
    assert selected == ["— Choisissez un profil —"], selected
    assert 'value=""' in options[0][0]
    assert any("Tous les accès" in label for _attrs, label in options)  # offered, not chosen


@pytest.mark.parametrize(
    "posted",
    [
        {"version": "1"},
        {"profile_id": "", "version": "1"},
        {"profile_id": "abc", "version": "1"},
        {"profile_id": "²", "version": "1"},
    ],
)
def test_accept_without_a_profile_is_refused_next_to_the_field(
    app, client, login_as, pending, posted
):
    login_as(pending["admin"])
    response = client.post(f"/acces/demandes-de-compte/{pending['request']}/accepter", data=posted)
    assert response.status_code == 422
    html = page_text(response)
    message = re.search(r'id="profile_id-msg">([^<]*)<', html).group(1)
    assert "Choisissez le profil à affecter au nouveau compte." in message
    assert 'value="Lambert"' in html and 'value="M. le Président"' in html  # request as saved
    assert _accounts(app) == 0 and _status(app, pending["request"]) == "pending"


@pytest.mark.parametrize("profile_id", ["999999", "99999999999999999999"])
def test_accept_with_an_unknown_profile_is_refused(app, client, login_as, pending, profile_id):
    login_as(pending["admin"])
    response = client.post(
        f"/acces/demandes-de-compte/{pending['request']}/accepter",
        data={"profile_id": profile_id, "version": "1"},
    )
    assert response.status_code == 422
    assert re.search(r'id="profile_id-msg">[^<]*\w', page_text(response))
    assert _accounts(app) == 0 and _status(app, pending["request"]) == "pending"


def test_accept_with_the_chosen_profile(app, client, login_as, pending, smtp):
    login_as(pending["admin"])
    response = client.post(
        f"/acces/demandes-de-compte/{pending['request']}/accepter",
        data={"profile_id": pending["narrow"].id, "version": "1"},
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "julie@cpas-accueil.test"))
        assert [p.name_fr for p in user.profiles] == ["Lecteur des logs"]


def test_page_says_what_each_profile_grants_without_javascript(client, login_as, pending):
    login_as(pending["admin"])
    html = page_text(client.get(f"/acces/demandes-de-compte/{pending['request']}"))
    grants = html[html.index("Voir ce qu'accorde chaque profil") :]
    narrow = grants[grants.index("<h3>Lecteur des logs</h3>") :]
    narrow = narrow[: narrow.index("</section>")]
    assert "<li>Consulter les Admin-Logs</li>" in narrow
    assert "Gérer les utilisateurs" not in narrow and "Créer une demande FAT" not in narrow
    everything = grants[grants.index("<h3>Tous les accès") :]
    everything = everything[: everything.index("</section>")]
    for label in ("Gérer les utilisateurs", "Créer une demande FAT", "Consulter le rapport REDI"):
        assert f"<li>{label}</li>" in everything


def test_fragment_for_the_chosen_profile(client, login_as, pending):
    login_as(pending["admin"])
    url = f"/acces/demandes-de-compte/{pending['request']}/profil"
    chosen = client.get(url, query_string={"profile_id": pending["narrow"].id})
    assert chosen.status_code == 200
    text = page_text(chosen)
    assert "Le profil « Lecteur des logs » accorde :" in text
    assert "<li>Consulter les Admin-Logs</li>" in text and "Gérer les utilisateurs" not in text
    assert "<html" not in text  # a fragment
    for garbage in ("", "abc", "²", "99999999999999999999"):
        none = client.get(url, query_string={"profile_id": garbage})
        assert none.status_code == 200 and "Choisissez un profil" in page_text(none)
    # The select asks for this fragment on change (htmx), with its value as profile_id.
    review = client.get(f"/acces/demandes-de-compte/{pending['request']}").get_data(as_text=True)
    assert f'hx-get="{url}"' in review and 'hx-trigger="change"' in review


def test_fragment_permissions_and_isolation(
    client, login_as, make_org, make_user, make_profile, pending
):
    url = f"/acces/demandes-de-compte/{pending['request']}/profil"
    query = {"profile_id": pending["narrow"].id}
    login_as(make_user(pending["org"], functions=["access.audit"]))
    assert client.get(url, query_string=query).status_code == 403  # without the function
    login_as(make_user(pending["org"], functions=["access.account_requests"]))
    assert client.get(url, query_string=query).status_code == 200  # with it
    other = make_org(OrganisationKind.CPAS, name="CPAS Ailleurs")
    theirs = make_profile(other, ["access.users"], name_fr="Profil ailleurs")
    login_as(make_user(other, all_access=True))
    assert client.get(url, query_string=query).status_code == 404  # another CPAS's request
    login_as(pending["admin"])
    response = client.get(url, query_string={"profile_id": theirs.id})
    assert response.status_code == 404  # another CPAS's profile
    assert "Profil ailleurs" not in response.get_data(as_text=True)


def test_distributor_all_access_grants_only_what_a_distributor_uses(
    app, client, login_as, make_org, make_user
):
    dist = make_org(OrganisationKind.DISTRIBUTOR, name="Distributeur Accueil")
    admin = make_user(dist, all_access=True)
    with app.app_context():
        row = AccountRequest(
            organisation_id=dist.id,
            last_name="Renard",
            first_name="Luc",
            email="luc@dist.test",
            password_hash="x",
            iban="BE71096123456769",
            representative="R",
            phone="081000000",
        )
        db.session.add(row)
        db.session.commit()
        request_id = row.id
        profile_id = db.session.scalar(
            select(Profile.id).where(Profile.organisation_id == dist.id, Profile.all_access)
        )
    login_as(admin)
    text = page_text(
        client.get(
            f"/acces/demandes-de-compte/{request_id}/profil",
            query_string={"profile_id": profile_id},
        )
    )
    assert "<li>Confirmer le paiement (distributeur, FAT)</li>" in text
    assert "Consulter le rapport REDI" not in text and "Rechercher un dossier" not in text
