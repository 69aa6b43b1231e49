"""Browser tests of the water fund: both sides play a FAT to PAYEE and an FSE info loop."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from cpas.access.models import Organisation, OrganisationKind
from cpas.extensions import db
from cpas.water_fund.models import WaterRequest
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in
from tests.water_fund.conftest import PDF

pytestmark = pytest.mark.e2e


@pytest.fixture
def sides(app, make_org, make_user):
    cpas = make_org(OrganisationKind.CPAS, name="CPAS Navigateur")
    dist = make_org(OrganisationKind.DISTRIBUTOR, name="Eaux du Navigateur")
    with app.app_context():
        db.session.get(Organisation, cpas.id).distributors = [db.session.get(Organisation, dist.id)]
        db.session.commit()
    make_user(cpas, all_access=True, email="as@cpas-nav.test", first_name="Sophie")
    make_user(dist, all_access=True, email="agent@eaux-nav.test", first_name="Julie")
    return cpas, dist


def _switch(page, live_server, email):
    page.goto(f"{live_server}/")
    if page.get_by_role("button", name="Se déconnecter").count():
        page.get_by_role("button", name="Se déconnecter").click()
    sign_in(page, live_server, email, PASSWORD)


def _open_request(page, live_server, kind, name):
    page.goto(f"{live_server}/fonds-eau/{kind}")
    page.locator("tr", has_text=name).get_by_role("link").first.click()
    page.wait_for_selector("#status-panel")


def _status(page):
    return page.locator("#request-status").inner_text().strip()


def test_fat_from_creation_to_paid(app, live_server, page, sides, tmp_path):
    quote = tmp_path / "devis.pdf"
    quote.write_bytes(PDF)
    _switch(page, live_server, "as@cpas-nav.test")
    page.goto(f"{live_server}/fonds-eau/fat")
    page.get_by_role("link", name="+ Créer").click()
    page.get_by_label("Nom *", exact=True).fill("Dupont")
    page.get_by_label("Prénom *").fill("Marie")
    page.get_by_label("Rue *").fill("Rue de la Source")
    page.get_by_label("Numéro *", exact=True).fill("12")
    page.get_by_label("Code postal *").fill("4000")
    page.get_by_label("Localité *").fill("Liège")
    page.get_by_label("Numéro de client *").fill("CLI-77")
    page.get_by_label("Nom de la personne de contact *").fill("Sophie Lambert")
    page.get_by_label("Téléphone *").fill("081 00 00 00")
    page.get_by_label("Adresse e-mail *").fill("as@cpas-nav.be")
    page.get_by_label("Type de travaux *").select_option("fuite")
    page.get_by_label("Montant sollicité").fill("1.000,00")
    page.get_by_label("Nom de l'entreprise").fill("Plomberie Dubois")
    page.get_by_label("Compte bancaire de l'entreprise").fill("BE71 0961 2345 6769")
    page.get_by_label(re.compile("^Devis")).set_input_files(str(quote))
    page.get_by_role("button", name="Soumettre la demande").click()
    assert _status(page) == "SOUMISE"
    assert page.get_by_role("link", name="devis.pdf").is_visible()

    _switch(page, live_server, "agent@eaux-nav.test")
    _open_request(page, live_server, "fat", "Dupont")
    page.get_by_label("Montant approuvé *").fill("900,00")
    page.get_by_role("button", name="Approuver").click()
    expect(page.locator("#request-status")).to_contain_text("APPROUVEE")
    assert page.get_by_text("nouveau statut « APPROUVEE »").is_visible()  # toast

    _switch(page, live_server, "as@cpas-nav.test")
    _open_request(page, live_server, "fat", "Dupont")
    invoice = tmp_path / "facture.pdf"
    invoice.write_bytes(PDF)
    page.get_by_label("Type de fichier").select_option("facture")
    page.get_by_label("Fichier", exact=True).set_input_files(str(invoice))
    page.get_by_role("button", name="Enregistrer le fichier").click()
    page.get_by_role("link", name="facture.pdf").wait_for()
    page.get_by_label("Non").check()
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#request-status")).to_contain_text("PAIEMENT")

    _switch(page, live_server, "agent@eaux-nav.test")
    _open_request(page, live_server, "fat", "Dupont")
    page.once("dialog", lambda dialog: dialog.accept())  # irreversible: asks once
    page.get_by_role("button", name="Confirmer le paiement").click()
    expect(page.locator("#request-status")).to_contain_text("PAYEE")
    assert page.get_by_text("Demande clôturée.").is_visible()
    with app.app_context():
        row = db.session.scalar(select(WaterRequest))
        assert row.status == "PAYEE" and str(row.granted_amount) == "900.00"
        assert row.flat_fee_paid is False and {f.file_type for f in row.files} == {
            "devis",
            "facture",
        }
    assert page.problems == []


def test_fse_refusal_information_request_and_answer(app, live_server, page, sides):
    _switch(page, live_server, "as@cpas-nav.test")
    page.goto(f"{live_server}/fonds-eau/fse/nouvelle")
    page.get_by_label("Nom *", exact=True).fill("Lefèvre")
    page.get_by_label("Prénom *").fill("Jean")
    page.get_by_label("Rue *").fill("Rue Haute")
    page.get_by_label("Numéro *", exact=True).fill("3")
    page.get_by_label("Code postal *").fill("4000")
    page.get_by_label("Localité *").fill("Liège")
    page.get_by_label("Numéro de client *").fill("CLI-88")
    page.get_by_label("Montant demandé *").fill("350,00")
    page.get_by_label("Récurrence *").select_option("ponctuelle")
    page.get_by_label("Compte de contrat").first.fill("CA-1")
    page.locator("#contract_accounts-list + button").click()  # « + Ajouter » (htmx)
    page.get_by_label("Compte de contrat").nth(1).fill("CA-2")
    page.get_by_label("Numéro de facture").first.fill("F-2026-1")
    page.get_by_role("button", name="Soumettre la demande").click()
    assert _status(page) == "SOUMISE"
    assert page.get_by_text("CA-1, CA-2").is_visible()

    _switch(page, live_server, "agent@eaux-nav.test")
    _open_request(page, live_server, "fse", "Lefèvre")
    page.get_by_label("Motif du refus *").fill("Hors critères")
    page.once("dialog", lambda dialog: dialog.accept())  # irreversible: asks once
    page.get_by_role("button", name="Refuser").click()
    expect(page.locator("#request-status")).to_contain_text("REFUSEE")

    _switch(page, live_server, "as@cpas-nav.test")
    _open_request(page, live_server, "fse", "Lefèvre")
    page.get_by_label("Description de la demande d'informations complémentaires *").fill(
        "Pourquoi ce refus ?"
    )
    page.get_by_role("button", name="Demander une information").click()
    expect(page.locator("#request-status")).to_contain_text("INFORMATION")

    _switch(page, live_server, "agent@eaux-nav.test")
    _open_request(page, live_server, "fse", "Lefèvre")
    page.get_by_label("Réponse *").fill("Revenus au-delà du plafond")
    page.get_by_role("button", name="Répondre").click()
    expect(page.locator("#request-status")).to_contain_text("REFUSEE")
    page.reload()
    assert page.get_by_text("Revenus au-delà du plafond").first.is_visible()
    with app.app_context():
        row = db.session.scalar(select(WaterRequest))
        assert [e.to_status for e in row.events] == [
            "SOUMISE",
            "REFUSEE",
            "EN_ATTENTE_INFORMATION",
            "REFUSEE",
        ]
