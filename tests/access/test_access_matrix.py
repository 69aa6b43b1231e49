"""Who may use which access-management route, and organisation isolation."""

from __future__ import annotations

import pytest

from cpas.access.models import OrganisationKind

# (method, url template, function code). {profile} / {user} / {request} are object ids.
ROUTES = [
    ("GET", "/acces/profils", "access.profiles"),
    ("GET", "/acces/profils/nouveau", "access.profiles"),
    ("POST", "/acces/profils/nouveau", "access.profiles"),
    ("GET", "/acces/profils/{profile}", "access.profiles"),
    ("POST", "/acces/profils/{profile}", "access.profiles"),
    ("POST", "/acces/profils/{profile}/supprimer", "access.profiles"),
    ("GET", "/acces/profils/{profile}/imprimer", "access.profiles"),
    ("GET", "/acces/profils/{profile}/pdf", "access.profiles"),
    ("GET", "/acces/utilisateurs", "access.users"),
    ("GET", "/acces/utilisateurs/inactifs", "access.users"),
    ("GET", "/acces/utilisateurs/{user}/profils", "access.users"),
    ("POST", "/acces/utilisateurs/{user}/profils", "access.users"),
    ("GET", "/acces/utilisateurs/{user}/imprimer", "access.users"),
    ("GET", "/acces/utilisateurs/{user}/pdf", "access.users"),
    ("POST", "/acces/utilisateurs/{user}/desactiver", "access.users"),
    ("POST", "/acces/utilisateurs/{user}/reactiver", "access.users"),
    ("GET", "/acces/utilisateurs/export.xlsx", "access.export"),
    ("GET", "/acces/admin-logs", "access.audit"),
    ("POST", "/acces/admin-logs", "access.audit"),
    ("POST", "/acces/admin-logs/export.xlsx", "access.audit"),
    ("GET", "/acces/demandes-de-compte", "access.account_requests"),
    ("GET", "/acces/demandes-de-compte/{request}", "access.account_requests"),
    ("GET", "/acces/demandes-de-compte/{request}/profil", "access.account_requests"),
    ("POST", "/acces/demandes-de-compte/{request}", "access.account_requests"),
    ("POST", "/acces/demandes-de-compte/{request}/accepter", "access.account_requests"),
    ("POST", "/acces/demandes-de-compte/{request}/refuser", "access.account_requests"),
]
OBJECT_ROUTES = [r for r in ROUTES if "{" in r[1]]


@pytest.fixture
def world(app, make_org, make_user, make_profile):
    """Two CPAS, each with a profile, a plain user and a pending account request."""
    from cpas.access.models import AccountRequest
    from cpas.extensions import db

    result = {}
    for key in ("mine", "theirs"):
        org = make_org(OrganisationKind.CPAS, name=f"CPAS {key}")
        profile = make_profile(org, ["access.audit"], name_fr=f"Profil {key}")
        user = make_user(org, email=f"plain.{key}@cpas.test")
        with app.app_context():
            req = AccountRequest(
                organisation_id=org.id,
                last_name="Demandeur",
                first_name=key,
                email=f"demande.{key}@cpas.test",
                password_hash="x",
                iban="BE71096123456769",
                representative="R",
                phone="081000000",
            )
            db.session.add(req)
            db.session.commit()
            req_id = req.id
        result[key] = {"org": org, "profile": profile, "user": user, "request": req_id}
    return result


def _url(template, ids):
    return template.format(profile=ids["profile"].id, user=ids["user"].id, request=ids["request"])


@pytest.mark.parametrize("method,template,code", ROUTES)
def test_without_the_function_403(client, make_user, login_as, world, method, template, code):
    others = [
        "access.profiles",
        "access.users",
        "access.audit",
        "access.account_requests",
        "access.export",
    ]
    granted = [
        c for c in others if c != code and not (code == "access.export" and c == "access.users")
    ]
    login_as(make_user(world["mine"]["org"], functions=[c for c in granted if c != code]))
    response = client.open(_url(template, world["mine"]), method=method)
    assert response.status_code == 403


@pytest.mark.parametrize("method,template,code", ROUTES)
def test_with_the_function_allowed(client, make_user, login_as, world, method, template, code):
    # all_access: the admin holds every function, as « Tous les accès » does
    login_as(make_user(world["mine"]["org"], all_access=True))
    response = client.open(_url(template, world["mine"]), method=method)
    assert response.status_code in (200, 302, 409, 422), response.status_code


@pytest.mark.parametrize("method,template,code", OBJECT_ROUTES)
def test_other_organisation_objects_404(client, make_user, login_as, world, method, template, code):
    login_as(make_user(world["mine"]["org"], all_access=True))
    response = client.open(_url(template, world["theirs"]), method=method)
    assert response.status_code == 404


def test_lists_never_show_another_organisation(client, make_user, login_as, world):
    login_as(make_user(world["mine"]["org"], all_access=True))
    users = client.get("/acces/utilisateurs").get_data(as_text=True)
    assert "plain.mine@cpas.test" in users and "plain.theirs@cpas.test" not in users
    profiles = client.get("/acces/profils").get_data(as_text=True)
    assert "Profil mine" in profiles and "Profil theirs" not in profiles
    requests = client.get("/acces/demandes-de-compte").get_data(as_text=True)
    assert "demande.mine@cpas.test" in requests and "demande.theirs@cpas.test" not in requests


def test_fund_manager_sees_all_requests_but_only_refuses(
    app, client, make_org, make_user, login_as, world, smtp
):
    spge = make_org(OrganisationKind.FUND_MANAGER, name="SPGE")
    login_as(make_user(spge, all_access=True))
    listing = client.get("/acces/demandes-de-compte").get_data(as_text=True)
    assert "demande.mine@cpas.test" in listing and "demande.theirs@cpas.test" in listing
    rid = world["theirs"]["request"]
    accept = client.post(
        f"/acces/demandes-de-compte/{rid}/accepter",
        data={"profile_id": world["theirs"]["profile"].id, "version": "1"},
    )
    assert accept.status_code == 404  # not its profile
    refused = client.post(
        f"/acces/demandes-de-compte/{rid}/refuser", data={"reason": "Doublon", "version": "1"}
    )
    assert refused.status_code == 302
    assert "Doublon" in smtp.body(smtp.to("demande.theirs@cpas.test")[0])


def test_navigation_shows_only_allowed_entries(client, make_user, login_as, world):
    login_as(make_user(world["mine"]["org"], functions=["access.audit"]))
    html = client.get("/").get_data(as_text=True)
    assert "Admin-Logs" in html
    for label in (">Profils<", ">Utilisateurs<", "Demandes de compte"):
        assert label not in html
