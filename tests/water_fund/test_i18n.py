"""The water fund in Dutch: pages, breadcrumbs, form messages, statuses, exports (Excel
inline and in the background, PDF) and e-mails in each recipient's own language."""

from __future__ import annotations

import re
from decimal import Decimal
from email.header import decode_header, make_header
from io import BytesIO

import pytest
from openpyxl import load_workbook

from cpas.access.models import User
from cpas.extensions import db
from cpas.water_fund import exports
from cpas.water_fund.models import ExportJob, WaterRequest
from tests.helpers import page_text
from tests.helpers import pdf_text as _pdf_text


def _to_dutch(client) -> None:
    assert client.post("/langue", data={"locale": "nl"}).status_code in (302, 303)


def _reads(app, user, locale: str | None) -> None:
    with app.app_context():
        db.session.get(User, user.id).locale = locale
        db.session.commit()


def _breadcrumb(html: str) -> str:
    found = re.search(r'<nav class="breadcrumb[^"]*"[^>]*>(.*?)</nav>', html, re.S)
    assert found, "no breadcrumb"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def _version(app, request_id: int) -> int:
    with app.app_context():
        return db.session.get(WaterRequest, request_id).version


# --------------------------------------------------------------------------- pages


def test_pages_in_dutch(app, client, login_as, world, new_request):
    request_id = new_request("fat")
    login_as(world.user_a)
    _to_dutch(client)
    dashboard = page_text(client.get("/fonds-eau/"))
    assert "Waterfonds – Startpagina" in dashboard and "Uniek trekkingsrecht" in dashboard
    assert "FAT afgesloten" in dashboard and "jan." in dashboard
    listing = client.get("/fonds-eau/fat")
    text = page_text(listing)
    assert "Aanvraag tot tegemoetkoming van het FAT" in text
    assert "KLANTNUMMER" in text and "VOLGENDE ACTIE" in text and "INGEDIEND" in text
    assert "Begin van de naam" in listing.get_data(as_text=True)  # the placeholder
    assert (
        _breadcrumb(listing.get_data(as_text=True))
        == "Startpagina Sociaal Waterfonds Aanvragen FAT"
    )
    detail = client.get(f"/fonds-eau/fat/{request_id}")
    text = page_text(detail)
    for dutch in (
        "Status:",
        "Volgende actie:",
        "Begunstigde",
        "Soort werken",
        "Herstelling van een lek",  # the works type's code shown as its label
        "Statusgeschiedenis",
        "Bestand opslaan",
    ):
        assert dutch in text, dutch
    assert "Demande" not in text and "Bénéficiaire" not in text
    assert _breadcrumb(detail.get_data(as_text=True)) == (
        f"Startpagina Sociaal Waterfonds Aanvragen FAT Aanvraag nr. {request_id}"
    )
    form = page_text(client.get("/fonds-eau/fat/nouvelle"))
    assert "Nieuwe aanvraag tot tegemoetkoming van het FAT" in form
    assert "Vervanging of verplaatsing van de meter" in form and "Eigenaar" in form
    assert "Aanvraag indienen" in form
    glossary = page_text(client.get("/fonds-eau/glossaire"))
    assert "Woordenlijst" in glossary and "UTR = ATR + ITR" in glossary
    assert "Financieel mechanisme" in glossary
    info = page_text(client.get("/fonds-eau/informations"))
    assert "Algemene informatie" in info and "Initiële trekkingsrechten (ITR)" in info
    notes = page_text(client.get("/fonds-eau/fat/notifications"))
    assert "Beheer van de meldingen FAT" in notes and "WACHT OP BETALING" in notes


def test_the_same_pages_stay_french(client, login_as, world, new_request):
    request_id = new_request("fat")
    login_as(world.user_a)
    text = page_text(client.get(f"/fonds-eau/fat/{request_id}"))
    assert "Bénéficiaire" in text and "Réparation de fuite" in text and "SOUMISE" in text
    assert "Begunstigde" not in text and "INGEDIEND" not in text


def test_form_messages_and_flash_in_dutch(client, login_as, world):
    login_as(world.user_a)
    _to_dutch(client)
    answer = client.post(
        "/fonds-eau/fat/nouvelle", data={"payee": "contractor", "postal_code": "12"}
    )
    text = page_text(answer)
    assert answer.status_code == 422
    assert "Dit veld is verplicht." in text and "4 cijfers." in text
    assert "Offerte: Kies een bestand." in text
    assert "Ce champ est obligatoire." not in text and "4 chiffres." not in text


def test_panel_steps_and_confirmation_in_dutch(app, client, login_as, world, new_request):
    request_id = new_request("fat")
    login_as(world.user_x)
    _to_dutch(client)
    text = page_text(client.get(f"/fonds-eau/fat/{request_id}"))
    assert "Goedkeuren" in text and "Weigeren" in text
    answer = client.post(
        f"/fonds-eau/fat/{request_id}/action/refuse",
        data={"comment": "Onvolledig", "version": _version(app, request_id)},
    )
    # the no-JS confirmation step asks its question in Dutch
    assert "Deze aanvraag weigeren?" in page_text(answer)


# --------------------------------------------------------------------------- exports


def _sheet(data: bytes) -> list[tuple]:
    return list(load_workbook(BytesIO(data)).active.iter_rows(values_only=True))


