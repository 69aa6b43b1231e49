"""The centre's screens in Dutch (the fiche, its typed numbers, social workers and their office
hours, the messages next to the fields, the breadcrumbs), the same in French; and a PDF
printed in Dutch: Dutch headers under the CPAS's logo."""

from __future__ import annotations

import re

import pytest

from cpas.access.models import OrganisationKind
from tests.centre.test_branding import _images, _upload_logo
from tests.helpers import page_text
from tests.helpers import pdf_text as _pdf_text

HTMX = {"HX-Request": "true"}


def plain(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split())


def breadcrumb(response) -> list[str]:
    found = re.search(r'<nav class="breadcrumb[^"]*"[^>]*>(.*?)</nav>', page_text(response), re.S)
    assert found, "no breadcrumb"
    return [
        " ".join(re.sub(r"<[^>]+>", " ", item).split())
        for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)
    ]


def in_language(client, locale: str) -> None:
    assert client.post("/langue", data={"locale": locale, "next": "/"}).status_code == 302


@pytest.fixture
def user(make_org, make_user):
    return make_user(make_org(OrganisationKind.CPAS, name="CPAS Taal"), all_access=True)


def test_the_fiche_in_dutch(client, login_as, user):
    login_as(user)
    in_language(client, "nl")
    page = client.get("/centre/fiche")
    text = plain(page)
    for dutch in (
        "Identificatiefiche van het O.C.M.W.",
        "Naam van het OCMW *",
        "INS-code van de gemeente, 5 cijfers.",
        "Telefoon, fax en algemene nummers",
        "Soort nummer",
        "Geen nummer.",
        "Logo van het OCMW",
        "Een bestand kiezen (PNG of JPEG, hoogstens 1 MB)",
    ):
        assert dutch in text, dutch
    assert "Fiche signalétique" not in text and "Aucun numéro" not in text
    assert breadcrumb(page) == ["Startpagina", "Identificatiefiche"]

    refused = client.post(
        "/centre/fiche", data={"name": "", "ins_code": "12", "postal_code": "40", "version": "0"}
    )
    assert refused.status_code == 422
    text = plain(refused)
    assert "Dit veld is verplicht." in text
    assert "De INS-code telt 5 cijfers (bv. 62063)." in text
    assert "Belgische postcode: 4 cijfers (bv. 4000)." in text

    added = client.post(
        "/centre/fiche/numeros",
        data={"tel-kind": "general", "tel-number": "04 220 00 01", "tel-holder": "Onthaal"},
        headers=HTMX,
    )
    assert added.status_code == 200
    assert "Algemeen nummer" in plain(added) and "Numéro général" not in plain(added)
    assert 'aria-label="Het nummer 04 220 00 01 verwijderen"' in page_text(added)


def test_social_workers_and_office_hours_in_dutch(client, login_as, user):
    login_as(user)
    in_language(client, "nl")
    listing = client.get("/centre/assistants")
    assert "Maatschappelijk werkers van het OCMW" in plain(listing)
    assert "Geen maatschappelijk werker." in plain(listing)
    assert breadcrumb(listing) == ["Startpagina", "Maatschappelijk werkers"]
    created = client.post(
        "/centre/assistants/nouveau", data={"last_name": "Lambert", "first_name": "Sophie"}
    )
    worker_id = int(created.headers["Location"].split("/")[-1])
    wrong = client.post(
        f"/centre/assistants/{worker_id}/permanences",
        data={
            "perm-weekday": "0",
            "perm-start_time": "12:00",
            "perm-end_time": "09:00",
            "perm-place": "Zetel",
        },
        headers=HTMX,
    )
    assert wrong.status_code == 422
    assert "Het einduur moet na het beginuur liggen." in plain(wrong)
    assert "Maandag" in plain(wrong)  # the weekday choices
    added = client.post(
        f"/centre/assistants/{worker_id}/permanences",
        data={
            "perm-weekday": "3",
            "perm-start_time": "09:00",
            "perm-end_time": "12:00",
            "perm-place": "Zetel",
        },
        headers=HTMX,
    )
    assert "Donderdag" in plain(added) and "Jeudi" not in plain(added)
    assert "Donderdag 09:00–12:00 (Zetel)" in plain(client.get("/centre/assistants"))
    page = client.get(f"/centre/assistants/{worker_id}")
    assert "Permanenties" in plain(page)
    trail = breadcrumb(page)
    assert trail[:2] == ["Startpagina", "Maatschappelijk werkers"] and "Lambert" in trail[2]


def test_the_centre_stays_french(client, login_as, user):
    login_as(user)
    page = client.get("/centre/fiche")
    assert "Fiche signalétique du C.P.A.S." in plain(page)
    assert breadcrumb(page) == ["Accueil", "Fiche signalétique"]
    assert "Identificatiefiche" not in plain(page)


def test_a_pdf_printed_in_dutch_has_dutch_headers_under_the_logo(client, login_as, user):
    login_as(user)
    _upload_logo(client)
    french = _pdf_text(client.get("/fonds-eau/fse/export.pdf").data)
    in_language(client, "nl")
    pdf = client.get("/fonds-eau/fse/export.pdf")
    assert pdf.status_code == 200 and _images(pdf.data) == 1  # the logo, still
    dutch = _pdf_text(pdf.data)
    assert "CPAS Taal" in dutch  # the print header: the organisation's name
    assert dutch != french
    for header in ("Aanvragen tot tegemoetkoming van het FSE", "Naam", "Voornaam", "Status"):
        assert header in dutch, (header, dutch)
    assert "Prénom" in french and "Prénom" not in dutch
