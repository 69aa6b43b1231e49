"""The dossier screens in Dutch: the dossier page and its left menu, the household (relations,
the register's own words), the integrations (quality codes, results, form messages), the
register search (the local adapter's notice, birth-date messages), the breadcrumbs; and the
same pages unchanged in French."""

from __future__ import annotations

import re

from tests.dossiers.conftest import add_member_through_screens
from tests.helpers import page_text


def plain(response) -> str:
    """The page's text without tags, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split())


def breadcrumb(response) -> list[str]:
    found = re.search(r'<nav class="breadcrumb[^"]*"[^>]*>(.*?)</nav>', page_text(response), re.S)
    assert found, "no breadcrumb"
    return [
        " ".join(re.sub(r"<[^>]+>", " ", item).split())
        for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)
    ]


def sidebar(response) -> str:
    found = re.search(r'<aside class="sidebar[^"]*"[^>]*>(.*?)</aside>', page_text(response), re.S)
    assert found, "no dossier sidebar"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def in_language(client, locale: str) -> None:
    response = client.post("/langue", data={"locale": locale, "next": "/"})
    assert response.status_code == 302


def test_the_dossier_page_in_dutch_with_its_menu_and_breadcrumb(client, marie_dossier):
    in_language(client, "nl")
    response = client.get(f"/dossiers/{marie_dossier.id}")
    assert response.status_code == 200
    text = plain(response)
    for dutch in (
        "Hoofdpagina van het dossier",
        "Identificatie",
        "Dossiergegevens",
        "Dossiernummer van het OCMW",
        "Openingsdatum",
        "Geschiedenis van de hulpaanvragen",
        "Naar Oude dossiers verplaatsen",
    ):
        assert dutch in text, dutch
    for french in ("Page principale du dossier", "Références du dossier", "Date d'ouverture"):
        assert french not in text, french
    menu = sidebar(response)
    assert "Gezinssamenstelling" in menu and "Integraties - Desintegraties" in menu
    assert "Onlangs geraadpleegde dossiers" in page_text(response)  # the sidebar's label
    assert breadcrumb(response) == ["Startpagina", "Dossiers", "DUPONT Marie"]


def test_the_household_in_dutch(client, marie_dossier):
    in_language(client, "nl")
    response = client.get(f"/dossiers/{marie_dossier.id}/menage")
    assert response.status_code == 200
    text = plain(response)
    for dutch in (
        "Officiële gezinssamenstelling",
        "Feitelijke gezinssamenstelling",
        "Lokaal register (fictieve personen), toestand op",
        # the relations of the de facto household, and the register's own words
        "Begunstigde",
        "Partner",
        "Referentiepersoon",
        "Wettelijk samenwonende",
        "Bloedverwant in opgaande lijn",
        "Niet in het feitelijk gezin",
        "Een lid toevoegen",
        "Verschillen tussen officiële en feitelijke samenstelling",
    ):
        assert dutch in text, dutch
    for french in ("Composition de ménage", "Cohabitant légal", "Chef de ménage", "Oui"):
        assert french not in text, french
    assert 'aria-label="LEFEBVRE Jean verwijderen"' not in page_text(response)
    assert 'aria-label="Jean LEFEBVRE verwijderen"' in page_text(response)
    assert breadcrumb(response) == [
        "Startpagina",
        "Dossiers",
        "DUPONT Marie",
        "Gezinssamenstelling",
    ]


def test_a_member_form_refused_in_dutch(client, marie_dossier, world):
    in_language(client, "nl")
    response = add_member_through_screens(client, marie_dossier.id, world.people.lucas.id, "")
    assert response.status_code == 422
    assert "Kies de relatie." in plain(response)
    assert "Choisissez la relation." not in plain(response)


def test_the_integrations_in_dutch(client, marie_dossier):
    in_language(client, "nl")
    url = f"/dossiers/{marie_dossier.id}/integrations"
    page = client.get(url)
    assert page.status_code == 200
    text = plain(page)
    for dutch in (
        "Lokaal KSZ-verwijzingsrepertorium (simulatie)",
        "Hoedanigheidscode",
        "001 – In onderzoek (Maximaal 2 maanden)",  # the code's choice label
        "Equivalent leefloon",
        "Begunstigde van de verwarmingstoelage",
        "Leden van het feitelijk gezin",
    ):
        assert dutch in text, dutch
    assert "En enquête" not in text and "Équivalent RIS" not in text
    assert breadcrumb(page)[-1] == "Integraties - Desintegraties"

    refused = client.post(f"{url}/integrer", data={"int-code": "001", "int-start": ""})
    assert refused.status_code == 422
    assert "Geef de begindatum op." in plain(refused)
    assert "Selecteer minstens één gezinslid." in plain(refused)

    too_long = client.post(
        f"{url}/integrer",
        data={
            "int-code": "001",
            "int-start": "01/01/2026",
            "int-end": "31/12/2026",
            "int-members": [str(marie_dossier.main_id)],
        },
    )
    assert "Uiterlijk op 28/02/2026 voor code 001 (maximaal 2 maanden)." in plain(too_long)

    done = client.post(
        f"{url}/integrer",
        data={
            "int-code": "001",
            "int-start": "01/01/2026",
            "int-members": [str(marie_dossier.main_id)],
        },
    )
    assert done.status_code == 200
    result = plain(done)
    assert "Resultaat: Integratie" in result
    assert "Geslaagd" in result
    assert "Integratie uitgevoerd." in result
    assert "code 001, van 01/01/2026 tot 28/02/2026" in result
    assert "Intégration effectuée." not in result


def test_the_register_search_in_dutch(client, login_as, world):
    login_as(world.user_a)
    in_language(client, "nl")
    page = client.get("/dossiers/nouveau")
    text = plain(page)
    assert "Bron: Lokaal register (fictieve personen). Het echte Rijksregister" in text
    assert "Via een INSZ" in text and "Tolerantie (00 tot 10)" in text
    assert breadcrumb(page) == ["Startpagina", "Dossiers", "Nieuw dossier"]
    wrong = client.post(
        "/dossiers/nouveau/recherche",
        data={"mode": "phonetique", "nom": "Dupont", "naissance": "14/13/1985"},
    )
    assert wrong.status_code == 422
    assert "De maand moet tussen 01 en 12 liggen" in plain(wrong)
    found = client.post(
        "/dossiers/nouveau/recherche",
        data={"mode": "phonetique", "nom": "Dupont", "naissance": "00/00/1985", "tolerance": "0"},
    )
    text = plain(found)
    assert "Lijst van gevonden personen (1)" in text, text
    assert "DUPONT Marie V 14/03/1985" in text  # the sex as Dutch writes it
    assert "Details" in text


def test_the_register_data_in_dutch(client, login_as, world):
    from tests.helpers import register_person_url

    login_as(world.user_a)
    in_language(client, "nl")
    response = client.get(register_person_url(client, world.people.marie.id))
    assert response.status_code == 200
    text = plain(response)
    for dutch in (
        "Gegevens uit het lokaal register (fictieve personen): ze kunnen hier niet",
        "Geslacht Vrouwelijk",
        "Nationaliteit Belg",
        "Burgerlijke staat Ongehuwd",
        "Register Bevolkingsregister",
        "Werkelijk verblijfsadres",
    ):
        assert dutch in text, dutch


def test_the_same_pages_stay_french(client, marie_dossier, world):
    page = client.get(f"/dossiers/{marie_dossier.id}")
    assert "Page principale du dossier" in plain(page)
    assert breadcrumb(page) == ["Accueil", "Dossiers", "DUPONT Marie"]
    household = plain(client.get(f"/dossiers/{marie_dossier.id}/menage"))
    for french in ("Composition de ménage officielle", "Cohabitant légal", "Chef de ménage"):
        assert french in household, french
    assert "Gezinssamenstelling" not in household
    integrations = plain(client.get(f"/dossiers/{marie_dossier.id}/integrations"))
    assert "001 – En enquête (Maximum 2 mois)" in integrations
    found = client.post(
        "/dossiers/nouveau/recherche",
        data={"mode": "phonetique", "nom": "Dupont", "naissance": "00/00/1985", "tolerance": "0"},
    )
    assert "DUPONT Marie F 14/03/1985" in plain(found)
