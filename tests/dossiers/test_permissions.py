"""Permission matrix of the dossiers and centre blueprints.

The routes come from the app's URL map (every ``dossiers.*`` and ``centre.*`` endpoint and
method); what each needs and what an allowed user gets are written below, literally, from
the function tree of seed 002: a route added without a row, or a rule that drifts from its
row, fails ``test_every_route_has_its_row``. An allowed user gets the real answer (the page,
the fragment or the redirect after the change) for an object of its own CPAS, never a 404;
another CPAS gets a 404 for every object id; every other function, a distributor holding
every function and an anonymous visitor are refused.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from cpas.access.functions import ALL_FUNCTION_CODES, complete_dependencies
from cpas.access.models import Organisation
from cpas.audit import CROSS_ORG
from cpas.centre import services as centre_services
from cpas.centre.models import SocialWorker
from cpas.dossiers.models import Dossier, HouseholdMember
from cpas.extensions import db
from tests.audit_helpers import entries_since, last_entry_id
from tests.centre.test_centre import PROFILE, png_bytes
from tests.dossiers.conftest import ADDRESS, add_member_through_screens
from tests.helpers import member_add_url, page_text, register_person_url
from tests.route_matrix import SIGNED_IN, collect_routes, declared_rule, routes_of

PREFIXES = ("dossiers.", "centre.")
ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
ID_ARGUMENTS = ("dossier_id", "member_id", "worker_id", "hour_id", "phone_id")

Data = Callable[[dict[str, Any]], dict[str, Any] | None]


class Row(NamedTuple):
    """What a route needs, and what a user holding exactly that gets (with ``data``)."""

    needs: str
    status: int
    data: Data = lambda o: None  # noqa: E731
    #: the path the redirect leads to (``{name}`` filled from the objects)
    location: str | None = None


def _references(o: dict[str, Any]) -> dict[str, Any]:
    return {
        "dossier_number": "D-7",
        "opened_on": "02/01/2024",
        "social_worker_id": "0",
        "version": o["dossier_version"],
    }


def _worker(o: dict[str, Any]) -> dict[str, Any]:
    return {"last_name": "Lambert", "first_name": "Sophie", "version": o["worker_version"]}


HOUR = {
    "perm-weekday": "3",
    "perm-start_time": "09:00",
    "perm-end_time": "12:00",
    "perm-place": "Antenne Nord",
}

# fmt: off
EXPECTED: dict[tuple[str, str], Row] = {
    # --- dossiers: index, search, new dossier, BIS number
    ("dossiers.index", "GET"): Row("dossiers.search", 200),
    ("dossiers.search", "GET"): Row("dossiers.search", 200),
    ("dossiers.search", "POST"): Row("dossiers.search", 200, lambda o: {"nom": "dupont"}),
    ("dossiers.new", "GET"): Row("dossiers.create", 200),
    ("dossiers.register_search", "POST"): Row(
        "dossiers.create", 200, lambda o: {"mode": "niss", "niss": o["ahmed_niss"]}),
    ("dossiers.person", "GET"): Row("dossiers.create", 200),
    ("dossiers.person", "POST"): Row(
        "dossiers.create", 302, lambda o: {"action": "enregistrer", **ADDRESS},
        "/dossiers/{new_dossier}"),
    ("dossiers.bis", "GET"): Row("dossiers.bis", 200),
    ("dossiers.bis", "POST"): Row("dossiers.bis", 302, lambda o: {
        "nom": "Inconnu", "prenom": "Jan", "sexe": "M", "naissance": "14/03/1980",
        "lieu_naissance": "Gand"}, "/dossiers/nouveau/personne/{any}"),
    # --- dossiers: main page
    ("dossiers.detail", "GET"): Row("dossiers.view", 200),
    ("dossiers.references", "GET"): Row("dossiers.view", 200),
    ("dossiers.edit_references", "GET"): Row("dossiers.edit", 200),
    ("dossiers.edit_references", "POST"): Row("dossiers.edit", 200, _references),
    ("dossiers.archive", "POST"): Row("dossiers.archive", 302, location="/dossiers/{dossier_id}"),
    ("dossiers.unarchive", "POST"): Row(
        "dossiers.archive", 302, location="/dossiers/{dossier_id}"),
    # --- dossiers: household
    ("dossiers.household", "GET"): Row("household.view", 200),
    ("dossiers.household_refresh", "POST"): Row(
        "household.edit", 302, location="/dossiers/{dossier_id}/menage"),
    ("dossiers.member_new", "GET"): Row("household.edit", 200),
    ("dossiers.member_search", "POST"): Row(
        "household.edit", 200, lambda o: {"mode": "niss", "niss": o["lucas_niss"]}),
    ("dossiers.member_add", "GET"): Row("household.edit", 200),
    ("dossiers.member_add", "POST"): Row("household.edit", 302, lambda o: {
        "action": "enregistrer", "relation": "minor_child", "relation_start": "01/01/2020",
        **ADDRESS}, "/dossiers/{dossier_id}/menage"),
    ("dossiers.member_remove", "POST"): Row(
        "household.edit", 200, lambda o: {"version": o["member_version"]}),
    ("dossiers.member_restore", "POST"): Row(
        "household.edit", 200, lambda o: {"version": o["member_version"]}),
    ("dossiers.members_refresh", "POST"): Row(
        "household.edit", 200, lambda o: {"membres": str(o["member_id"])}),
    # --- dossiers: BCSS integrations
    ("dossiers.integrations", "GET"): Row("integrations.view", 200),
    ("dossiers.integrate", "POST"): Row("integrations.edit", 200, lambda o: {
        "int-members": str(o["member_id"]), "int-code": "001", "int-start": "01/01/2025"}),
    ("dossiers.deintegrate", "POST"): Row("integrations.edit", 200, lambda o: {
        "des-members": str(o["member_id"]), "des-start": "01/01/2025",
        "des-end": "31/01/2025"}),
    ("dossiers.consult", "POST"): Row("integrations.view", 200, lambda o: {
        "con-member": str(o["member_id"]), "con-start": "01/01/2025"}),
    # --- centre: fiche signalétique, numbers, logo
    ("centre.profile", "GET"): Row("centre.view", 200),
    ("centre.profile_save", "POST"): Row(
        "centre.edit", 302, lambda o: {**PROFILE, "version": o["profile_version"]},
        "/centre/fiche"),
    ("centre.phone_add", "POST"): Row("centre.edit", 302, lambda o: {
        "tel-kind": "fax", "tel-number": "04 220 00 02"}, "/centre/fiche"),
    ("centre.phone_remove", "POST"): Row("centre.edit", 302, location="/centre/fiche"),
    ("centre.logo", "GET"): Row(SIGNED_IN, 200),
    ("centre.logo_upload", "POST"): Row(
        "centre.edit", 302, lambda o: {"logo": (io.BytesIO(png_bytes()), "logo.png")},
        "/centre/fiche"),
    ("centre.logo_remove", "POST"): Row("centre.edit", 302, location="/centre/fiche"),
    # --- centre: social workers and their office hours
    ("centre.workers", "GET"): Row("centre.view", 200),
    ("centre.worker_new", "GET"): Row("centre.workers", 200),
    ("centre.worker_new", "POST"): Row("centre.workers", 302, lambda o: {
        "last_name": "Lambert", "first_name": "Sophie"}, "/centre/assistants/{any}"),
    ("centre.worker", "GET"): Row("centre.view", 200),
    ("centre.worker_save", "POST"): Row(
        "centre.workers", 302, _worker, "/centre/assistants/{worker_id}"),
    ("centre.hour_add", "POST"): Row(
        "centre.workers", 302, lambda o: HOUR, "/centre/assistants/{worker_id}"),
    ("centre.hour_remove", "POST"): Row(
        "centre.workers", 302, location="/centre/assistants/{worker_id}"),
    ("centre.worker_archive", "POST"): Row(
        "centre.workers", 302, location="/centre/assistants"),
    ("centre.worker_reactivate", "POST"): Row(
        "centre.workers", 302, location="/centre/assistants"),
}
# fmt: on


ROUTES = collect_routes(PREFIXES)
CASES = [
    pytest.param(endpoint, rule, method, id=f"{method} {endpoint}")
    for endpoint, rule, method in ROUTES
    if (endpoint, method) in EXPECTED  # a route without a row fails the test below
]
FUNCTION_CASES = [c for c in CASES if EXPECTED[c.values[0], c.values[2]].needs != SIGNED_IN]
SCOPED_CASES = [c for c in CASES if any(f"{a}>" in c.values[1] for a in ID_ARGUMENTS)]


@pytest.fixture
def objects(app, world, marie_dossier):
    """CPAS A's objects: Marie's dossier with Jean, a worker with an office hour, a number,
    the fiche with a logo; their versions as the forms carry them."""
    with app.app_context():
        org = db.session.get(Organisation, world.cpas_a.id)
        by = world.user_a
        worker = centre_services.create_worker(
            org, {"last_name": "Dubois", "first_name": "Léa"}, by
        )
        hour = centre_services.add_office_hour(
            worker,
            {"weekday": 0, "start_time": _time(9), "end_time": _time(12), "place": "Siège"},
            by,
        )
        phone = centre_services.add_phone(org, "telephone", "04 220 00 01", None, by)
        centre_services.save_profile(org, PROFILE, by, version=0)
        centre_services.save_logo(org, png_bytes(), "image/png", by)
        profile = org_profile(org.id)
        return {
            "dossier_id": marie_dossier.id,
            "member_id": marie_dossier.jean_id,
            "worker_id": worker.id,
            "hour_id": hour.id,
            "phone_id": phone.id,
            "dossier_version": str(db.session.get(Dossier, marie_dossier.id).version),
            "member_version": str(db.session.get(HouseholdMember, marie_dossier.jean_id).version),
            "worker_version": str(db.session.get(SocialWorker, worker.id).version),
            "profile_version": str(profile.version),
            "ahmed_niss": world.people.ahmed.niss,
            "lucas_niss": world.people.lucas.niss,
            "ahmed_ref": world.people.ahmed.id,
            "lucas_ref": world.people.lucas.id,
        }


def _time(hour: int):
    from datetime import time

    return time(hour)


def org_profile(org_id: int):
    from cpas.centre.queries import profile_of

    profile = profile_of(org_id)
    assert profile is not None
    return profile


def _url(client, endpoint: str, rule: str, objects: dict[str, Any]) -> str:
    """The route's URL for CPAS A's objects; a register person through this session's ref."""
    if endpoint == "dossiers.person":
        return register_person_url(client, objects["ahmed_ref"])
    if endpoint == "dossiers.member_add":
        return member_add_url(client, objects["dossier_id"], objects["lucas_ref"])
    return ARGUMENT.sub(lambda m: str(objects[m.group(1)]), rule)


