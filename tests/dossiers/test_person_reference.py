"""The register person page is reached from a search result of the same session only.

« /dossiers/nouveau/personne/<ref> » carries an opaque, short-lived reference that the
session which was shown the search result can resolve; a register id, another session's
reference or an expired one is not found.
"""

from __future__ import annotations

import re
from datetime import timedelta

from cpas.niss import format_niss
from cpas.session_refs import SESSION_KEY
from tests.dossiers.conftest import ADDRESS
from tests.helpers import page_text

DETAILS = re.compile(r'href="(/dossiers/nouveau/personne/[^"]+)"')


def _search_link(client, niss: str) -> str:
    response = client.post(
        "/dossiers/nouveau/recherche", data={"mode": "niss", "niss": format_niss(niss)}
    )
    assert response.status_code == 200
    links = DETAILS.findall(page_text(response))
    assert len(links) == 1, links
    return links[0]


def test_the_link_of_a_search_result_opens_the_person(client, login_as, world):
    login_as(world.user_a)
    link = _search_link(client, world.people.ahmed.niss)
    token = link.rsplit("/", 1)[-1]
    assert not token.isdigit() and len(token) >= 22  # not the register id: opaque
    page = client.get(link)
    assert page.status_code == 200
    assert "MARTIN" in page_text(page) and "Créer le dossier" in page_text(page)
    # the form posts back to the same reference, and the dossier is created
    created = client.post(link, data={"action": "enregistrer", **ADDRESS})
    assert created.status_code == 302 and "/dossiers/" in created.headers["Location"]


def test_phonetic_results_link_each_person(client, login_as, world):
    login_as(world.user_a)
    response = client.post(
        "/dossiers/nouveau/recherche",
        data={"mode": "phonetique", "nom": "Dupond", "naissance": "00/00/1985", "tolerance": "5"},
    )
    links = DETAILS.findall(page_text(response))
    assert links, page_text(response)
    assert all(client.get(link).status_code == 200 for link in links)


def test_another_users_session_cannot_use_the_reference(app, client, login_as, world, make_user):
    login_as(world.user_a)
    link = _search_link(client, world.people.ahmed.niss)
    colleague = app.test_client()  # same CPAS, same function, another session
    login_as(make_user(world.cpas_a, all_access=True), on=colleague)
    assert colleague.get(link).status_code == 404
    assert colleague.post(link, data={"action": "enregistrer", **ADDRESS}).status_code == 404
    other_cpas = app.test_client()
    login_as(world.user_b, on=other_cpas)
    assert other_cpas.get(link).status_code == 404


def test_signing_in_again_ends_the_references(client, login_as, world):
    login_as(world.user_a)
    link = _search_link(client, world.people.ahmed.niss)
    login_as(world.user_a)  # a new session of the same user
    assert client.get(link).status_code == 404


def test_the_register_id_is_not_found(client, login_as, world):
    login_as(world.user_a)
    _search_link(client, world.people.ahmed.niss)  # even after a search that showed it
    for guess in (world.people.ahmed.id, world.people.marie.id, "1", "x" * 22, "../1"):
        assert client.get(f"/dossiers/nouveau/personne/{guess}").status_code == 404, guess


def test_an_expired_reference_is_not_found(app, client, login_as, world):
    login_as(world.user_a)
    link = _search_link(client, world.people.ahmed.niss)
    minutes = app.config["SESSION_REF_MINUTES"]
    with client.session_transaction() as session:
        refs = session[SESSION_KEY]
        for row in refs["r"]:
            row[2] -= int(timedelta(minutes=minutes, seconds=1).total_seconds())
        session[SESSION_KEY] = refs
    assert client.get(link).status_code == 404


def test_a_used_reference_lives_on_while_the_form_is_open(app, client, login_as, world):
    login_as(world.user_a)
    link = _search_link(client, world.people.ahmed.niss)
    minutes = app.config["SESSION_REF_MINUTES"]
    with client.session_transaction() as session:
        refs = session[SESSION_KEY]
        for row in refs["r"]:
            row[2] -= int(timedelta(minutes=minutes - 1).total_seconds())
        session[SESSION_KEY] = refs
    assert client.get(link).status_code == 200  # opened just in time…
    with client.session_transaction() as session:
        refs = session[SESSION_KEY]
        for row in refs["r"]:
            row[2] -= 120  # …and the form posted two minutes later still works
        session[SESSION_KEY] = refs
    assert client.post(link, data={"action": "copier"}).status_code == 200


def test_a_session_keeps_a_bounded_number_of_references(app, client, login_as, world):
    from cpas import session_refs

    login_as(world.user_a)
    with app.app_context(), client.session_transaction() as session:
        tokens = [
            session_refs.issue(session_refs.REGISTER_PERSON, n, store=session)
            for n in range(1, session_refs.MAX_ROWS + 11)
        ]
        assert len(session[SESSION_KEY]["r"]) == session_refs.MAX_ROWS
        assert session_refs.resolve(session_refs.REGISTER_PERSON, tokens[0], store=session) is None
        assert session_refs.resolve(session_refs.REGISTER_PERSON, tokens[-1], store=session) == (
            session_refs.MAX_ROWS + 10
        )


MEMBER_LINK = re.compile(r'href="(/dossiers/\d+/menage/ajouter/[^"]+)"')


def _member_search_link(client, dossier_id: int, niss: str) -> str:
    response = client.post(
        f"/dossiers/{dossier_id}/menage/recherche",
        data={"mode": "niss", "niss": format_niss(niss)},
    )
    assert response.status_code == 200, page_text(response)
    links = MEMBER_LINK.findall(page_text(response))
    assert len(links) == 1, links
    return links[0]


def test_the_household_search_links_the_member_page_by_reference(
    app, client, login_as, world, marie_dossier
):
    link = _member_search_link(client, marie_dossier.id, world.people.lucas.niss)
    token = link.rsplit("/", 1)[-1]
    assert not token.isdigit() and len(token) >= 22
    page = client.get(link)
    assert page.status_code == 200 and "DUPONT" in page_text(page)
    added = client.post(
        link,
        data={
            "action": "enregistrer",
            "relation": "minor_child",
            "relation_start": "01/01/2020",
            **ADDRESS,
        },
    )
    assert added.status_code == 302, page_text(added)
    # the plain register id, or the reference in another session, is not found
    member_page = f"/dossiers/{marie_dossier.id}/menage/ajouter/"
    assert client.get(member_page + str(world.people.lucas.id)).status_code == 404
    colleague = app.test_client()
    login_as(world.user_a, on=colleague)
    assert colleague.get(link).status_code == 404  # a new session of the same user