def test_excel_export_in_dutch(client, login_as, world, new_request):
    request_id = new_request("fse")
    login_as(world.user_a)
    _to_dutch(client)
    rows = _sheet(client.get("/fonds-eau/fse/export.xlsx").data)
    line = dict(zip(rows[0], rows[1], strict=True))
    assert rows[0][:4] == ("ID", "Naam", "Voornaam", "Klantnummer")
    assert line["ID"] == request_id and line["Status"] == "INGEDIEND"
    assert line["Volgende actie"] == "Distributeur" and line["OCMW"] == "CPAS A"


def test_background_export_in_the_language_it_was_asked_in(
    client, login_as, world, new_request, monkeypatch
):
    monkeypatch.setattr(exports, "BACKGROUND_ROWS", 1)
    for n in range(2):
        new_request("fse", last_name=f"Ligne{n}")
    login_as(world.user_a)
    _to_dutch(client)
    assert "op de achtergrond" in page_text(client.get("/fonds-eau/fse/export.xlsx"))
    started = client.post("/fonds-eau/fse/export.xlsx")
    token = started.headers["Location"].rsplit("/", 1)[1]
    rows = _sheet(client.get(f"/fonds-eau/exports/{token}/fichier").data)
    assert rows[0][1] == "Naam" and rows[1][rows[0].index("Status")] == "INGEDIEND"


def test_background_job_outside_a_request_speaks_its_users_language(app, world, new_request):
    """A job run by the worker (no request, e.g. queued again when stale) uses the locale
    chosen on its user's account, not the worker's default."""
    new_request("fse")
    _reads(app, world.user_a, "nl")
    with app.app_context():
        user = db.session.get(User, world.user_a.id)
        job = ExportJob(
            token="tok-nl",
            user_id=user.id,
            organisation_id=user.organisation_id,
            kind="fse",
            params="{}",
            total_rows=1,
        )
        db.session.add(job)
        db.session.commit()
        exports._run(job.id)
        done = db.session.get(ExportJob, job.id)
        assert done.status == "done", done.error
        rows = _sheet((exports.export_dir() / done.file_name).read_bytes())
    assert rows[0][1] == "Naam" and rows[1][rows[0].index("Status")] == "INGEDIEND"


def test_pdf_export_in_dutch(client, login_as, world, new_request):
    new_request("fse")
    login_as(world.user_a)
    french = _pdf_text(client.get("/fonds-eau/fse/export.pdf").data)
    assert "Action suivante" in french and "SOUMISE" in french
    _to_dutch(client)
    text = _pdf_text(client.get("/fonds-eau/fse/export.pdf").data)
    assert "Aanvragen tot tegemoetkoming van het FSE" in text
    assert "Volgende actie" in text and "Aanvaard bedrag" in text and "INGEDIEND" in text
    assert "Action suivante" not in text


# --------------------------------------------------------------------------- e-mails


def _mails(smtp) -> dict[str, tuple[str, str]]:
    return {
        m["X-Envelope-To"]: (str(make_header(decode_header(m["Subject"]))), smtp.body(m))
        for m in smtp.messages
    }


def test_each_recipient_reads_the_mail_in_their_language(
    app, client, login_as, world, new_request, make_user, smtp
):
    make_user(world.dist_x, all_access=True, email="second@dist-x.be")  # no choice: French
    _reads(app, world.user_x, "nl")
    smtp.messages.clear()
    request_id = new_request("fat")  # by the CPAS user, who reads French
    mails = _mails(smtp)
    subject, body = mails["agent@dist-x.be"]
    assert subject == f"Aanvraag FAT nr. {request_id}: INGEDIEND"
    assert "Volgende actie: Distributeur" in body and "Demande" not in body
    subject, body = mails["second@dist-x.be"]
    assert subject == f"Demande FAT n° {request_id} : SOUMISE" and "Bonjour" in body

    # the Dutch-speaking distributor acts from a Dutch page: the CPAS side reads French
    smtp.messages.clear()
    login_as(world.user_x)
    _to_dutch(client)
    client.post(
        f"/fonds-eau/fat/{request_id}/action/approve",
        data={"amount": "900", "version": _version(app, request_id)},
    )
    mails = _mails(smtp)
    assert set(mails) >= {"agent@cpas-a.be", "contact@cpas-a.be"}
    for address in ("agent@cpas-a.be", "contact@cpas-a.be"):
        subject, body = mails[address]
        assert subject == f"Demande FAT n° {request_id} : APPROUVEE", address
        assert "Action suivante : CPAS" in body


@pytest.mark.parametrize("locale", ["nl", None])
def test_a_contact_with_an_account_reads_their_language(
    app, world, new_request, make_user, smtp, locale
):
    make_user(world.cpas_a, email="contact@cpas-a.be", locale=locale)
    smtp.messages.clear()
    request_id = new_request("fat", by=world.user_a)
    with app.app_context():
        from cpas.water_fund import services

        row = db.session.get(WaterRequest, request_id)
        by = db.session.get(User, world.user_x.id)
        smtp.messages.clear()
        services.transition(
            row, "approve", by, row.version, services.TransitionInput(amount=Decimal("900"))
        )
    subject, _body = _mails(smtp)["contact@cpas-a.be"]
    expected = "Aanvraag FAT nr." if locale == "nl" else "Demande FAT n°"
    assert subject.startswith(expected)
