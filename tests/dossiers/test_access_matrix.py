"""Who may do what on the centre and dossier screens, and one CPAS never sees another's.

The route list is read from the app's URL map, so a new route is covered automatically."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select

from cpas.access.functions import ALL_FUNCTION_CODES, complete_dependencies
from cpas.centre.models import CentrePhone, OfficeHour, SocialWorker
from cpas.dossiers.models import HouseholdMember
from cpas.extensions import db
from cpas.security import access_rule
from tests.dossiers.conftest import ADDRESS
from tests.helpers import page_text, register_person_url

PREFIXES = ("dossiers.", "centre.")


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(PREFIXES):
            kind, codes = access_rule(app.view_functions[rule.endpoint])
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method, kind, codes or ()


@pytest.fixture
def objects(app, world, create_dossier):
    """A dossier with two members, a worker with an office hour, and a number — all CPAS A."""
    dossier_id = create_dossier(world.people.marie.id)
    with app.app_context():
        worker = SocialWorker(
            organisation_id=world.cpas_a.id,
            last_name="Lambert",
            first_name="Sophie",
            office_hours=[OfficeHour(weekday=0, start_time=time(9), end_time=time(12), place="S")],
        )
        phone = CentrePhone(organisation_id=world.cpas_a.id, kind="fax", number="04 220 00 01")
        db.session.add_all([worker, phone])
        db.session.commit()
        member_id = db.session.scalar(select(HouseholdMember.id))
        ids = {
            "dossier_id": dossier_id,
            "member_id": member_id,
            "worker_id": worker.id,
            "hour_id": worker.office_hours[0].id,
            "phone_id": phone.id,
            "ref": world.people.jean.id,
        }
    return ids


def _url(rule, ids) -> str:
    return rule.build(ids, append_unknown=False)[1]


def test_matrix_covers_the_routes(app):
    rules = {rule.endpoint for rule, *_ in _routes(app)}
    assert len(rules) >= 35
    assert {"dossiers.integrate", "dossiers.member_add", "centre.logo_upload"} <= rules


def test_without_the_function_403_with_it_not_403(app, client, login_as, world, objects, make_user):
    checked = 0
    for rule, method, kind, codes in _routes(app):
        if kind != "function":
            continue
        url = _url(rule, objects)
        lacking = make_user(world.cpas_a, functions=sorted(ALL_FUNCTION_CODES - set(codes)))
        login_as(lacking)
        assert client.open(url, method=method).status_code == 403, (method, url)
        holder = make_user(world.cpas_a, functions=sorted(complete_dependencies(set(codes))[0]))
        login_as(holder)
        status = client.open(url, method=method).status_code
        assert status != 403 and status < 500, (method, url, status)
        checked += 1
    assert checked >= 35


def test_distributor_with_every_function_is_refused(app, client, login_as, world, objects):
    login_as(world.user_dist)
    for rule, method, kind, _codes in _routes(app):
        if kind == "function":
            url = _url(rule, objects)
            assert client.open(url, method=method).status_code == 403, (method, url)


def test_another_cpas_gets_404_on_every_object(app, client, login_as, world, objects):
    login_as(world.user_b)
    checked = 0
    for rule, method, _kind, _codes in _routes(app):
        if not set(rule.arguments) & {"dossier_id", "worker_id", "phone_id"}:
            continue
        url = _url(rule, objects)
        assert client.open(url, method=method).status_code == 404, (method, url)
        checked += 1
    assert checked >= 20


def test_another_cpas_never_sees_the_dossier_in_lists(app, client, login_as, world, objects):
    login_as(world.user_b)
    assert "DUPONT" not in page_text(client.get("/dossiers/?lettre=D"))
    by_name = client.post("/dossiers/rechercher", data={"nom": "dupont"})
    assert "DUPONT" not in page_text(by_name) and "Résultats (0)" in page_text(by_name)
    by_niss = client.post("/dossiers/rechercher", data={"niss": world.people.marie.niss})
    assert "Résultats (0)" in page_text(by_niss)
    assert "Lambert" not in page_text(client.get("/centre/assistants"))
    assert "04 220 00 01" not in page_text(client.get("/centre/fiche"))
    # creating a dossier for the same person is CPAS B's own dossier, not A's
    created = client.post(
        register_person_url(client, world.people.marie.id),
        data={"action": "enregistrer", **ADDRESS},
    )
    assert created.headers["Location"].split("/")[-1] != str(objects["dossier_id"])


def test_navigation_shows_dossiers_to_cpas_only(client, login_as, world, make_user):
    login_as(make_user(world.cpas_a, functions=["dossiers.search"]))
    home = page_text(client.get("/"))
    assert "Dossiers du CPAS" in home and "Nouveau dossier" not in home
    login_as(world.user_dist)
    home = page_text(client.get("/"))
    assert "Dossiers du CPAS" not in home and "Fiche signalétique" not in home
