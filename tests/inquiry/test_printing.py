"""The social inquiry's parts of « Impression » (issue 15 §9): identification, information,
resources with the computation for the D.I.S., expenses of each de facto member the part
concerns, and formulaire A; in the selection page after the aid request's own parts, in
the preview and in the PDF when ticked, absent when unticked; each member shown is a
consultation."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from cpas.access.models import User
from cpas.aid.models import AidRequest
from cpas.audit import AuditEntry
from cpas.dossiers.models import HouseholdMember
from cpas.extensions import db
from tests.aid.test_printing import pdf_text
from tests.helpers import page_text

AID_PARTS = ["demande", "rapport", "proposition", "menage", "integrations"]
INQUIRY_PARTS = ["identification", "information", "ressources", "depenses", "formulaire_a"]
LABELS = ["Identification", "Information", "Ressources", "Dépenses", "Formulaire A"]
EMPLOYER = "Boulangerie Lambert"


def flat(text: str) -> str:
    """Without blanks: the PDF's text loses the spaces where a cell's line breaks."""
    return re.sub(r"\s+", "", text)


def _url(world, req, tail: str = "") -> str:
    return f"/dossiers/{world.dossier.id}/demandes/{req.id}/impression{tail}"


def preview(client, world, req, parts: list[str]):
    query = "&".join(f"partie={p}" for p in parts)
    return client.get(_url(world, req, f"/apercu?{query}"))


def pdf(client, world, req, parts: list[str]):
    return client.post(_url(world, req, "/pdf"), data={"partie": parts})


@pytest.fixture
def encoded(app, inquiry_world):
    """CPAS A's open request with an inquiry: Marie's information (famille à charge,
    locataire) and her rent, Jean's salary (D.I.S. ticked) with the information of a
    partner, formulaire A with Jean secondary beneficiary (suffix 1, partner)."""
    from cpas.inquiry import expenses, form_a, information, resources

    w = inquiry_world
    with app.app_context():
        req = db.session.get(AidRequest, w.request.id)
        by = db.session.get(User, w.social_a.id)
        marie = db.session.get(HouseholdMember, w.dossier.members["beneficiary"].id)
        jean = db.session.get(HouseholdMember, w.dossier.members["partner"].id)
        assert req and by and marie and jean
        information.save_information(
            req,
            marie,
            {"category": "famille", "housing": "locataire", "dependent_children": 1},
            by,
            version=0,
        )
        information.save_information(req, jean, {"dependent_children": 1}, by, version=0)
        resources.add_resource(
            req,
            jean,
            resources.ResourceData(
                "salaire", EMPLOYER, Decimal("21600.00"), date(2022, 9, 1), None, True
            ),
            by,
        )
        expenses.add_expense(
            req,
            marie,
            expenses.ExpenseData("loyer", date(2023, 1, 1), None, Decimal("7440.00")),
            by,
        )
        form_a.save_form(req, req.effective_date, "Belge", by, version=0)
        form_a.save_member(
            req,
            jean,
            form_a.FormAMemberData(True, 1, "belge", "partner", "Belge"),
            by,
            version=0,
        )
    return SimpleNamespace(request=w.request)


def test_the_inquiry_parts_follow_the_aid_parts_all_ticked(client, login_as, inquiry_world):
    login_as(inquiry_world.social_a)
    response = client.get(_url(inquiry_world, inquiry_world.request))
    assert response.status_code == 200
    html = page_text(response)
    ticked = re.findall(r'<input type="checkbox" name="partie" value="(\w+)" checked>', html)
    assert ticked == AID_PARTS + INQUIRY_PARTS
    for label in LABELS:
        assert f"> {label}</label>" in html, label


def test_the_preview_shows_each_member_s_inquiry(app, client, login_as, inquiry_world, encoded):
    w = inquiry_world
    login_as(w.social_a)
    response = preview(client, w, encoded.request, INQUIRY_PARTS)
    assert response.status_code == 200, page_text(response)[:500]
    html = page_text(response)
    order = [html.index(f'id="partie-{code}"') for code in INQUIRY_PARTS]
    assert order == sorted(order)
    members = w.dossier.members
    # identification of every de facto member
    for relation in ("beneficiary", "partner", "minor_child", "first_degree", "cohabitant"):
        assert f'id="print-identification-{members[relation].id}"' in html, relation
    # information: the beneficiary and the partner only
    info = html.split('id="partie-information"', 1)[1].split('id="partie-ressources"', 1)[0]
    assert "Famille à charge" in info and "Locataire" in info
    assert f'id="print-information-{members["partner"].id}"' in info
    assert f'id="print-information-{members["minor_child"].id}"' not in info
    # resources: Jean's salary, the computation; Anne has nothing encoded; no child
    res = html.split('id="partie-ressources"', 1)[1].split('id="partie-depenses"', 1)[0]
    assert EMPLOYER in res and "21.600,00 €" in res
    assert f'id="print-resources-{members["minor_child"].id}"' not in res
    anne = res.split(f'id="print-resources-{members["first_degree"].id}"', 1)[1]
    assert anne.split("</div>", 1)[0].count("Aucune donnée encodée") == 1
    assert "Ressources à prendre en compte pour le D.I.S." in res
    assert "Total à prendre en compte par an" in res and "Total à prendre en compte par mois" in res
    # expenses of every member; Marie's rent
    exp = html.split('id="partie-depenses"', 1)[1].split('id="partie-formulaire_a"', 1)[0]
    assert "Loyer" in exp and "7.440,00 €" in exp
    assert f'id="print-expenses-{members["minor_child"].id}"' in exp
    # formulaire A: Jean secondary, suffix 1, partner
    form = html.split('id="partie-formulaire_a"', 1)[1]
    line = form.split(f'id="print-form-a-{members["partner"].id}"', 1)[1].split("</tr>", 1)[0]
    assert "LEFEBVRE Jean" in line and "<td>1</td>" in line
    assert "Partenaire du bénéficiaire" in line and "<td>Oui</td>" in line


def test_each_member_shown_is_a_consultation(app, client, login_as, inquiry_world, encoded):
    w = inquiry_world
    login_as(w.social_a)
    with app.app_context():
        mark = db.session.scalar(select(db.func.max(AuditEntry.id))) or 0
    assert preview(client, w, encoded.request, ["ressources"]).status_code == 200
    with app.app_context():
        seen = {
            e.niss
            for e in db.session.scalars(
                select(AuditEntry).where(
                    AuditEntry.id > mark, AuditEntry.action == "household.view"
                )
            )
        }
    m = w.dossier.members
    # the resources concern the partner, the ascendant and the cohabitant (Marie is the
    # beneficiary: logged with the printing itself)
    assert seen == {m["partner"].niss, m["first_degree"].niss, m["cohabitant"].niss}


def test_an_inquiry_never_encoded_says_so(client, login_as, inquiry_world):
    w = inquiry_world
    login_as(w.social_a)
    html = page_text(preview(client, w, w.request, ["information", "depenses", "formulaire_a"]))
    info = html.split('id="partie-information"', 1)[1].split('id="partie-depenses"', 1)[0]
    assert info.count("Aucune donnée encodée") == 2  # the beneficiary and the partner
    exp = html.split('id="partie-depenses"', 1)[1].split('id="partie-formulaire_a"', 1)[0]
    assert exp.count("Aucune donnée encodée") == 5  # every member
    assert "Aucune donnée encodée" in html.split('id="partie-formulaire_a"', 1)[1]


def test_the_pdf_has_the_resources_expenses_and_form_a_when_ticked(
    client, login_as, inquiry_world, encoded
):
    login_as(inquiry_world.social_a)
    response = pdf(client, inquiry_world, encoded.request, ["demande", *INQUIRY_PARTS])
    assert response.status_code == 200, page_text(response)[:500]
    assert response.mimetype == "application/pdf"
    text = flat(pdf_text(response.data))
    assert flat(EMPLOYER) in text and flat("21.600,00 €") in text
    assert flat("7.440,00 €") in text
    assert flat("Formulaire A") in text and flat("Partenaire du bénéficiaire") in text
    assert flat("Total à prendre en compte par mois 1.800,00 €") in text


def test_unticked_inquiry_parts_are_not_in_the_pdf(client, login_as, inquiry_world, encoded):
    login_as(inquiry_world.social_a)
    response = pdf(client, inquiry_world, encoded.request, ["demande", "identification"])
    assert response.status_code == 200
    text = flat(pdf_text(response.data))
    assert "LEFEBVRE" in text  # identification of every member
    assert flat(EMPLOYER) not in text and flat("21.600,00 €") not in text
    assert flat("7.440,00 €") not in text
    assert flat("Partenaire du bénéficiaire") not in text
    assert flat("Total à prendre en compte") not in text


def test_the_inquiry_parts_in_dutch(client, login_as, inquiry_world, encoded):
    w = inquiry_world
    login_as(w.social_a)
    assert client.post("/langue", data={"locale": "nl", "next": "/"}).status_code == 302
    html = page_text(client.get(_url(w, encoded.request)))
    for dutch in ("Identificatie", "Informatie", "Bestaansmiddelen", "Uitgaven", "Formulier A"):
        assert f"> {dutch}</label>" in html, dutch
    preview_html = page_text(preview(client, w, encoded.request, INQUIRY_PARTS))
    for dutch in (
        "Geen gegevens ingevoerd",
        "Werkelijk jaarbedrag",
        "In aanmerking te nemen bestaansmiddelen voor het R.M.I.",
        "In aanmerking te nemen totaal per maand",
        "Secundaire begunstigde",
        "Gezin ten laste",
    ):
        assert dutch in preview_html, dutch
    for french in ("Aucune donnée encodée", "Montant annuel réel", "Famille à charge"):
        assert french not in preview_html, french