#: Ids for the tests refused before any object is loaded (kinds, sign-in).
ANY_IDS: dict[str, Any] = {
    **{name: 1 for name in ID_ARGUMENTS},
    "ahmed_ref": 1,
    "lucas_ref": 1,
    "dossier_version": "1",
    "member_version": "1",
    "worker_version": "1",
    "profile_version": "0",
    "ahmed_niss": "",
    "lucas_niss": "",
}


def _login_with(login_as, make_user, world, needs: str):
    if needs == SIGNED_IN:
        return login_as(make_user(world.cpas_a, functions=["dossiers.search"]))
    granted, _added = complete_dependencies(set(needs.split()))
    return login_as(make_user(world.cpas_a, functions=sorted(granted)))


# --------------------------------------------------------------------------- the table itself


def test_every_route_has_its_row(app):
    """The live URL map is the collected one, each route has a row, each row a route, and
    each view declares the rule of its row."""
    assert routes_of(app, PREFIXES) == ROUTES
    live = {(endpoint, method) for endpoint, _rule, method in ROUTES}
    assert live == set(EXPECTED), (
        f"routes without a row: {sorted(live - set(EXPECTED))}; "
        f"rows without a route: {sorted(set(EXPECTED) - live)}"
    )
    for (endpoint, _method), row in EXPECTED.items():
        assert declared_rule(app, endpoint) == row.needs, endpoint
        assert row.needs == SIGNED_IN or set(row.needs.split()) <= ALL_FUNCTION_CODES


