"""« Identification » of a member's inquiry (seed 001 §9.2, issue 15 items 1–2): the member's
layout (header, tabs by relation), the register's data and information types (local
adapter, « Tout déplier » / « Tout replier »), the effective address (copy, save, refused
while frozen, stale version), « Mettre à jour les données légales », the « registre
d'inscription » by hand, the link behind a member's name, the audit with the member's NISS,
the event « Enrichissement de la demande », another CPAS's 404, and Dutch."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, select

from cpas.dossiers.models import HouseholdMember
from cpas.extensions import db
from cpas.registry.models import RegisterPerson
from tests.audit_helpers import entries_since, last_entry_id
from tests.helpers import page_text

NEW_ADDRESS = {
    "street": "Rue Saint-Gilles",
    "house_number": "200",
    "box": "3",
    "postal_code": "4000",
    "locality": "Liège",
}
FROZEN = "La demande a été soumise au Conseil : l'enquête sociale est figée."
TI_CODES = ["001", "010", "031", "100", "120", "140", "141", "210"]


def plain(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split())


def tabs(response: Any) -> list[str]:
    found = re.search(
        r'<nav class="tabs"[^>]*id="member-tabs">(.*?)</nav>', page_text(response), re.S
    )
    assert found, "no member tabs"
    return [
        " ".join(re.sub(r"<[^>]+>", " ", a).split())
        for a in re.findall(r"<a [^>]*>(.*?)</a>", found.group(1), re.S)
    ]


def member_row(app, member_id: int) -> dict[str, Any]:
    with app.app_context():
        row = db.session.get(HouseholdMember, member_id)
        assert row is not None
        return {c.key: getattr(row, c.key) for c in HouseholdMember.__table__.columns}


@pytest.fixture
def w(inquiry_world, login_as):
    login_as(inquiry_world.social_a)
    return inquiry_world


# ------------------------------------------------------------------ layout


@pytest.mark.parametrize(
    ("relation", "expected"),
    [
        ("beneficiary", ["Identification", "Information", "Ressources", "Dépenses"]),
        ("partner", ["Identification", "Information", "Ressources", "Dépenses"]),
        ("minor_child", ["Identification", "Dépenses"]),
        ("first_degree", ["Identification", "Ressources", "Dépenses"]),
        ("cohabitant", ["Identification", "Ressources", "Dépenses"]),
    ],
)
def test_each_relation_has_its_tabs_and_the_member_header(
    client, w, inquiry_urls, relation, expected
):
    member = w.dossier.members[relation]
    response = client.get(inquiry_urls.member(w.dossier, w.request, member))
    assert response.status_code == 200
    assert tabs(response) == expected
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', page_text(response))
    assert inquiry_urls.member(w.dossier, w.request, member) in current
    text = plain(response)
    assert f"Enquête sociale — demande n° {w.request.number}" in text
    niss = member.niss
    assert f"{niss[:2]}.{niss[2:4]}.{niss[4:6]}-{niss[6:9]}.{niss[9:]}" in text
    # the request's menu stays on the left
    assert 'id="aid-menu"' in page_text(response)


def test_a_user_sees_only_the_tabs_of_their_functions(
    client, login_as, inquiry_world, inquiry_urls
):
    w = inquiry_world
    login_as(w.info_viewer_a)
    response = client.get(inquiry_urls.member(w.dossier, w.request, w.dossier.main))
    assert response.status_code == 200
    assert tabs(response) == ["Identification", "Information"]
    text = page_text(response)
    # read-only: no address form, no legal refresh
    assert 'id="address-form"' not in text
    assert "Mettre à jour les données légales" not in text
    assert "Rue de la Station 12, 4000 Liège" in plain(response)


def test_a_removed_member_has_no_inquiry(app, client, w, inquiry_urls):
    from cpas.timeutil import utcnow

    member = w.dossier.members["cohabitant"]
    with app.app_context():
        row = db.session.get(HouseholdMember, member.id)
        assert row is not None
        row.removed_at = utcnow()
        db.session.commit()
    assert client.get(inquiry_urls.member(w.dossier, w.request, member)).status_code == 404


# ------------------------------------------------------------------ register data and TI


def test_the_register_data_legal_and_effective_address(client, w, inquiry_urls):
    response = client.get(inquiry_urls.member(w.dossier, w.request, w.dossier.members["partner"]))
    text = plain(response)
    for expected in (
        "LEFEBVRE",
        "Jean",
        "Masculin",
        "02/07/1983",
        "Célibataire",
        "Belge",
        "Liège",
        "Registre de la population",
        "registre local (personnes fictives)",
        "Rue de la Station 12, 4000 Liège",
    ):
        assert expected in text, expected
    assert 'value="Rue de la Station"' in page_text(response)


def test_the_local_register_gives_the_information_types(app, inquiry_world):
    from cpas.registry.adapters import get_register

    w = inquiry_world
    with app.test_request_context():
        types = get_register().information_types(w.people.marie.niss)
        assert [t.code for t in types] == TI_CODES
        by_code = {t.code: t for t in types}
        assert str(by_code["001"].label) == "Commune de résidence"
        assert by_code["001"].lines[0] == "Commune : 4000 Liège"
        assert by_code["010"].lines == ("Nom : DUPONT", "Prénom(s) : Marie")
        assert by_code["031"].lines == ("Nationalité : Belge",)
        assert by_code["120"].lines == ("État civil : Célibataire",)
        assert by_code["210"].lines == ("Registre : Registre de la population",)
        household = {p.niss for p in (w.people.marie, w.people.jean, w.people.lucas,
                                      w.people.anne, w.people.luc)}  # fmt: skip
        assert set(by_code["140"].people) == household
        assert len(by_code["140"].lines) == 5
        assert "Chef de ménage" in by_code["140"].lines[0]
        assert by_code["141"].people == (w.people.marie.niss,)
        assert "DUPONT Marie" in by_code["141"].lines[0]
        # Sofie lives alone: her household is herself
        alone = {t.code: t for t in get_register().information_types(w.people.sofie.niss)}
        assert alone["140"].people == (w.people.sofie.niss,)
        assert get_register().information_types("00000000000") == []


def test_ti_details_closed_opened_and_closed_again(client, w, inquiry_urls):
    url = inquiry_urls.member(w.dossier, w.request, w.dossier.main)
    for query, opened in (
        ("", False),
        ("?ti=ouverts", True),
        ("?ti=fermes", False),
        ("?ti=x", False),
    ):
        text = page_text(client.get(url + query))
        details = re.findall(r'<details class="card" id="ti-(\d+)"( open)?>', text)
        assert [code for code, _ in details] == TI_CODES
        assert all(bool(flag) == opened for _, flag in details), query
    text = page_text(client.get(url))
    assert f'href="{url}?ti=ouverts#information-types"' in text
    assert "Tout déplier" in text and "Tout replier" in text


def test_the_view_is_audited_with_the_member_and_each_person_shown(app, client, w, inquiry_urls):
    partner = w.dossier.members["partner"]
    mark = last_entry_id(app)
    assert client.get(inquiry_urls.member(w.dossier, w.request, partner)).status_code == 200
    entries = entries_since(app, mark, "inquiry.view")
    shown = {e.niss for e in entries}
    assert partner.niss in shown
    # TI 140 shows the household: each person is a consultation
    assert shown == {p.niss for p in w.dossier.members.values()}
    assert all(e.object_id == str(w.request.id) for e in entries)
    assert all(e.user_id == w.social_a.id for e in entries)


# ------------------------------------------------------------------ effective address


def address_url(inquiry_urls, w, member) -> str:
    return inquiry_urls.member(w.dossier, w.request, member, "adresse")


def test_save_the_effective_address(app, client, w, inquiry_urls, events):
    member = w.dossier.members["partner"]
    before = member_row(app, member.id)
    mark = last_entry_id(app)
    response = client.post(
        address_url(inquiry_urls, w, member),
        data={"action": "enregistrer", "version": before["version"], **NEW_ADDRESS},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(inquiry_urls.member(w.dossier, w.request, member))
    after = member_row(app, member.id)
    assert (after["street"], after["house_number"], after["box"]) == (
        "Rue Saint-Gilles",
        "200",
        "3",
    )
    assert after["legal_street"] == before["legal_street"]
    assert events(w.request)[-1] == "modify"  # « Enrichissement de la demande »
    actions = [(e.action, e.niss) for e in entries_since(app, mark)]
    assert ("inquiry.address", member.niss) in actions
    assert ("household.update_address", member.niss) in actions
    page = plain(client.get(inquiry_urls.member(w.dossier, w.request, member)))
    assert "L'adresse de résidence effective a été enregistrée." in page


def test_copy_the_legal_address_fills_the_form_without_saving(app, client, w, inquiry_urls, events):
    member = w.dossier.members["partner"]
    version = member_row(app, member.id)["version"]
    client.post(
        address_url(inquiry_urls, w, member),
        data={"action": "enregistrer", "version": version, **NEW_ADDRESS},
    )
    before = member_row(app, member.id)
    count = len(events(w.request))
    response = client.post(
        address_url(inquiry_urls, w, member),
        data={"action": "copier", "version": before["version"], **NEW_ADDRESS},
    )
    assert response.status_code == 200
    text = page_text(response)
    assert 'value="Rue de la Station"' in text and 'value="12"' in text
    assert 'value="Rue Saint-Gilles"' not in text
    assert member_row(app, member.id) == before
    assert len(events(w.request)) == count


def test_a_bad_address_is_refused_next_to_the_field_with_the_values_kept(
    app, client, w, inquiry_urls, events
):
    member = w.dossier.main
    before = member_row(app, member.id)
    count = len(events(w.request))
    response = client.post(
        address_url(inquiry_urls, w, member),
        data={
            "action": "enregistrer",
            "version": before["version"],
            **NEW_ADDRESS,
            "postal_code": "12",
        },
    )
    assert response.status_code == 422
    text = page_text(response)
    assert re.search(r'id="postal_code-msg">Code postal belge : 4 chiffres', text)
    assert 'value="Rue Saint-Gilles"' in text
    assert member_row(app, member.id) == before
    assert len(events(w.request)) == count


def test_a_stale_address_form_is_a_conflict(app, client, w, inquiry_urls):
    member = w.dossier.main
    before = member_row(app, member.id)
    response = client.post(
        address_url(inquiry_urls, w, member),
        data={"action": "enregistrer", "version": before["version"] + 5, **NEW_ADDRESS},
    )
    assert response.status_code == 409
    assert "a été modifié" in plain(response)
    assert 'value="Rue Saint-Gilles"' in page_text(response)
    assert member_row(app, member.id) == before


# ------------------------------------------------------------------ legal data, registre


def test_refresh_the_legal_data_from_the_register(app, client, w, inquiry_urls, events):
    member = w.dossier.members["partner"]
    with app.app_context():
        person = db.session.scalar(select(RegisterPerson).where(RegisterPerson.niss == member.niss))
        assert person is not None
        person.civil_state = "Marié(e)"
        person.street = "Rue Neuve"
        db.session.commit()
    mark = last_entry_id(app)
    response = client.post(inquiry_urls.member(w.dossier, w.request, member, "donnees-legales"))
    assert response.status_code == 302
    after = member_row(app, member.id)
    assert (after["civil_state"], after["legal_street"]) == ("Marié(e)", "Rue Neuve")
    assert after["street"] == "Rue de la Station"  # the effective address is the CPAS's
    assert events(w.request)[-1] == "modify"
    assert ("inquiry.legal_refresh", member.niss) in [
        (e.action, e.niss) for e in entries_since(app, mark)
    ]


def test_the_registre_is_completed_by_hand_when_the_register_gives_none(
    app, client, w, inquiry_urls, inquiry_row, events
):
    member = w.dossier.main
    url = inquiry_urls.member(w.dossier, w.request, member)
    assert 'id="registre-form"' not in page_text(client.get(url))
    with app.app_context():
        row = db.session.get(HouseholdMember, member.id)
        assert row is not None
        row.registre = None
        db.session.commit()
    page = page_text(client.get(url))
    assert 'id="registre-form"' in page and "Non communiqué par le registre" in page
    bad = client.post(
        url + "/registre", data={"registre_manual": "Registre lunaire", "version": "0"}
    )
    assert bad.status_code == 422
    assert inquiry_row(w.request, member) is None
    mark = last_entry_id(app)
    response = client.post(
        url + "/registre", data={"registre_manual": "Registre des étrangers", "version": "0"}
    )
    assert response.status_code == 302
    saved = inquiry_row(w.request, member)
    assert saved is not None and saved.registre_manual == "Registre des étrangers"
    assert events(w.request)[-1] == "modify"
    assert ("inquiry.registre", member.niss) in [
        (e.action, e.niss) for e in entries_since(app, mark)
    ]
    assert "complété à la main" in plain(client.get(url))
    # the form was drawn before: version 0 is stale now
    stale = client.post(
        url + "/registre", data={"registre_manual": "Registre d'attente", "version": "0"}
    )
    assert stale.status_code == 409
    assert inquiry_row(w.request, member).registre_manual == "Registre des étrangers"


def test_the_registre_given_by_the_register_is_not_overwritten(
    client, w, inquiry_urls, inquiry_row
):
    member = w.dossier.members["partner"]
    url = inquiry_urls.member(w.dossier, w.request, member, "registre")
    response = client.post(url, data={"registre_manual": "Registre des étrangers", "version": "0"})
    assert response.status_code == 422
    assert "il ne se complète pas à la main" in plain(response)
    assert inquiry_row(w.request, member) is None


# ------------------------------------------------------------------ freeze


def test_every_post_is_refused_while_submitted_and_works_after_complete(
    app, client, w, inquiry_urls, inquiry_row, events, submit, complete
):
    member = w.dossier.main
    with app.app_context():
        row = db.session.get(HouseholdMember, member.id)
        assert row is not None
        row.registre = None
        db.session.commit()
    submit(w.request, w.social_a)
    before = member_row(app, member.id)
    count = len(events(w.request))
    base = inquiry_urls.member(w.dossier, w.request, member)
    posts = {
        "adresse": {"action": "enregistrer", "version": before["version"], **NEW_ADDRESS},
        "adresse#copy": {"action": "copier", "version": before["version"]},
        "donnees-legales": {},
        "registre": {"registre_manual": "Registre des étrangers", "version": "0"},
    }
    for tail, data in posts.items():
        response = client.post(f"{base}/{tail.split('#')[0]}", data=data)
        assert response.status_code in (409, 422), tail
        assert FROZEN in plain(response), tail
    assert member_row(app, member.id) == before
    assert inquiry_row(w.request, member) is None
    assert len(events(w.request)) == count
    page = page_text(client.get(base))
    assert FROZEN in " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert 'id="address-form"' not in page and 'id="registre-form"' not in page
    assert "Mettre à jour les données légales" not in page

    complete(w.request, w.social_a)
    version = member_row(app, member.id)["version"]
    response = client.post(
        f"{base}/adresse", data={"action": "enregistrer", "version": version, **NEW_ADDRESS}
    )
    assert response.status_code == 302
    assert member_row(app, member.id)["street"] == "Rue Saint-Gilles"
    response = client.post(
        f"{base}/registre", data={"registre_manual": "Registre d'attente", "version": "0"}
    )
    assert response.status_code == 302
    assert client.post(f"{base}/donnees-legales").status_code == 302


# ------------------------------------------------------------------ the member link


def _link(app, user: Any, dossier_id: int, member_id: int, queries: list | None = None):
    from flask_login import login_user

    from cpas.access.models import User
    from cpas.dossiers import panels
    from cpas.dossiers.models import Dossier

    with app.test_request_context():
        login_user(db.session.get(User, user.id))
        from flask_login import current_user

        current_user.has_function("inquiry.info_view")  # the signed-in user's codes, loaded
        dossier = db.session.get(Dossier, dossier_id)
        members = db.session.scalars(
            select(HouseholdMember).where(HouseholdMember.dossier_id == dossier_id)
        ).all()
        seen: list[str] = []

        def count(conn, cursor, statement, *args):  # noqa: ANN001
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            links = {m.id: panels.member_link(dossier, m) for m in members}
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        if queries is not None:
            queries.extend(seen)
        return links[member_id], links


def test_the_member_link_points_to_the_current_request(app, w, inquiry_urls, new_request):
    partner = w.dossier.members["partner"]
    queries: list[str] = []
    url, links = _link(app, w.social_a, w.dossier.id, partner.id, queries)
    assert url == inquiry_urls.member(w.dossier, w.request, partner)
    assert set(links.values()) == {
        inquiry_urls.member(w.dossier, w.request, m) for m in w.dossier.members.values()
    }
    assert len(queries) == 1  # one query for the household, not one per member
    # a newer open request is the current one; a closed one never is
    second = new_request(w.dossier, w.social_a)
    assert _link(app, w.social_a, w.dossier.id, partner.id)[0] == inquiry_urls.member(
        w.dossier, second, partner
    )
    new_request(w.dossier, w.social_a, status="cloturee")
    assert _link(app, w.social_a, w.dossier.id, partner.id)[0] == inquiry_urls.member(
        w.dossier, second, partner
    )
    # without « inquiry.info_view »: no link
    assert _link(app, w.viewer_a, w.dossier.id, partner.id)[0] is None


def test_no_link_without_an_open_request(app, inquiry_world, new_request):
    w = inquiry_world
    from cpas.aid.models import AidRequest

    with app.app_context():
        row = db.session.get(AidRequest, w.request_b.id)
        assert row is not None
        db.session.delete(row)
        db.session.commit()
    new_request(w.dossier_b, w.social_b, status="cloturee")
    assert _link(app, w.social_b, w.dossier_b.id, w.dossier_b.main.id)[0] is None


def test_the_household_page_links_each_name_to_the_member_inquiry(client, w, inquiry_urls):
    response = client.get(f"/dossiers/{w.dossier.id}/menage")
    assert response.status_code == 200
    text = page_text(response)
    for member in w.dossier.members.values():
        assert f'href="{inquiry_urls.member(w.dossier, w.request, member)}"' in text


# ------------------------------------------------------------------ other CPAS


def test_another_cpas_gets_404_on_every_route(app, client, login_as, inquiry_world, inquiry_urls):
    w = inquiry_world
    login_as(w.social_b)
    member = w.dossier.main
    base = inquiry_urls.member(w.dossier, w.request, member)
    assert client.get(base).status_code == 404
    for tail in ("adresse", "donnees-legales", "registre"):
        assert (
            client.post(f"{base}/{tail}", data={"version": "1", **NEW_ADDRESS}).status_code == 404
        )
    # B's own request or member under A's dossier, or A's member under B's dossier: 404
    login_as(w.social_a)
    assert client.get(inquiry_urls.member(w.dossier, w.request_b, member)).status_code == 404
    assert (
        client.get(inquiry_urls.member(w.dossier, w.request, w.dossier_b.main)).status_code == 404
    )
    assert (
        client.get(inquiry_urls.member(w.dossier_b, w.request_b, w.dossier_b.main)).status_code
        == 404
    )
    assert (
        client.post(
            inquiry_urls.member(w.dossier_b, w.request_b, w.dossier_b.main, "adresse"),
            data={"action": "enregistrer", "version": "1", **NEW_ADDRESS},
        ).status_code
        == 404
    )
    assert member_row(app, w.dossier_b.main.id)["street"] == "Rue de la Station"


def test_a_request_of_another_dossier_of_the_same_cpas_is_404(
    app, client, w, inquiry_urls, new_request, inquiry_people
):
    from cpas.access.models import User
    from cpas.dossiers import services
    from cpas.registry.adapters import get_register
    from tests.dossiers.conftest import ADDRESS, add_person

    with app.app_context():
        person = add_person("MARTIN", "Ahmed", "M", date(1990, 10, 5), 5, 9, True, "Chef de ménage")
        db.session.commit()
        actor = db.session.get(User, w.social_a.id)
        record = get_register().by_ref(person.id)
        other, _ = services.create_dossier(
            actor.organisation, record, services.Address(box=None, **ADDRESS), actor
        )
        other_id = other.id
    other_request = new_request(other_id, w.social_a)
    assert (
        client.get(inquiry_urls.member(w.dossier, other_request, w.dossier.main)).status_code == 404
    )


# ------------------------------------------------------------------ Dutch


def test_the_identification_in_dutch(client, w, inquiry_urls):
    response = client.post("/langue", data={"locale": "nl", "next": "/"})
    assert response.status_code == 302
    text = plain(client.get(inquiry_urls.member(w.dossier, w.request, w.dossier.main)))
    for dutch in (
        "Sociaal onderzoek — hulpaanvraag nr.",
        "Identificatie",
        "Informatie",
        "Bestaansmiddelen",
        "Uitgaven",
        "Wettelijke gegevens",
        "Wettelijk adres",
        "Werkelijk verblijfsadres",
        "De wettelijke gegevens bijwerken",
        "Deze gegevens naar het werkelijk verblijfsadres kopiëren",
        "Bijkomende informatie",
        "Alles openklappen",
        "Alles dichtklappen",
        "Gemeente van verblijf",
        "Gezinsleden",
    ):
        assert dutch in text, dutch
    for french in ("Adresse de résidence effective", "Tout déplier", "Données légales"):
        assert french not in text, french


def test_a_decided_request_is_frozen_though_the_household_is_not(
    app, client, w, inquiry_urls, inquiry_row, events, new_request
):
    """After the decision the household may change again (dossier side), but this request's
    inquiry stays frozen: the address, the legal data and the registre are refused here."""
    decided = new_request(w.dossier, w.social_a, status="decision")
    w.request = decided  # only the URLs below
    member = w.dossier.main
    with app.app_context():
        row = db.session.get(HouseholdMember, member.id)
        assert row is not None
        row.registre = None
        db.session.commit()
    before = member_row(app, member.id)
    count = len(events(decided))
    base = inquiry_urls.member(w.dossier, decided, member)
    for tail, data in (
        ("adresse", {"action": "enregistrer", "version": before["version"], **NEW_ADDRESS}),
        ("donnees-legales", {}),
        ("registre", {"registre_manual": "Registre des étrangers", "version": "0"}),
    ):
        response = client.post(f"{base}/{tail}", data=data)
        assert response.status_code == 422, tail
        assert re.search(
            r'id="identification-refused">La demande a été soumise au Conseil', page_text(response)
        ), tail
    assert member_row(app, member.id) == before
    assert inquiry_row(decided, member) is None
    assert len(events(decided)) == count
