"""Browser test in Dutch (issue 13): a FAT from creation to payment, both sides reading NL.

The CPAS social worker signs in (French by default) and switches to NL with the layout's
language buttons; the distributor's agent has ``locale = "nl"`` on the account and a Dutch
browser. Every step's button and every status shown must be the Dutch of the French text
(taken from the workflow's own steps and labels, translated with the compiled catalogue
``translations/nl``), never the French. Fields are filled by name, not by label, so the test
checks what is translated, not how. Screenshots of each step go to the test's tmp dir.

Run ``/work/tools/merge_catalogue.sh`` (or ``scripts/translations compile``) first: the test
reads the compiled ``messages.mo``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.support import Translations
from playwright.sync_api import expect
from sqlalchemy import select

from cpas.access.models import Organisation, OrganisationKind
from cpas.extensions import db
from cpas.water_fund.lifecycle import FAT_WORKFLOW
from cpas.water_fund.models import WaterRequest
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in
from tests.water_fund.conftest import PDF

pytestmark = pytest.mark.e2e

CATALOGUE = Path(__file__).resolve().parents[2] / "translations"


@pytest.fixture(scope="module")
def dutch() -> Translations:
    translations = Translations.load(str(CATALOGUE), ["nl"])
    assert isinstance(translations, Translations), "translations/nl is not compiled"
    return translations


def nl(dutch: Translations, french: object) -> str:
    """The Dutch of a French source text; fails when the catalogue has none."""
    source = str(french)
    text = dutch.gettext(source)
    assert text != source, f"« {source} » has no Dutch in the catalogue"
    return text


def step_label(action: str) -> str:
    step = FAT_WORKFLOW.step(action)
    assert step is not None, action
    return str(step.label)


def status_label(code: str) -> str:
    return str(FAT_WORKFLOW.labels[code])


@pytest.fixture
def sides(app, make_org, make_user):
    cpas = make_org(OrganisationKind.CPAS, name="OCMW Navigator")
    dist = make_org(OrganisationKind.DISTRIBUTOR, name="Water Navigator")
    with app.app_context():
        db.session.get(Organisation, cpas.id).distributors = [db.session.get(Organisation, dist.id)]
        db.session.commit()
    make_user(cpas, all_access=True, email="mw@ocmw-nav.test", first_name="Sofie")
    make_user(dist, all_access=True, email="agent@water-nav.test", first_name="Julie", locale="nl")
    return cpas, dist


@pytest.fixture
def distributor_page(browser):
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def _sign_in_by_name(page, base_url: str, email: str) -> None:
    """The login form filled by field name (its labels may be in either language)."""
    page.goto(f"{base_url}/connexion")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")


def _open_request(page, live_server: str, name: str) -> None:
    page.goto(f"{live_server}/fonds-eau/fat")
    page.locator("tr", has_text=name).get_by_role("link").first.click()
    page.wait_for_selector("#status-panel")


def _expect_status(page, dutch: Translations, code: str) -> None:
    french = status_label(code)
    expect(page.locator("#request-status")).to_have_text(nl(dutch, french))


def _step_button(page, dutch: Translations, action: str):
    button = page.locator(f"#action-{action} button[type=submit]")
    expect(button).to_have_text(nl(dutch, step_label(action)))
    return button


def test_fat_from_creation_to_payment_in_dutch(
    app, live_server, page, distributor_page, sides, tmp_path, dutch
):
    shots = tmp_path / "screenshots"
    shots.mkdir()
    quote = tmp_path / "offerte.pdf"
    quote.write_bytes(PDF)

    # The social worker signs in (French), then switches the interface to NL.
    sign_in(page, live_server, "mw@ocmw-nav.test", PASSWORD)
    page.locator("form.lang-switch button[value=nl]").click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("html")).to_have_attribute("lang", "nl-BE")

    page.goto(f"{live_server}/fonds-eau/fat")
    page.get_by_role("link", name=nl(dutch, "+ Créer")).click()
    for name, value in {
        "last_name": "Dupont",
        "first_name": "Marie",
        "street": "Bronstraat",
        "house_number": "12",
        "postal_code": "1000",
        "locality": "Brussel",
        "client_number": "CLI-77",
        "contact_name": "Sofie Lambert",
        "contact_phone": "02 000 00 00",
        "contact_email": "mw@ocmw-nav.be",
        "requested_amount": "1.000,00",
        "contractor_name": "Loodgieterij Dubois",
        "contractor_iban": "BE71 0961 2345 6769",
    }.items():
        page.locator(f"[name={name}]").fill(value)
    page.locator("select[name=works_type]").select_option("fuite")
    page.locator("input[name=quote]").set_input_files(str(quote))
    page.screenshot(path=str(shots / "1-aanvraag.png"), full_page=True)
    page.get_by_role("button", name=nl(dutch, "Soumettre la demande")).click()
    _expect_status(page, dutch, "SOUMISE")
    page.screenshot(path=str(shots / "2-ingediend.png"), full_page=True)

    # The distributor's agent reads Dutch from the account: approves.
    _sign_in_by_name(distributor_page, live_server, "agent@water-nav.test")
    expect(distributor_page.locator("html")).to_have_attribute("lang", "nl-BE")
    _open_request(distributor_page, live_server, "Dupont")
    _expect_status(distributor_page, dutch, "SOUMISE")
    distributor_page.locator("#action-approve [name=amount]").fill("900,00")
    _step_button(distributor_page, dutch, "approve").click()
    _expect_status(distributor_page, dutch, "APPROUVEE")
    distributor_page.screenshot(path=str(shots / "3-goedgekeurd.png"), full_page=True)

    # The CPAS adds the invoice and validates (the flat fee was not paid).
    _open_request(page, live_server, "Dupont")
    _expect_status(page, dutch, "APPROUVEE")
    invoice = tmp_path / "factuur.pdf"
    invoice.write_bytes(PDF)
    page.locator("select[name=file_type]").select_option("facture")
    page.locator("input[name=file]").set_input_files(str(invoice))
    page.get_by_role("button", name=nl(dutch, "Enregistrer le fichier")).click()
    page.get_by_role("link", name="factuur.pdf").wait_for()
    page.locator("#action-validate [name=flat_fee_paid][value=non]").check()
    _step_button(page, dutch, "validate").click()
    _expect_status(page, dutch, "EN_ATTENTE_PAIEMENT")
    page.screenshot(path=str(shots / "4-gevalideerd.png"), full_page=True)

    # The distributor confirms the payment (irreversible: the Dutch question is asked once).
    _open_request(distributor_page, live_server, "Dupont")
    questions: list[str] = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.accept()

    distributor_page.once("dialog", answer)
    _step_button(distributor_page, dutch, "pay").click()
    _expect_status(distributor_page, dutch, "PAYEE")
    assert questions == [nl(dutch, FAT_WORKFLOW.step("pay").confirm)]
    distributor_page.screenshot(path=str(shots / "5-betaald.png"), full_page=True)

    with app.app_context():
        row = db.session.scalar(select(WaterRequest))
        assert row.status == "PAYEE" and str(row.granted_amount) == "900.00"
        assert row.flat_fee_paid is False
    assert page.problems == []