# --------------------------------------------------------------------------- allowed


@pytest.mark.parametrize("endpoint,rule,method", CASES)
def test_exactly_the_route_s_function_gives_the_real_answer(
    app, client, login_as, make_user, world, objects, endpoint, rule, method
):
    row = EXPECTED[endpoint, method]
    _login_with(login_as, make_user, world, row.needs)
    url = _url(client, endpoint, rule, objects)
    response = client.open(url, method=method, data=row.data(objects))
    assert response.status_code == row.status, (method, url, page_text(response)[:400])
    if row.location is not None:
        with app.app_context():
            new = db.session.scalar(
                select(Dossier.id).where(
                    Dossier.organisation_id == world.cpas_a.id,
                    Dossier.id != objects["dossier_id"],
                )
            )
        expected = row.location.format(**objects, new_dossier=new, any="")
        path = urlsplit(response.headers["Location"]).path
        if row.location.endswith("{any}"):
            assert path.startswith(expected) and len(path) > len(expected), path
        else:
            assert path == expected, path


# --------------------------------------------------------------------------- refused


@pytest.mark.parametrize("endpoint,rule,method", FUNCTION_CASES)
def test_every_function_but_the_route_s_is_refused(
    client, login_as, make_user, world, objects, endpoint, rule, method
):
    needs = set(EXPECTED[endpoint, method].needs.split())
    login_as(make_user(world.cpas_a, functions=sorted(ALL_FUNCTION_CODES - needs)))
    response = client.open(_url(client, endpoint, rule, objects), method=method)
    assert response.status_code == 403, (method, rule, response.status_code)


