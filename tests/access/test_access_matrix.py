"""Who may use which access-management route, and organisation isolation."""

from __future__ import annotations

import re

import pytest

from cpas.access.models import OrganisationKind
from cpas.security import access_rule

#: Every endpoint of access, auth and main: its methods, its URL ({profile} / {user} /
#: {request} are object ids) and the rule it must declare, written out by hand. The url map
#: must match it exactly (test below): a new route without a line here fails.
EXPECTED = [
    ("access.my_access", "GET", "/acces/mes-acces", "signed_in"),
    ("access.my_access_pdf", "GET", "/acces/mes-acces/pdf", "signed_in"),
    ("access.profiles", "GET", "/acces/profils", "access.profiles"),
    ("access.profile_create", "GET POST", "/acces/profils/nouveau", "access.profiles"),
    ("access.profile_manage", "GET POST", "/acces/profils/{profile}", "access.profiles"),
    ("access.profile_delete", "POST", "/acces/profils/{profile}/supprimer", "access.profiles"),
    ("access.profile_print", "GET", "/acces/profils/{profile}/imprimer", "access.profiles"),
    ("access.profile_pdf", "GET", "/acces/profils/{profile}/pdf", "access.profiles"),
    ("access.users", "GET", "/acces/utilisateurs", "access.users"),
    ("access.inactive_users", "GET", "/acces/utilisateurs/inactifs", "access.users"),
    ("access.user_assign", "GET POST", "/acces/utilisateurs/{user}/profils", "access.users"),
    ("access.user_print", "GET", "/acces/utilisateurs/{user}/imprimer", "access.users"),
    ("access.user_pdf", "GET", "/acces/utilisateurs/{user}/pdf", "access.users"),
    ("access.user_deactivate", "POST", "/acces/utilisateurs/{user}/desactiver", "access.users"),
    ("access.user_reactivate", "POST", "/acces/utilisateurs/{user}/reactiver", "access.users"),
    ("access.users_export", "GET", "/acces/utilisateurs/export.xlsx", "access.export"),
    ("access.audit_log", "GET POST", "/acces/admin-logs", "access.audit"),
    ("access.audit_export", "POST", "/acces/admin-logs/export.xlsx", "access.audit"),
    ("access.account_request", "GET POST", "/acces/demande-de-compte", "public"),
    ("access.account_requests", "GET", "/acces/demandes-de-compte", "access.account_requests"),
    (
        "access.account_request_review",
        "GET POST",
        "/acces/demandes-de-compte/{request}",
        "access.account_requests",
    ),
    (
        "access.account_request_profile",
        "GET",
        "/acces/demandes-de-compte/{request}/profil",
        "access.account_requests",
    ),
    (
        "access.account_request_accept",
        "POST",
        "/acces/demandes-de-compte/{request}/accepter",
        "access.account_requests",
    ),
    (
        "access.account_request_refuse",
        "POST",
        "/acces/demandes-de-compte/{request}/refuser",
        "access.account_requests",
    ),
    ("auth.login", "GET POST", "/connexion", "public"),
    ("auth.logout", "POST", "/deconnexion", "signed_in"),
    ("auth.forgot_password", "GET POST", "/mot-de-passe-oublie", "public"),
    ("auth.reset_password", "GET POST", "/reinitialiser/{token}", "public"),
    ("main.home", "GET", "/", "signed_in"),
    ("main.health", "GET", "/sante", "public"),
    ("main.set_language", "POST", "/langue", "public"),
]
#: (method, url template, function code) of every route that needs a function.
ROUTES = [
    (method, url, rule)
    for _endpoint, methods, url, rule in EXPECTED
    if rule not in ("public", "signed_in")
    for method in methods.split()
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


def _declared(rule):
    """The rule a view declares, in the words of the table above."""
    kind, codes = rule
    return kind if kind in ("public", "signed_in") else " ".join(codes)


def test_the_url_map_is_the_expected_table(app):
    """Endpoints come from the url map; each one's URL, methods and rule are the table's."""
    names = {"profile_id": "profile", "user_id": "user", "request_id": "request"}
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in ("access", "auth", "main"):
            continue
        url = re.sub(
            r"<(?:\w+:)?(\w+)>", lambda m: "{" + names.get(m.group(1), m.group(1)) + "}", rule.rule
        )
        methods = " ".join(m for m in ("GET", "POST") if m in rule.methods)
        view = app.view_functions[rule.endpoint]
        found.add((rule.endpoint, methods, url, _declared(access_rule(view))))
    assert found == set(EXPECTED)


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
