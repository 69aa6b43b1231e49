"""Browser test of an aid request (issue 14): a social worker opens a dossier, makes a new
request, writes the report and the proposal, submits it to the Council (the household is
frozen), prints it (PDF), reopens the social inquiry (the household is editable again) and
submits it again. Screenshots go to /tmp/aid_shots/."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cpas.aid.printing import parts
from tests.aid.conftest import SOCIAL_WORKER_CODES
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/aid_shots")  # noqa: S108 - where the brief asks for them, to look at
REPORT = "Madame DUPONT a perdu son emploi et ne peut plus payer son loyer."
PROPOSAL = "Octroyer une aide financière ponctuelle de 750 EUR."


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _menu(page):
    return page.locator("#aid-menu")


def _open_household_and_back(page) -> None:
    _menu(page).get_by_role("link", name="Composition de ménage").click()
    expect(page.get_by_role("heading", name="Composition de ménage", exact=True)).to_be_visible()


def test_social_worker_from_new_request_to_council_print_and_back(
    app, live_server, page, world, make_user
):
    worker = make_user(world.cpas_a, SOCIAL_WORKER_CODES, email="ts@cpas-a.be")
    dialogs: list[str] = []

    def accept(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    sign_in(page, live_server, worker.email, PASSWORD)

    # A new dossier, as in test_dossiers.py: DUPONT Marie from the register
    page.get_by_role("link", name="Nouveau dossier").first.click()
    page.get_by_label("Nom *").fill("Dupont")
    page.get_by_label("Prénom").fill("Marie")
    page.get_by_label(re.compile("^Date de naissance")).fill("14/03/1985")
    page.get_by_label(re.compile("^Tolérance")).fill("0")
    page.get_by_role("button", name="Rechercher").click()
    page.locator("#person-search tr", has_text="Marie").get_by_role("link", name="Détails").click()
    page.get_by_role(
        "button", name="Copier ces informations dans l'adresse de résidence effective"
    ).click()
    expect(page.get_by_label("Rue *")).to_have_value("Rue de la Station")
    page.get_by_role("button", name="Créer le dossier").click()
    expect(page.get_by_role("heading", name="Page principale du dossier")).to_be_visible()
    _shot(page, "01_dossier")

    # « Nouvelle Demande »
    page.get_by_role("link", name="Nouvelle Demande").click()
    today = date.today().strftime("%d/%m/%Y")
    page.get_by_label(re.compile("^Date de la demande")).fill(today)
    page.get_by_label(re.compile("^Date d'entrée en vigueur proposée")).fill(today)
    page.get_by_role("radio", name="Demande", exact=True).check()
    page.get_by_label(re.compile("^Nature de la demande")).fill("Aide financière : loyer.")
    _shot(page, "02_new_request")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#aid-status")).to_have_text("Demande en cours")
    _shot(page, "03_request")

    # Rapport, then Proposition
    _menu(page).get_by_role("link", name="Rapport").click()
    page.get_by_label(re.compile("^Rapport social")).fill(REPORT)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Rapport enregistré.").first).to_be_visible()
    _menu(page).get_by_role("link", name="Proposition").click()
    page.get_by_label(re.compile("^Proposition d'aide sociale")).fill(PROPOSAL)
    expect(page.get_by_label(re.compile("^Date prévue de réunion"))).to_have_value(today)
    _shot(page, "04_proposal")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Proposition enregistrée.").first).to_be_visible()

    # « Soumettre la demande au Conseil » (confirmed): the household is frozen
    _menu(page).get_by_role("button", name="Soumettre la demande au Conseil").click()
    expect(page.locator("#aid-status")).to_have_text("Rapport envoyé au Conseil")
    assert dialogs and dialogs[-1].startswith("Soumettre la demande au Conseil ?")
    _shot(page, "05_submitted")
    _open_household_and_back(page)
    expect(page.locator("#household-frozen")).to_contain_text("soumise au Conseil")
    expect(page.get_by_role("link", name="Ajouter un membre")).to_have_count(0)
    _shot(page, "06_household_frozen")
    page.go_back()

    # « Impression »: all parts ticked, the preview, then the PDF
    _menu(page).get_by_role("link", name="Impression").click()
    boxes = page.locator("#print-selection input[type=checkbox]")
    expect(boxes).to_have_count(len(parts()))  # the request's and the inquiry's parts
    for index in range(len(parts())):
        expect(boxes.nth(index)).to_be_checked()
    page.get_by_label("Intégrations").uncheck()
    _shot(page, "07_print_selection")
    page.get_by_role("button", name="Prévisualiser l'impression").click()
    expect(page.get_by_role("heading", name="Aperçu de l'impression")).to_be_visible()
    assert "partie=integrations" not in page.url and "csrf" not in page.url
    sheet = page.locator(".print-sheet")
    expect(sheet).to_contain_text("Confidentiel")
    expect(sheet).to_contain_text(REPORT)
    expect(sheet).to_contain_text(PROPOSAL)
    expect(page.locator("#partie-integrations")).to_have_count(0)
    _shot(page, "08_print_preview")
    with page.expect_download() as download:
        page.get_by_role("button", name="Imprimer (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert download.value.suggested_filename.endswith("-demande-1.pdf")
    page.get_by_role("link", name="Retour").click()
    expect(page.get_by_label("Intégrations")).not_to_be_checked()
    expect(page.get_by_label("Rapport", exact=True)).to_be_checked()

    # « Compléter l'enquête sociale » (confirmed): editable again, back « en cours »
    _menu(page).get_by_role("link", name="Demande", exact=True).click()
    _menu(page).get_by_role("button", name="Compléter l'enquête sociale").click()
    expect(page.locator("#aid-status")).to_have_text("Demande en cours")
    _shot(page, "09_completed")
    _open_household_and_back(page)
    expect(page.locator("#household-frozen")).to_have_count(0)
    expect(page.get_by_role("link", name="Ajouter un membre")).to_be_visible()
    _shot(page, "10_household_editable")
    page.go_back()

    # and « Soumettre » again
    _menu(page).get_by_role("button", name="Soumettre la demande au Conseil").click()
    expect(page.locator("#aid-status")).to_have_text("Rapport envoyé au Conseil")
    _shot(page, "11_submitted_again")
    assert len(dialogs) == 3
    assert page.problems == []  # type: ignore[attr-defined]