@pytest.mark.parametrize("endpoint,rule,method", CASES)
def test_distributor_with_every_function_is_refused(
    client, login_as, world, endpoint, rule, method
):
    login_as(world.user_dist)
    response = client.open(
        _url(client, endpoint, rule, ANY_IDS),
        method=method,
        data=EXPECTED[endpoint, method].data(ANY_IDS),
    )
    assert response.status_code == 403, (method, rule, response.status_code)


@pytest.mark.parametrize("endpoint,rule,method", CASES)
def test_anonymous_is_sent_to_the_login_page(app, client, endpoint, rule, method):
    response = client.open(_url(client, endpoint, rule, ANY_IDS), method=method)
    assert response.status_code == 302, (method, rule, response.status_code)
    assert urlsplit(response.headers["Location"]).path == "/connexion"


# --------------------------------------------------------------------------- isolation


@pytest.mark.parametrize("endpoint,rule,method", SCOPED_CASES)
def test_another_cpas_gets_404_on_every_object(
    client, login_as, world, objects, endpoint, rule, method
):
    """CPAS B, with every function, on CPAS A's ids (with the data that works for A)."""
    login_as(world.user_b)
    url = _url(client, endpoint, rule, objects)
    response = client.open(url, method=method, data=EXPECTED[endpoint, method].data(objects))
    assert response.status_code == 404, (method, url, response.status_code)


