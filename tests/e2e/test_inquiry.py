"""Browser test of the social inquiry (issue 15): a social worker opens a dossier whose de
facto household has a partner, makes a new request, goes from the household page to the
partner's inquiry (name link) → Information → Ressources (a salary of 1.234,56 € counted for
the D.I.S., then the computation dialog and its totals) → Dépenses (a rent added, updated in
its row, deleted) → Formulaire A (the partner as secondary beneficiary, suffix 1) →
Impression (PDF) → submits the request to the Council: every inquiry page is then
read-only. Screenshots go to /tmp/inquiry_shots/."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cpas.access.models import User
from cpas.extensions import db
from tests.aid.conftest import SOCIAL_WORKER_CODES
from tests.conftest import PASSWORD
from tests.dossiers.conftest import ADDRESS
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/inquiry_shots")  # noqa: S108 - where the brief asks for them, to look at
FROZEN = "La demande a été soumise au Conseil : l'enquête sociale est figée"
REPORT = "Monsieur LEFEBVRE travaille à temps partiel ; le ménage ne couvre pas son loyer."
PROPOSAL = "Octroyer le revenu d'intégration au taux famille à charge."
#: 1.234,56 € a year, counted: a salary has no exemption of its own (AR 11/07/2002).
SALARY = "1.234,56 €"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _menu(page):
    return page.locator("#aid-menu")


def _tabs(page):
    return page.locator("#member-tabs")


def _dossier_with_partner(app, worker_id: int, people) -> int:
    """DUPONT Marie's dossier with LEFEBVRE Jean as her partner, through the services."""
    from cpas.dossiers import services
    from cpas.registry.adapters import get_register

    with app.app_context():
        actor = db.session.get(User, worker_id)
        assert actor is not None
        register = get_register()
        marie = register.by_ref(people.marie.id)
        jean = register.by_ref(people.jean.id)
        assert marie is not None and jean is not None
        address = services.Address(box=None, **ADDRESS)
        dossier, created = services.create_dossier(actor.organisation, marie, address, actor)
        assert created
        services.add_member(dossier, jean, address, "partner", date(2020, 1, 1), actor)
        return dossier.id


