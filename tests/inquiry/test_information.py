"""« Information » of a member's inquiry (seed 001 §9.3, §9.6.1.1, issue 15 item 3): the
fields of each relation (beneficiary: zones 2 and 3; partner: four fields; the others have
none: 404), « Enregistrer » and its message, the nationality prefilled from the register,
bad input next to the field with the values kept, the « Etudiant avec PIIS » rule both
ways, a stale form, the freeze, read-only without the edit function, the event and the
audit with the member's NISS, another CPAS's 404, and Dutch."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from cpas.extensions import db
from tests.audit_helpers import entries_since, last_entry_id
from tests.helpers import page_text

FROZEN = "La demande a été soumise au Conseil : l'enquête sociale est figée."
SAVED = "Les données ont été correctement enregistrées."
BENEFICIARY_FIELDS = [
    "category",
    "housing",
    "homeless",
    "student_piis",
    "dependent_children",
    "nationality",
    "residence_permit",
    "arrival_date",
    "insurability",
    "health_insurer",
]
PARTNER_FIELDS = ["student_piis", "dependent_children", "nationality", "residence_permit"]
BENEFICIARY_POST = {
    "category": "famille",
    "housing": "locataire",
    "homeless": "",
    "dependent_children": "2",
    "nationality": "Marocaine",
    "residence_permit": "illimite",
    "arrival_date": "15/09/2005",
    "insurability": "en_ordre",
    "health_insurer": "300",
}


def plain(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split())


def fields(response: Any) -> list[str]:
    """The named inputs of the information form (csrf and version aside), sorted."""
    found = re.search(r'<form [^>]*id="information-form">(.*?)</form>', page_text(response), re.S)
    assert found, "no information form"
    names = set(re.findall(r'<(?:input|select|textarea)[^>]* name="([^"]+)"', found.group(1)))
    return sorted(names - {"csrf_token", "version"})


def info_url(inquiry_urls, w, member) -> str:
    return inquiry_urls.member(w.dossier, w.request, member, "information")


@pytest.fixture
def w(inquiry_world, login_as):
    login_as(inquiry_world.social_a)
    return inquiry_world


def version_of(inquiry_row, w, member) -> str:
    row = inquiry_row(w.request, member)
    return str(row.version) if row else "0"


# ------------------------------------------------------------------ fields per relation


def test_the_beneficiary_has_zones_2_and_3(client, w, inquiry_urls):
    response = client.get(info_url(inquiry_urls, w, w.dossier.main))
    assert response.status_code == 200
    assert fields(response) == sorted(BENEFICIARY_FIELDS)
    text = plain(response)
    for expected in (
        "Situation générale",
        "Informations spécifiques à la Loi de 65",
        "Enregistrer",
    ):
        assert expected in text
    # zone 1: the person, read-only
    assert re.search(r'id="zone-identity">.*DUPONT.*Marie', page_text(response), re.S)
    # the nationality comes from the register before the first save
    assert 'name="nationality" type="text" value="Belge"' in page_text(response)


def test_the_partner_has_only_the_four_fields_of_the_seed(client, w, inquiry_urls):
    response = client.get(info_url(inquiry_urls, w, w.dossier.members["partner"]))
    assert response.status_code == 200
    assert fields(response) == sorted(PARTNER_FIELDS)


@pytest.mark.parametrize("relation", ["minor_child", "first_degree", "cohabitant"])
def test_the_other_relations_have_no_information(client, w, inquiry_urls, inquiry_row, relation):
    member = w.dossier.members[relation]
    assert client.get(info_url(inquiry_urls, w, member)).status_code == 404
    response = client.post(
        info_url(inquiry_urls, w, member), data={**BENEFICIARY_POST, "version": "0"}
    )
    assert response.status_code == 404
    assert inquiry_row(w.request, member) is None


# ------------------------------------------------------------------ saving


def test_save_the_beneficiary_information(app, client, w, inquiry_urls, inquiry_row, events):
    member = w.dossier.main
    mark = last_entry_id(app)
    response = client.post(
        info_url(inquiry_urls, w, member), data={**BENEFICIARY_POST, "version": "0"}
    )
    assert response.status_code == 302
    row = inquiry_row(w.request, member)
    assert row is not None
    assert (row.category, row.housing, row.homeless, row.dependent_children) == (
        "famille",
        "locataire",
        False,
        2,
    )
    assert (row.nationality, row.residence_permit, row.arrival_date) == (
        "Marocaine",
        "illimite",
        date(2005, 9, 15),
    )
    assert (row.insurability, row.health_insurer, row.student_piis, row.informed) == (
        "en_ordre",
        "300",
        False,
        True,
    )
    assert events(w.request)[-1] == "modify"  # « Enrichissement de la demande »
    audited = [
        (e.action, e.niss) for e in entries_since(app, mark) if e.action.startswith("inquiry.")
    ]
    assert audited == [("inquiry.information", member.niss)]
    page = client.get(response.headers["Location"])
    assert SAVED in plain(page)
    assert 'value="Marocaine"' in page_text(page)
    assert re.search(
        r'<option selected value="famille">|<option value="famille" selected>', page_text(page)
    )
    # saving again with the version drawn, emptying a choice
    again = client.post(
        info_url(inquiry_urls, w, member),
        data={**BENEFICIARY_POST, "housing": "", "version": str(row.version)},
    )
    assert again.status_code == 302
    assert inquiry_row(w.request, member).housing is None
    assert events(w.request)[-2:] == ["modify", "modify"]


def test_a_partner_post_writes_only_the_partner_fields(client, w, inquiry_urls, inquiry_row):
    partner = w.dossier.members["partner"]
    response = client.post(
        info_url(inquiry_urls, w, partner),
        data={**BENEFICIARY_POST, "student_piis": "y", "version": "0"},
    )
    assert response.status_code == 302
    row = inquiry_row(w.request, partner)
    assert (row.dependent_children, row.student_piis, row.nationality, row.residence_permit) == (
        2,
        True,
        "Marocaine",
        "illimite",
    )
    # the tampered beneficiary fields are not written
    assert (row.category, row.housing, row.arrival_date, row.insurability, row.health_insurer) == (
        None,
    ) * 5


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("dependent_children", "21", "Le nombre d'enfants à charge est compris entre 0 et 20."),
        ("dependent_children", "-1", "Indiquez un nombre entier d'enfants (0 à 20)."),
        ("dependent_children", "deux", "Indiquez un nombre entier d'enfants (0 à 20)."),
        (
            "arrival_date",
            (date.today() + timedelta(days=1)).strftime("%d/%m/%Y"),
            "ne peut pas être dans le futur",
        ),
        ("arrival_date", "01/01/1980", "ne peut pas précéder la date de naissance"),
        ("arrival_date", "31/02/2020", "JJ/MM/AAAA"),
        ("category", "riche", "N'est pas un choix valide"),
        ("health_insurer", "", "Indiquez l'organisme assureur"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_with_the_values_kept(
    client, w, inquiry_urls, inquiry_row, events, field, value, message
):
    count = len(events(w.request))
    response = client.post(
        info_url(inquiry_urls, w, w.dossier.main),
        data={**BENEFICIARY_POST, field: value, "version": "0"},
    )
    assert response.status_code == 422
    text = page_text(response)
    found = re.search(rf'id="{field}-msg">([^<]*)<', text)
    assert found and message.lower() in found.group(1).lower(), found and found.group(1)
    assert 'value="Marocaine"' in text  # what was typed is kept
    assert inquiry_row(w.request, w.dossier.main) is None
    assert len(events(w.request)) == count


def test_a_stale_form_is_a_conflict(client, w, inquiry_urls, inquiry_row):
    member = w.dossier.main
    assert (
        client.post(
            info_url(inquiry_urls, w, member), data={**BENEFICIARY_POST, "version": "0"}
        ).status_code
        == 302
    )
    # a second form drawn before the first save (version 0) comes in late
    response = client.post(
        info_url(inquiry_urls, w, member),
        data={**BENEFICIARY_POST, "category": "isole", "version": "0"},
    )
    assert response.status_code == 409
    text = plain(response)
    assert "L'enquête de ce membre a été modifiée" in text
    assert "Valeur enregistrée : Famille à charge" in text
    assert inquiry_row(w.request, member).category == "famille"


# ------------------------------------------------------------------ « Etudiant avec PIIS »


def _add_resource(app, request_id: int, member_id: int, kind: str) -> None:
    from cpas.access.models import User  # noqa: F401  (models loaded)
    from cpas.aid.models import AidRequest
    from cpas.dossiers.models import HouseholdMember
    from cpas.inquiry.models import MemberInquiry, Resource
    from cpas.inquiry.services import find_inquiry

    with app.app_context():
        req = db.session.get(AidRequest, request_id)
        member = db.session.get(HouseholdMember, member_id)
        assert req is not None and member is not None
        inquiry = find_inquiry(req, member)
        if inquiry is None:
            inquiry = MemberInquiry(
                organisation_id=req.organisation_id, request_id=req.id, member_id=member.id
            )
            db.session.add(inquiry)
            db.session.flush()
        db.session.add(Resource(inquiry_id=inquiry.id, kind=kind, annual_amount=Decimal("2400.00")))
        db.session.commit()


@pytest.mark.parametrize("kind", ["art35", "artistique"])
def test_piis_is_refused_while_the_member_has_an_art35_or_artistic_resource(
    app, client, w, inquiry_urls, inquiry_row, events, kind
):
    partner = w.dossier.members["partner"]
    _add_resource(app, w.request.id, partner.id, kind)
    before = inquiry_row(w.request, partner)
    count = len(events(w.request))
    response = client.post(
        info_url(inquiry_urls, w, partner),
        data={"student_piis": "y", "dependent_children": "1", "version": str(before.version)},
    )
    assert response.status_code == 422
    found = re.search(r'id="student_piis-msg">([^<]*)<', page_text(response))
    assert found and "« Etudiant avec PIIS » ne peut pas être coché" in found.group(1)
    assert "article 35" in found.group(1)
    assert inquiry_row(w.request, partner) == before
    assert len(events(w.request)) == count
    # without the box ticked the information saves
    ok = client.post(
        info_url(inquiry_urls, w, partner),
        data={"dependent_children": "1", "version": str(before.version)},
    )
    assert ok.status_code == 302


def test_piis_is_accepted_with_other_resources(app, client, w, inquiry_urls, inquiry_row):
    member = w.dossier.main
    _add_resource(app, w.request.id, member.id, "salaire")
    response = client.post(
        info_url(inquiry_urls, w, member),
        data={
            **BENEFICIARY_POST,
            "student_piis": "y",
            "version": version_of(inquiry_row, w, member),
        },
    )
    assert response.status_code == 302
    assert inquiry_row(w.request, member).student_piis is True


def test_once_piis_is_ticked_the_art35_resource_is_refused(client, w, inquiry_urls, inquiry_row):
    """The other direction (the resources' service): ticked here, refused there."""
    partner = w.dossier.members["partner"]
    assert (
        client.post(
            info_url(inquiry_urls, w, partner), data={"student_piis": "y", "version": "0"}
        ).status_code
        == 302
    )
    response = client.post(
        inquiry_urls.member(w.dossier, w.request, partner, "ressources"),
        data={"kind": "art35", "annual_amount": "1.200,00", "detail": "Employeur X"},
    )
    assert response.status_code == 422
    assert "Etudiant avec PIIS" in plain(response)
    from cpas.inquiry.models import Resource

    with client.application.app_context():
        assert db.session.query(Resource).count() == 0


# ------------------------------------------------------------------ freeze and read-only


def test_refused_while_submitted_and_saved_after_complete(
    client, w, inquiry_urls, inquiry_row, events, submit, complete
):
    member = w.dossier.main
    assert (
        client.post(
            info_url(inquiry_urls, w, member), data={**BENEFICIARY_POST, "version": "0"}
        ).status_code
        == 302
    )
    before = inquiry_row(w.request, member)
    submit(w.request, w.social_a)
    count = len(events(w.request))
    response = client.post(
        info_url(inquiry_urls, w, member),
        data={**BENEFICIARY_POST, "category": "isole", "version": str(before.version)},
    )
    assert response.status_code in (409, 422)
    assert FROZEN in plain(response)
    assert inquiry_row(w.request, member) == before
    assert len(events(w.request)) == count
    page = client.get(info_url(inquiry_urls, w, member))
    assert page.status_code == 200
    assert FROZEN in plain(page)
    assert 'id="information-form"' not in page_text(page)
    assert re.search(r'id="value-category">Famille à charge<', page_text(page))

    complete(w.request, w.social_a)
    response = client.post(
        info_url(inquiry_urls, w, member),
        data={**BENEFICIARY_POST, "category": "isole", "version": str(before.version)},
    )
    assert response.status_code == 302
    assert inquiry_row(w.request, member).category == "isole"


def test_read_only_without_the_edit_function(
    client, login_as, inquiry_world, inquiry_urls, inquiry_row
):
    w = inquiry_world
    login_as(w.info_viewer_a)
    page = client.get(info_url(inquiry_urls, w, w.dossier.main))
    assert page.status_code == 200
    assert 'id="information-form"' not in page_text(page)
    assert "Enregistrer</button>" not in page_text(page)
    response = client.post(
        info_url(inquiry_urls, w, w.dossier.main), data={**BENEFICIARY_POST, "version": "0"}
    )
    assert response.status_code == 403
    assert inquiry_row(w.request, w.dossier.main) is None


def test_the_view_is_audited_with_the_member_niss(app, client, w, inquiry_urls):
    partner = w.dossier.members["partner"]
    mark = last_entry_id(app)
    assert client.get(info_url(inquiry_urls, w, partner)).status_code == 200
    entries = entries_since(app, mark, "inquiry.view")
    assert [(e.niss, e.object_id) for e in entries] == [(partner.niss, str(w.request.id))]


def test_another_cpas_gets_404(client, login_as, inquiry_world, inquiry_urls, inquiry_row):
    w = inquiry_world
    login_as(w.social_b)
    url = info_url(inquiry_urls, w, w.dossier.main)
    assert client.get(url).status_code == 404
    assert client.post(url, data={**BENEFICIARY_POST, "version": "0"}).status_code == 404
    assert inquiry_row(w.request, w.dossier.main) is None
    # A's dossier with B's request or member
    login_as(w.social_a)
    assert (
        client.get(
            inquiry_urls.member(w.dossier, w.request_b, w.dossier.main, "information")
        ).status_code
        == 404
    )
    assert (
        client.get(
            inquiry_urls.member(w.dossier, w.request, w.dossier_b.main, "information")
        ).status_code
        == 404
    )


# ------------------------------------------------------------------ Dutch


def test_the_information_in_dutch(client, w, inquiry_urls):
    assert client.post("/langue", data={"locale": "nl", "next": "/"}).status_code == 302
    text = plain(client.get(info_url(inquiry_urls, w, w.dossier.main)))
    for dutch in (
        "Informatie",
        "Identificatie van de begunstigde",
        "Algemene situatie",
        "Specifieke informatie voor de Wet van 65",
        "Categorie",
        "Alleenstaande",
        "Samenwonende",
        "Gezin ten laste",
        "Student met GPMI",
        "Aantal kinderen ten laste",
        "Verblijfsdocument",
        "Verzekeringsinstelling",
        "Opslaan",
    ):
        assert dutch in text, dutch
    for french in ("Situation générale", "Etudiant avec PIIS", "Famille à charge"):
        assert french not in text, french
    response = client.post(
        info_url(inquiry_urls, w, w.dossier.main), data={**BENEFICIARY_POST, "version": "0"}
    )
    assert "De gegevens zijn correct opgeslagen." in plain(client.get(response.headers["Location"]))


def test_the_service_writes_only_the_relation_columns_and_checks_the_range(
    app, inquiry_world, inquiry_row
):
    """Below the form: a partner's values with the beneficiary's columns keep those empty,
    and a number of children out of range is refused by the service itself."""
    from cpas.access.models import User
    from cpas.aid.models import AidRequest
    from cpas.dossiers.models import HouseholdMember
    from cpas.inquiry import information
    from cpas.inquiry.services import InquiryRuleError

    w = inquiry_world
    with app.test_request_context():
        by = db.session.get(User, w.social_a.id)
        req = db.session.get(AidRequest, w.request.id)
        partner = db.session.get(HouseholdMember, w.dossier.members["partner"].id)
        assert by is not None and req is not None and partner is not None
        with pytest.raises(InquiryRuleError) as refused:
            information.save_information(req, partner, {"dependent_children": 25}, by, version=0)
        assert refused.value.field == "dependent_children"
        information.save_information(
            req,
            partner,
            {"category": "isole", "housing": "proprietaire", "dependent_children": 3},
            by,
            version=0,
        )
    row = inquiry_row(w.request, w.dossier.members["partner"])
    assert (row.category, row.housing, row.dependent_children) == (None, None, 3)