@pytest.mark.parametrize(
    "endpoint,rule,method", [c for c in SCOPED_CASES if "<int:member_id>" in c.values[1]]
)
def test_another_cpas_s_member_through_its_own_dossier_is_404(
    client, login_as, world, objects, create_dossier, endpoint, rule, method
):
    """CPAS B's own dossier id with CPAS A's member id: the member is not found."""
    own = create_dossier(world.people.ahmed.id, user=world.user_b)
    url = _url(client, endpoint, rule, {**objects, "dossier_id": own})
    mark = last_entry_id(client.application)
    response = client.open(url, method=method, data=EXPECTED[endpoint, method].data(objects))
    assert response.status_code == 404, (method, rule, response.status_code)
    assert _refusals(client.application, mark) == [("HouseholdMember", str(objects["member_id"]))]


def _refusals(app, mark: int) -> list[tuple[str | None, str | None]]:
    """The cross-organisation refusals logged since ``mark``: (object type, id)."""
    return [(e.object_type, e.object_id) for e in entries_since(app, mark, CROSS_ORG)]


def test_a_member_of_another_dossier_of_the_same_cpas_is_404(
    client, login_as, world, objects, create_dossier
):
    """CPAS A's other dossier with Jean's member id (of Marie's dossier): not found, and
    Jean stays in Marie's household."""
    other = create_dossier(world.people.ahmed.id)
    mark = last_entry_id(client.application)
    for action in ("supprimer", "restaurer"):
        response = client.post(
            f"/dossiers/{other}/menage/membres/{objects['member_id']}/{action}",
            data={"version": objects["member_version"]},
        )
        assert response.status_code == 404, action
    assert _refusals(client.application, mark) == []  # our own CPAS's record: a plain 404
    household = page_text(client.get(f"/dossiers/{objects['dossier_id']}/menage"))
    assert "LEFEBVRE" in household and "retiré(e)" not in household


def test_an_office_hour_of_another_worker_of_the_same_cpas_is_404(
    app, client, login_as, world, objects
):
    with app.app_context():
        org = db.session.get(Organisation, world.cpas_a.id)
        other = centre_services.create_worker(
            org, {"last_name": "C", "first_name": "C"}, world.user_a
        )
        other_id = other.id
    login_as(world.user_a)
    response = client.post(
        f"/centre/assistants/{other_id}/permanences/{objects['hour_id']}/supprimer"
    )
    assert response.status_code == 404
    assert "Siège" in page_text(client.get(f"/centre/assistants/{objects['worker_id']}"))


def test_another_cpas_s_office_hour_through_its_own_worker_is_404(
    app, client, login_as, world, objects
):
    """CPAS B's own worker id with CPAS A's office hour id: the hour is not found, and A's
    hour is still there."""
    with app.app_context():
        org_b = db.session.get(Organisation, world.cpas_b.id)
        own = centre_services.create_worker(
            org_b, {"last_name": "B", "first_name": "B"}, world.user_b
        )
        own_id = own.id
    login_as(world.user_b)
    mark = last_entry_id(app)
    response = client.post(
        f"/centre/assistants/{own_id}/permanences/{objects['hour_id']}/supprimer"
    )
    assert response.status_code == 404
    assert _refusals(app, mark) == [("OfficeHour", str(objects["hour_id"]))]
    login_as(world.user_a)
    assert "Siège" in page_text(client.get(f"/centre/assistants/{objects['worker_id']}"))


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


def test_navigation_shows_the_centre_to_a_cpas_user_with_centre_view(
    client, login_as, make_user, world
):
    login_as(make_user(world.cpas_a, functions=["centre.view"]))
    home = page_text(client.get("/"))
    assert "Fiche signalétique" in home and "Assistants sociaux" in home
    login_as(world.user_dist)  # every function, but not a CPAS
    home = page_text(client.get("/"))
    assert "Fiche signalétique" not in home and "Assistants sociaux" not in home
