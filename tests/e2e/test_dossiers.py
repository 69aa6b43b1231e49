"""Browser test of a dossier: phonetic search with an unknown day, create the dossier, add
a partner and a child, integrate them, and see where the official household differs."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def _search(page, name: str, first: str, birth: str, tolerance: str = "0") -> None:
    page.get_by_label("Nom *").fill(name)
    page.get_by_label("Prénom").fill(first)
    page.get_by_label(re.compile("^Date de naissance")).fill(birth)
    page.get_by_label(re.compile("^Tolérance")).fill(tolerance)
    page.get_by_role("button", name="Rechercher").click()
    expect(
        page.get_by_role("heading", name=re.compile("Liste des personnes trouvées"))
    ).to_be_visible()


def test_dossier_from_phonetic_search_to_integrated_household(app, live_server, page, world):
    sign_in(page, live_server, "as@cpas-a.be", PASSWORD)
    page.get_by_role("link", name="Nouveau dossier").first.click()
    expect(page.get_by_text("Registre local (personnes fictives)").first).to_be_visible()

    # « Dupond », born in March 1985, day unknown: finds DUPONT Marie
    _search(page, "Dupond", "Marie", "00/03/1985")
    row = page.locator("#person-search tr", has_text="Marie")
    expect(row).to_contain_text("DUPONT")
    row.get_by_role("link", name="Détails").click()
    page.get_by_role(
        "button", name="Copier ces informations dans l'adresse de résidence effective"
    ).click()
    expect(page.get_by_label("Rue *")).to_have_value("Rue de la Station")
    page.get_by_role("button", name="Créer le dossier").click()
    expect(page.get_by_role("heading", name="Page principale du dossier")).to_be_visible()
    expect(page.locator("#dossier-number")).to_have_text(re.compile(r"^\d{11}$"))

    # « Modifier » the dossier number inline
    page.get_by_role("link", name="Modifier").click()
    page.get_by_label("N° de dossier du CPAS *").fill("D-2026-7")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#dossier-number")).to_have_text("D-2026-7")

    # Household: add the partner (variant spelling « Lefèvre ») and the child
    page.get_by_role("link", name="Composition de ménage").click()
    for name, first, birth, relation in (
        ("Lefèvre", "Jean", "00/00/1983", "Partenaire"),
        ("Dupont", "Lucas", "20/05/2016", "Enfant mineur à charge"),
    ):
        page.get_by_role("link", name="Ajouter un membre").click()
        _search(page, name, first, birth, "1")
        page.locator("#person-search tr", has_text=first).get_by_role(
            "link", name="Identification"
        ).click()
        page.get_by_role(
            "button", name="Copier ces informations dans l'adresse de résidence effective"
        ).click()
        expect(page.get_by_label("Rue *")).to_have_value("Rue de la Station")  # swap landed
        page.get_by_label("Relation avec le bénéficiaire *").select_option(label=relation)
        page.get_by_label(re.compile("^Date de début de la relation")).fill("01/01/2020")
        page.get_by_role("button", name="Ajouter", exact=True).click()
        expect(
            page.get_by_role("heading", name="Composition de ménage", exact=True)
        ).to_be_visible()
        expect(page.locator("#household")).to_contain_text(relation)

    # The official composition also has the grandmother: the difference is shown
    difference = page.locator("#household-difference")
    expect(difference).to_contain_text(
        "Dans la composition officielle mais pas dans le ménage de fait : DUPONT Anne"
    )

    # Integrate the partner and the child « en enquête » without an end date: 2 months
    page.get_by_role("link", name="Intégrations - Désintégrations").click()
    integrate = page.locator("form", has=page.get_by_role("heading", name="Intégrer", exact=True))
    integrate.get_by_label("Du * (JJ/MM/AAAA)").fill("15/01/2026")
    integrate.get_by_label(re.compile("LEFEBVRE Jean")).check()
    integrate.get_by_label(re.compile("DUPONT Lucas")).check()
    integrate.get_by_role("button", name="Intégrer", exact=True).click()
    results = page.locator("#integration-results")
    expect(results.locator(".result-ok")).to_have_count(2)
    expect(results).to_contain_text("du 15/01/2026 au 14/03/2026")
    assert page.problems == []  # type: ignore[attr-defined]
