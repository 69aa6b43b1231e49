"""Permission matrix of the dossiers blueprint, built from the app's URL map.

Every route of the blueprint (endpoint prefix ``dossiers.``) and every method it answers is
one case; its function code is read from the view through ``cpas.security.access_rule``, so
a route added later is covered without touching this file.
"""

from __future__ import annotations

import re
import tempfile
from urllib.parse import urlsplit

import pytest

from cpas.access.functions import ALL_FUNCTION_CODES, complete_dependencies
from cpas.security import access_rule
from tests.dossiers.conftest import ADDRESS, add_member_through_screens
from tests.helpers import page_text, register_person_url

PREFIX = "dossiers."
IGNORED_METHODS = {"HEAD", "OPTIONS"}
ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _routes_of(app) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(endpoint, rule, method, function codes) of every dossiers route and method."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(PREFIX):
            continue
        declared = access_rule(app.view_functions[rule.endpoint])
        kind, codes = declared if declared else (None, None)
        for method in sorted(rule.methods - IGNORED_METHODS):
            found.append((rule.endpoint, rule.rule, method, (kind, tuple(codes or ()))))
    return sorted(found)


def _collect() -> list[tuple[str, str, str, tuple]]:
    """The route list at collection time, from an app on an in-memory database."""
    from cpas import create_app
    from cpas.extensions import db

    with tempfile.TemporaryDirectory() as instance:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "collect-routes",
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "INSTANCE_PATH": instance,
            }
        )
        routes = _routes_of(app)
        with app.app_context():
            db.engine.dispose()
    return routes


ROUTES = _collect()
CASES = [
    pytest.param(endpoint, rule, method, codes, id=f"{method} {endpoint}")
    for endpoint, rule, method, (_kind, codes) in ROUTES
]
DOSSIER_CASES = [c for c in CASES if "<int:dossier_id>" in c.values[1]]
MEMBER_CASES = [c for c in CASES if "<int:member_id>" in c.values[1]]


def _url(rule: str, ids: dict) -> str:
    return ARGUMENT.sub(lambda m: str(ids[m.group(1)]), rule)


@pytest.fixture
def objects(world, marie_dossier):
    """CPAS A's dossier (DUPONT Marie) with a second member; a register person ref."""
    return {
        "dossier_id": marie_dossier.id,
        "member_id": marie_dossier.jean_id,
        "ref": world.people.ahmed.id,
    }


# --------------------------------------------------------------------------- the list itself


def test_the_matrix_covers_every_route_of_the_blueprint(app):
    """The collected list is the live app's, and every route declares a function code."""
    assert _routes_of(app) == ROUTES
    endpoints = {endpoint for endpoint, *_ in ROUTES}
    assert len(endpoints) >= 23
    assert {"dossiers.index", "dossiers.consult", "dossiers.member_remove"} <= endpoints
    for endpoint, _rule, _method, (kind, codes) in ROUTES:
        assert kind == "function" and codes, f"{endpoint} must declare @require_function"
        assert set(codes) <= ALL_FUNCTION_CODES, endpoint
    assert len(DOSSIER_CASES) >= 19 and len(MEMBER_CASES) == 2


# --------------------------------------------------------------------------- (a) (b)


@pytest.mark.parametrize("endpoint,rule,method,codes", CASES)
def test_every_function_but_the_route_s_is_refused(
    client, login_as, make_user, world, objects, endpoint, rule, method, codes
):
    others = sorted(ALL_FUNCTION_CODES - set(codes))
    login_as(make_user(world.cpas_a, functions=others))
    response = client.open(_url(rule, objects), method=method)
    assert response.status_code == 403, (method, rule, response.status_code)


@pytest.mark.parametrize("endpoint,rule,method,codes", CASES)
def test_exactly_the_route_s_function_is_enough(
    client, login_as, make_user, world, objects, endpoint, rule, method, codes
):
    granted, _added = complete_dependencies(set(codes))
    login_as(make_user(world.cpas_a, functions=sorted(granted)))
    data = {"version": "1"} if method == "POST" else None  # member buttons post their version
    response = client.open(_url(rule, objects), method=method, data=data)
    assert response.status_code in {200, 302, 404, 409, 422}, (method, rule, response.status_code)


# --------------------------------------------------------------------------- (c) (e)


@pytest.mark.parametrize("endpoint,rule,method,codes", CASES)
def test_distributor_with_every_function_is_refused(
    client, login_as, world, objects, endpoint, rule, method, codes
):
    login_as(world.user_dist)
    response = client.open(_url(rule, objects), method=method)
    assert response.status_code == 403, (method, rule, response.status_code)


