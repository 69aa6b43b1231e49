"""Browser test of REDI: import, inline encoding, duplicate, summary, validation, signatures, export."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in
from tests.redi.conftest import NISS_B, row, workbook

pytestmark = pytest.mark.e2e

LINE_FIELDS = {
    "decision_date": "2023-06-01",
    "monthly_granted": "100,00",
    "period_start": "2023-06-01",
    "period_end": "2023-08-15",
    "total_paid": "200,00",
}


def _encode(page, row_locator):
    row_locator.locator('select[name="activation"]').select_option("oui_piis")
    expect(row_locator.locator('select[name="activation"]')).to_have_value("oui_piis")
    for name, value in LINE_FIELDS.items():
        field = row_locator.locator(f'input[name="{name}"]')
        field.fill(value)
        field.dispatch_event("change")
        page.wait_for_load_state("networkidle")
    row_locator.locator('select[name="payment"]').select_option("mensuelle")
    page.wait_for_load_state("networkidle")


def _logout(page):
    page.get_by_role("button", name="Se déconnecter").click()


def test_redi_from_import_to_signed_report(app, live_server, page, redi, make_user, tmp_path):
    workbook_path = tmp_path / "redi.xlsx"
    workbook_path.write_bytes(workbook([row(), row(niss=NISS_B, budget="7", balance="-80")]))
    sign_in(page, live_server, redi.encoder.email, PASSWORD)
    page.goto(f"{live_server}/redi/campagnes/{redi.campaign_id}")
    page.get_by_role("link", name="Importer le tableur REDI").click()
    page.get_by_label("Fichier Excel").set_input_files(str(workbook_path))
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_text("Aperçu : 2 ligne(s)")).to_be_visible()
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_text("2 ligne(s) ajoutée(s)")).to_be_visible()

    rows = page.locator("table.redi tbody tr")
    for index in range(2):
        line_id = rows.nth(index).get_attribute("id")
        _encode(page, page.locator(f"#{line_id}"))
        expect(page.locator(f"#{line_id} .control")).to_contain_text("Complet")
        expect(page.locator(f"#{line_id} input[name=months]")).to_have_value("3")  # proposed
    page.reload()
    first = page.locator("table.redi tbody tr").first
    first.get_by_role("button", name="Dupliquer la ligne").click()
    expect(page.get_by_text("Ligne dupliquée")).to_be_visible()
    expect(page.locator("table.redi tbody tr")).to_have_count(3)

    page.get_by_role("link", name="Rapport Unique").click()
    summary = page.locator("#summary")
    expect(summary).to_contain_text("6.349,82 €")
    # 100 €/month × 3 months, capped by the balances: 100 (line A) and 80 (line B) per month
    expect(summary).to_contain_text("540,00 €")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Valider le rapport").click()
    expect(page.get_by_text("Validé :")).to_contain_text(redi.encoder.last_name)
    with page.expect_download() as download:
        page.get_by_role("link", name="Tableur complété").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    _logout(page)

    sign_in(page, live_server, redi.president.email, PASSWORD)
    page.goto(f"{live_server}/redi/campagnes/{redi.campaign_id}/rapport")
    page.once("dialog", lambda dialog: dialog.accept())  # a signature asks once
    page.get_by_role("button", name="Signer (Président)").click()
    expect(page.get_by_text("Président :")).to_contain_text("Président")
    _logout(page)

    sign_in(page, live_server, redi.director.email, PASSWORD)
    page.goto(f"{live_server}/redi/campagnes/{redi.campaign_id}/rapport")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Signer (Directeur général)").click()
    expect(page.locator("h1")).to_contain_text("Signé")
    assert page.problems == []