def test_social_worker_walks_the_partners_inquiry_to_the_council(
    app, live_server, page, world, make_user
):
    worker = make_user(world.cpas_a, SOCIAL_WORKER_CODES, email="ts@cpas-a.be")
    dossier_id = _dossier_with_partner(app, worker.id, world.people)
    dialogs: list[str] = []

    def accept(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    sign_in(page, live_server, worker.email, PASSWORD)

    # The dossier, then « Nouvelle Demande »
    page.goto(f"{live_server}/dossiers/{dossier_id}")
    expect(page.get_by_role("heading", name="Page principale du dossier")).to_be_visible()
    page.get_by_role("link", name="Nouvelle Demande").click()
    today = date.today().strftime("%d/%m/%Y")
    page.get_by_label(re.compile("^Date de la demande")).fill(today)
    page.get_by_label(re.compile("^Date d'entrée en vigueur proposée")).fill(today)
    page.get_by_role("radio", name="Demande", exact=True).check()
    page.get_by_label(re.compile("^Nature de la demande")).fill("Droit à l'intégration sociale.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#aid-status")).to_have_text("Demande en cours")
    _shot(page, "01_request")

    # The household page: the partner's name opens his inquiry (Identification)
    _menu(page).get_by_role("link", name="Composition de ménage").click()
    expect(page.get_by_role("heading", name="Composition de ménage", exact=True)).to_be_visible()
    _shot(page, "02_household")
    page.get_by_role("link", name="LEFEBVRE", exact=True).click()
    header = page.locator("#member-header")
    expect(header).to_contain_text("Enquête sociale — demande n° 1")
    expect(header).to_contain_text("LEFEBVRE")
    expect(header).to_contain_text("Jean")
    expect(header).to_contain_text("Partenaire")
    expect(_tabs(page).get_by_role("link", name="Identification")).to_have_attribute(
        "aria-current", "page"
    )
    expect(_tabs(page).get_by_role("link")).to_have_text(
        ["Identification", "Information", "Ressources", "Dépenses"]
    )
    expect(page.locator("#inquiry-frozen")).to_have_count(0)
    _shot(page, "03_identification")

    # Information: the partner's fields, saved
    _tabs(page).get_by_role("link", name="Information").click()
    expect(page.get_by_role("heading", name="Information", exact=True)).to_be_visible()
    page.get_by_label("Nombre d'enfants à charge").fill("1")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Les données ont été correctement enregistrées.").first).to_be_visible()
    expect(page.get_by_label("Nombre d'enfants à charge")).to_have_value("1")
    _shot(page, "04_information")

    # Ressources: « Nouvelle ressource » Salaire → 1.234,56 with D.I.S.
    _tabs(page).get_by_role("link", name="Ressources").click()
    expect(page.locator("#resources-empty")).to_be_visible()
    page.get_by_label("Nouvelle ressource").select_option(label="Salaire")
    page.locator("#new-resource").get_by_role("button", name="Ajouter").click()
    form = page.locator("#resource-form")
    expect(form).to_contain_text("Nouvelle ressource : Salaire")
    form.get_by_label("Employeur").fill("Boulangerie Lambert")
    form.get_by_label("Montant annuel réel").fill("1.234,56")
    form.get_by_label("D.I.S.").check()
    _shot(page, "05_resource_form")
    form.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Ressource ajoutée.").first).to_be_visible()
    row = page.locator("#resources-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Salaire")
    expect(row).to_contain_text("Boulangerie Lambert")
    expect(row.locator("td").nth(2)).to_have_text(SALARY)
    expect(row.locator(".counted-amount")).to_contain_text(SALARY)

    # « Calculer les ressources à prendre en compte pour le DIS »: the dialog and its totals
    page.get_by_role("link", name="Calculer les ressources à prendre en compte pour le DIS").click()
    dialog = page.locator("#computation-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#computation-members")).to_contain_text("LEFEBVRE Jean")
    expect(dialog.locator("#computation-subtotal")).to_have_text(SALARY)
    # no category encoded (Information of the beneficiary): no general exemption
    expect(dialog.locator("#computation-general")).to_have_text("0,00 €")
    expect(dialog.locator("#computation-total-year")).to_have_text(SALARY)
    expect(dialog.locator("#computation-total-month")).to_have_text("102,88 €")  # / 12
    assert "/ressources/calcul" not in page.url  # loaded into the page (htmx), not a new one
    _shot(page, "06_computation")
    dialog.get_by_role("link", name="Avec détails").click()
    expect(dialog.locator("#computation-lines")).to_contain_text("Salaire")
    expect(dialog.locator("#computation-lines .line-counted")).to_have_text([SALARY])
    _shot(page, "07_computation_details")
    dialog.get_by_role("button", name="Fermer").click()
    expect(page.locator("#computation-dialog")).to_be_hidden()

    # Dépenses: a rent added, updated in its row, deleted (htmx, no page change)
    _tabs(page).get_by_role("link", name="Dépenses").click()
    expenses_url = page.url
    new = page.locator("#expense-new")
    new.get_by_label("Type de dépense").select_option(label="Loyer")
    new.get_by_label("Date de début").fill("01/01/2024")
    new.get_by_label("Montant annuel").fill("7.200,00")
    new.get_by_role("button", name="Ajouter").click()
    rent = page.locator("#expenses-body tr", has_text="Loyer").first
    expect(rent).to_contain_text("7.200,00 €")
    expect(rent).to_contain_text("01/01/2024")
    _shot(page, "08_expense_added")
    rent.get_by_role("link", name="Mettre à jour la dépense « Loyer »").click()
    editing = page.locator("#expenses-body tr.editing")
    expect(editing).to_have_count(1)
    editing.get_by_label("Montant annuel").fill("7.800,00")
    _shot(page, "09_expense_editing")
    editing.get_by_role("button", name="Mettre à jour").click()
    expect(page.locator("#expenses-body tr.editing")).to_have_count(0)
    rent = page.locator("#expenses-body tr", has_text="Loyer").first
    expect(rent).to_contain_text("7.800,00 €")
    assert page.url == expenses_url
    rent.get_by_role("button", name="Supprimer la dépense « Loyer »").click()
    expect(page.locator("#expenses-body tr", has_text="7.800,00")).to_have_count(0)
    expect(page.locator("#expenses-body tr[id^='expense-']:not(#expense-new)")).to_have_count(0)
    page.reload()  # gone for good: the page drawn again has no expense
    expect(page.locator("#expenses-body")).to_contain_text("Aucune dépense encodée.")
    assert dialogs and dialogs[-1].startswith("Supprimer cette dépense ?")
    _shot(page, "10_expense_deleted")

    # Formulaire A: the partner as secondary beneficiary with suffix 1
    _menu(page).get_by_role("link", name="Formulaire A").click()
    expect(page.get_by_role("heading", name=re.compile("^Formulaire A"))).to_be_visible()
    page.get_by_role("link", name="Modifier la ligne de LEFEBVRE Jean").click()
    line = page.locator("#form-a-table tr.editing")
    line.get_by_role("radio", name="Oui").check()
    line.get_by_label("Suffixe").fill("1")
    line.get_by_label("Statut").select_option(index=1)
    line.get_by_label("Relation avec le bénéficiaire principal").select_option(
        label="Partenaire du bénéficiaire"
    )
    _shot(page, "11_form_a_editing")
    line.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Formulaire A : LEFEBVRE Jean enregistré(e).").first).to_be_visible()
    jean = page.locator("#form-a-table tbody tr", has_text="LEFEBVRE Jean")
    expect(jean.locator("td").nth(1)).to_have_text("Oui")
    expect(jean.locator("td").nth(2)).to_have_text("1")
    expect(jean).to_contain_text("Partenaire du bénéficiaire")
    _shot(page, "12_form_a")

    # Impression: the inquiry's parts are in the selection, the PDF downloads
    _menu(page).get_by_role("link", name="Impression").click()
    expect(page.locator("#print-selection input[type=checkbox]").first).to_be_visible()
    _shot(page, "13_print_selection")
    page.get_by_role("button", name="Prévisualiser l'impression").click()
    expect(page.get_by_role("heading", name="Aperçu de l'impression")).to_be_visible()
    sheet = page.locator(".print-sheet")
    expect(sheet).to_contain_text("Boulangerie Lambert")
    expect(sheet).to_contain_text(SALARY)
    _shot(page, "14_print_preview")
    with page.expect_download() as download:
        page.get_by_role("button", name="Imprimer (PDF)").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    page.get_by_role("link", name="Retour").click()

    # Rapport, Proposition, then « Soumettre la demande au Conseil » (confirmed)
    _menu(page).get_by_role("link", name="Rapport").click()
    page.get_by_label(re.compile("^Rapport social")).fill(REPORT)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Rapport enregistré.").first).to_be_visible()
    _menu(page).get_by_role("link", name="Proposition").click()
    page.get_by_label(re.compile("^Proposition d'aide sociale")).fill(PROPOSAL)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Proposition enregistrée.").first).to_be_visible()
    _menu(page).get_by_role("button", name="Soumettre la demande au Conseil").click()
    expect(page.locator("#aid-status")).to_have_text("Rapport envoyé au Conseil")
    assert dialogs[-1].startswith("Soumettre la demande au Conseil ?")
    _shot(page, "15_submitted")

    # Every inquiry page is read-only now
    _menu(page).get_by_role("link", name="Composition de ménage").click()
    page.get_by_role("link", name="LEFEBVRE", exact=True).click()
    expect(page.locator("#inquiry-frozen")).to_contain_text(FROZEN)
    expect(page.get_by_role("button", name="Enregistrer")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Copier"))).to_have_count(0)
    _shot(page, "16_identification_frozen")

    _tabs(page).get_by_role("link", name="Information").click()
    expect(page.locator("#inquiry-frozen")).to_contain_text(FROZEN)
    expect(page.locator("#information-form")).to_have_count(0)
    expect(page.locator("#value-dependent_children")).to_have_text("1")
    _shot(page, "17_information_frozen")

    _tabs(page).get_by_role("link", name="Ressources").click()
    expect(page.locator("#inquiry-frozen")).to_contain_text(FROZEN)
    expect(page.locator("#resources-table")).to_contain_text("Boulangerie Lambert")
    expect(page.locator("#resources-actions")).to_have_count(0)
    expect(page.get_by_role("link", name="Modifier")).to_have_count(0)
    expect(page.get_by_role("button", name="Supprimer")).to_have_count(0)
    _shot(page, "18_resources_frozen")

    _tabs(page).get_by_role("link", name="Dépenses").click()
    expect(page.locator("#inquiry-frozen")).to_contain_text(FROZEN)
    expect(page.locator("#expense-new")).to_have_count(0)
    expect(page.get_by_role("button", name="Ajouter")).to_have_count(0)
    _shot(page, "19_expenses_frozen")

    _menu(page).get_by_role("link", name="Formulaire A").click()
    expect(page.locator("#inquiry-frozen")).to_contain_text(FROZEN)
    expect(page.get_by_role("button", name="Enregistrer")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^Modifier"))).to_have_count(0)
    jean = page.locator("#form-a-table tbody tr", has_text="LEFEBVRE Jean")
    expect(jean.locator("td").nth(2)).to_have_text("1")
    _shot(page, "20_form_a_frozen")

    assert len(dialogs) == 2  # the expense's deletion and the submission
    assert page.problems == []