@pytest.mark.parametrize("endpoint,rule,method,codes", CASES)
def test_anonymous_is_sent_to_the_login_page(client, objects, endpoint, rule, method, codes):
    with client.session_transaction() as session:
        session.clear()
    response = client.open(_url(rule, objects), method=method)
    assert response.status_code == 302, (method, rule, response.status_code)
    assert urlsplit(response.headers["Location"]).path == "/connexion"


# --------------------------------------------------------------------------- (d) isolation


@pytest.mark.parametrize("endpoint,rule,method,codes", DOSSIER_CASES)
def test_another_cpas_gets_404_on_the_dossier(
    client, login_as, world, objects, endpoint, rule, method, codes
):
    login_as(world.user_b)
    response = client.open(_url(rule, objects), method=method)
    assert response.status_code == 404, (method, rule, response.status_code)


@pytest.mark.parametrize("endpoint,rule,method,codes", MEMBER_CASES)
def test_another_cpas_s_member_through_its_own_dossier_is_404(
    client, login_as, world, objects, create_dossier, endpoint, rule, method, codes
):
    """CPAS B's own dossier id with CPAS A's member id: the member is not found."""
    own = create_dossier(world.people.ahmed.id, user=world.user_b)
    response = client.open(_url(rule, {**objects, "dossier_id": own}), method=method)
    assert response.status_code == 404, (method, rule, response.status_code)


def _recent_names(response) -> str:
    text = page_text(response)
    match = re.search(r'aria-label="Dossiers consultés récemment">(.*?)</nav>', text, re.S)
    assert match, "no recent-dossiers sidebar"
    return match.group(1)


def test_another_cpas_never_lists_the_dossier(app, client, login_as, world, objects):
    """Index, searches by NISS and by name, and the sidebar of CPAS B: only B's dossiers."""
    login_as(world.user_b)
    created = client.post(
        register_person_url(client, world.people.ahmed.id),
        data={"action": "enregistrer", **ADDRESS},
    )
    assert created.status_code == 302
    # B's recent list carries A's dossier id too (a shared browser, a crafted cookie…)
    own_id = int(created.headers["Location"].rsplit("/", 1)[-1])
    with client.session_transaction() as session:
        session["recent_dossiers"] = [objects["dossier_id"], own_id]
    index_d = page_text(client.get("/dossiers/?lettre=D"))
    assert "Aucun dossier dont le nom commence par « D »" in index_d
    assert "DUPONT" not in index_d
    index_m = page_text(client.get("/dossiers/?lettre=M"))
    assert "MARTIN" in index_m and "DUPONT" not in index_m
    by_niss = page_text(client.post("/dossiers/rechercher", data={"niss": world.people.marie.niss}))
    assert "Résultats (0)" in by_niss and "DUPONT" not in by_niss
    by_name = page_text(client.post("/dossiers/rechercher", data={"nom": "dupont"}))
    assert "Résultats (0)" in by_name and "DUPONT" not in by_name
    sidebar = _recent_names(client.get("/dossiers/?lettre=A"))
    assert "MARTIN Ahmed" in sidebar and "DUPONT" not in sidebar
    # and CPAS A, for contrast, finds its own dossier by the same criteria
    login_as(world.user_a)
    mine = page_text(client.post("/dossiers/rechercher", data={"niss": world.people.marie.niss}))
    assert "Résultats (1)" in mine and "DUPONT" in mine


# --------------------------------------------------------------------------- navigation


def test_navigation_shows_dossiers_to_a_cpas_user_with_search_only(
    client, login_as, make_user, world
):
    login_as(make_user(world.cpas_a, functions=["dossiers.search"]))
    home = page_text(client.get("/"))
    assert "Dossiers du CPAS" in home and "Rechercher un dossier" in home
    assert "Nouveau dossier" not in home


def test_navigation_hides_dossiers_from_a_cpas_user_without_search(
    client, login_as, make_user, world
):
    login_as(make_user(world.cpas_a, functions=["household.view"]))
    assert "Dossiers du CPAS" not in page_text(client.get("/"))


def test_navigation_hides_dossiers_from_a_distributor_with_every_function(client, login_as, world):
    login_as(world.user_dist)
    home = client.get("/")
    assert home.status_code == 200
    assert "Dossiers du CPAS" not in page_text(home)
    assert "Rechercher un dossier" not in page_text(home)


def test_member_routes_need_the_member_of_that_dossier(app, client, world, marie_dossier):
    """Sanity for the member cases above: with A's own ids the member routes answer."""
    response = client.post(
        f"/dossiers/{marie_dossier.id}/menage/membres/{marie_dossier.jean_id}/supprimer",
        data={"version": "1"},  # a member just added
    )
    assert response.status_code == 200
    again = add_member_through_screens(client, marie_dossier.id, world.people.jean.id)
    assert again.status_code == 302  # a removed member can be added back
