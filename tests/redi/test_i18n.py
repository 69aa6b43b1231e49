"""REDI in French and Dutch: pages, breadcrumbs, the sheet's headers and choices, the PDF.

Data stays data (issue 13): the importer reads the French and the Dutch REDI tool's sheets,
whatever the user's language; an export in either language imports again.
"""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from cpas.access.models import User
from cpas.extensions import db
from cpas.redi import exporter, importer, services
from cpas.redi.calc import ACTIVATION_CHOICES, PAYMENT_CHOICES
from cpas.redi.models import RediLine
from tests.helpers import page_text, with_version
from tests.helpers import pdf_text as _pdf_text
from tests.redi.conftest import HEADER, NISS_A, NISS_B, NISS_C, workbook

#: The Dutch REDI tool's headers, as the export writes them in Dutch.
HEADER_NL = [
    "INS OCMW", "INSZ-nummer", "Maandelijks budget nr.", "Datum maandelijks budget",
    "Saldo maandelijks budget", "Activeringstraject", "Beslissingsdatum",
    "Toegekend maandbedrag", "Gesubsidieerd maandbedrag", "Begin van de toekenningsperiode",
    "Einde van de toekenningsperiode", "Aantal maanden", "Totaal bedrag toegekend door het OCMW",
    "Totaal subsidieerbaar bedrag door de POD MI", "Betaling",
    "Totaal betaald bedrag tijdens de subsidieperiode", "Te betalen bedrag na de subsidieperiode",
    "Controle",
]  # fmt: skip

ENCODED = {
    "activation": "oui_piis",
    "decision_date": "2023-06-01",
    "monthly_granted": "100,00",
    "period_start": "2023-06-01",
    "period_end": "2023-08-15",
    "months": "3",
    "payment": "mensuelle",
    "total_paid": "250",
}


def _in(client, locale):
    client.post("/langue", data={"locale": locale, "next": "/"})


def _upload(client, campaign_id, data):
    return client.post(
        f"/redi/campagnes/{campaign_id}/import",
        data={"file": (io.BytesIO(data), "redi.xlsx")},
        content_type="multipart/form-data",
    )


def _confirm(client, preview):
    found = re.search(r"/redi/imports/([\w-]+)/confirmer", preview.get_data(as_text=True))
    assert found, page_text(preview)
    return client.post(f"/redi/imports/{found.group(1)}/confirmer", follow_redirects=True)


def _lines(app, campaign_id):
    with app.app_context():
        return db.session.scalars(
            select(RediLine).where(RediLine.campaign_id == campaign_id).order_by(RediLine.position)
        ).all()


def _facts(app, campaign_id):
    return [
        (
            x.ins_code, x.niss, x.budget_number, x.budget_date, x.balance, x.activation,
            x.decision_date, x.monthly_granted, x.period_start, x.period_end, x.months,
            x.payment, x.total_paid,
        )
        for x in _lines(app, campaign_id)
    ]  # fmt: skip


def _second_campaign(app, redi):
    with app.app_context():
        return services.create_campaign(
            redi.cpas.id,
            {
                "name": "Copie",
                "period_start": date(2023, 5, 1),
                "period_end": date(2024, 2, 29),
                "report_deadline": date(2024, 4, 30),
                "subsidy_amount": Decimal("1"),
            },
            db.session.get(User, redi.encoder.id),
        ).id


def _imported_and_encoded(app, client, redi):
    """Two simulations imported (French sheet), the first one fully encoded."""
    rows = [
        ["99001", NISS_A, "64", "1-5-2023", "-116,29"] + [None] * 13,
        ["99001", NISS_B, "7", "1-6-2023", "-40"] + [None] * 13,
    ]
    _confirm(client, _upload(client, redi.campaign_id, workbook(rows)))
    first = _lines(app, redi.campaign_id)[0]
    saved = client.post(
        f"/redi/lignes/{first.id}", data=with_version(app, RediLine, first.id) | ENCODED
    )
    assert saved.status_code == 200
    return first


def _breadcrumb(html: str) -> str:
    found = re.search(r'<nav class="breadcrumb[^"]*"[^>]*>(.*?)</nav>', html, re.S)
    assert found, "no breadcrumb"
    return found.group(1)


def test_the_redi_pages_in_dutch_with_their_breadcrumbs(app, client, login_as, redi):
    login_as(redi.encoder)
    _in(client, "nl")
    index = client.get("/redi/")
    text = page_text(index)
    assert "Nieuwe campagne" in text and "Campagne aanmaken" in text
    assert "Begin van de periode" in text and "Bedrag van de ontvangen subsidie" in text
    assert "Créer la campagne" not in text and "Nouvelle campagne" not in text
    trail = _breadcrumb(index.get_data(as_text=True))
    assert 'aria-current="page">REDI-subsidie<' in trail
    assert 'value="REDI-subsidie 2023-2024"' in index.get_data(as_text=True)  # proposed name

    campaign = client.get(f"/redi/campagnes/{redi.campaign_id}")
    text = page_text(campaign)
    assert "Geen lijnen: importeer het REDI-rekenblad." in text
    assert "REDI-rekenblad importeren" in text and "Ingevuld rekenblad exporteren" in text
    assert "Filteren" in text and "Grijze cellen" in text
    trail = _breadcrumb(campaign.get_data(as_text=True))
    assert f'href="/redi/campagnes/{redi.campaign_id}"' in trail and 'href="/redi/"' in trail
    assert 'aria-current="page">Invoer<' in trail

    upload = client.get(f"/redi/campagnes/{redi.campaign_id}/import")
    assert "Bestand controleren" in page_text(upload)
    assert 'aria-current="page">REDI-rekenblad importeren<' in _breadcrumb(
        upload.get_data(as_text=True)
    )
    report = client.get(f"/redi/campagnes/{redi.campaign_id}/rapport")
    assert "Bedrag van de subsidie" in page_text(report)
    assert 'aria-current="page">Enig Verslag<' in _breadcrumb(report.get_data(as_text=True))


def test_the_breadcrumbs_in_french(app, client, login_as, redi):
    login_as(redi.encoder)
    trail = _breadcrumb(client.get(f"/redi/campagnes/{redi.campaign_id}/rapport").get_data(True))
    assert 'href="/redi/">Subvention REDI<' in trail and ">REDI 2023-2024<" in trail
    assert 'aria-current="page">Rapport Unique<' in trail


def test_the_encoding_table_in_dutch(app, client, login_as, redi):
    login_as(redi.encoder)
    _imported_and_encoded(app, client, redi)
    _in(client, "nl")
    table = client.get(f"/redi/campagnes/{redi.campaign_id}")
    html, text = table.get_data(as_text=True), page_text(table)
    assert ">Ja – GPMI</option>" in html and ">Maandelijks</option>" in html
    assert "Volledig" in text and "Onvolledig" in text
    assert "Aan te vullen: activeringstraject, beslissingsdatum" in text
    assert "Lijn dupliceren" in text and "Incomplet" not in text and "Oui – PIIS" not in text
    # a message of the form, in Dutch
    second = _lines(app, redi.campaign_id)[1]
    refused = client.post(
        f"/redi/lignes/{second.id}",
        data=with_version(app, RediLine, second.id)
        | {"period_start": "2023-06-01", "period_end": "2023-07-31", "months": "5"},
    )
    assert refused.status_code == 422
    assert "Hoogstens 2 (de periode telt 2 maanden)." in page_text(refused)


def test_the_export_in_dutch_has_the_dutch_tools_headers_and_labels(app, client, login_as, redi):
    login_as(redi.encoder)
    _imported_and_encoded(app, client, redi)
    _in(client, "nl")
    exported = client.get(f"/redi/campagnes/{redi.campaign_id}/export.xlsx")
    ws = load_workbook(io.BytesIO(exported.data)).active
    assert [c.value for c in ws[4]] == HEADER_NL
    assert ws["A2"].value == "Periode 01/05/23 tot 29/02/24"
    assert (ws["F5"].value, ws["O5"].value, ws["R5"].value) == (
        "Ja – GPMI",
        "Maandelijks",
        "Volledig",
    )
    assert ws["R6"].value == "Onvolledig"
    # and in French, the French tool's
    _in(client, "fr")
    ws = load_workbook(
        io.BytesIO(client.get(f"/redi/campagnes/{redi.campaign_id}/export.xlsx").data)
    ).active
    assert [c.value for c in ws[4]] == HEADER
    assert (ws["F5"].value, ws["O5"].value, ws["R5"].value) == (
        "Oui – PIIS",
        "Mensuelle",
        "Complet",
    )


@pytest.mark.parametrize("locale", ["nl", "fr"])
def test_an_export_in_either_language_imports_again(app, client, login_as, redi, locale):
    login_as(redi.encoder)
    _imported_and_encoded(app, client, redi)
    before = _facts(app, redi.campaign_id)
    assert before[0][5:] == (
        "oui_piis", date(2023, 6, 1), Decimal("100.00"), date(2023, 6, 1), date(2023, 8, 15),
        3, "mensuelle", Decimal("250.00"),
    )  # fmt: skip
    _in(client, locale)
    exported = client.get(f"/redi/campagnes/{redi.campaign_id}/export.xlsx")
    second = _second_campaign(app, redi)
    # imported in the other language than it was exported in: the sheet is data
    _in(client, "fr" if locale == "nl" else "nl")
    preview = _upload(client, second, exported.data)
    assert preview.status_code == 200, page_text(preview)
    _confirm(client, preview)
    assert _facts(app, second) == before


def test_a_sheet_of_the_dutch_redi_tool_imports(app, client, login_as, redi):
    """Written here, not by the exporter: the Dutch tool's headers and choice labels."""
    login_as(redi.encoder)
    blank = [None] * 13
    rows = [
        ["99001", NISS_A, "64", "1-5-2023", "-116,29", "Nee – om billijkheidsredenen",
         "15/05/2023", "80", None, "01/06/2023", "31/07/2023", 2, None, None, "Eenmalig", "160"]
        + [None] * 2,
        ["99001", NISS_C, "70", "1-5-2023", -80.5, "Ja – PIIS"] + blank[1:],
        ["99001", NISS_B, "7", "1-6-2023", "-40", "Nee – al aan het werk", None, None, None,
         None, None, None, None, None, "Maandelijks"] + [None] * 3,
    ]  # fmt: skip
    data = workbook(rows, header=HEADER_NL, title="Periode 01/05/23 tot 29/02/24")
    preview = _upload(client, redi.campaign_id, data)  # a French-speaking user
    assert preview.status_code == 200, page_text(preview)
    assert "Aperçu : 3 ligne(s) · Periode 01/05/23 tot 29/02/24" in page_text(preview)
    _confirm(client, preview)
    facts = _facts(app, redi.campaign_id)
    assert facts[0] == (
        "99001", NISS_A, "64", date(2023, 5, 1), Decimal("-116.29"), "non_equite",
        date(2023, 5, 15), Decimal("80.00"), date(2023, 6, 1), date(2023, 7, 31), 2, "unique",
        Decimal("160.00"),
    )  # fmt: skip
    assert [f[5] for f in facts] == ["non_equite", "oui_piis", "non_emploi"]
    assert facts[2][11] == "mensuelle"


def test_an_unknown_choice_is_refused_in_the_users_language(app, client, login_as, redi):
    login_as(redi.encoder)
    _in(client, "nl")
    rows = [["99001", NISS_A, "64", "1-5-2023", "-116,29", "Misschien"] + [None] * 12]
    refused = _upload(client, redi.campaign_id, workbook(rows, header=HEADER_NL))
    assert refused.status_code == 422
    text = page_text(refused)
    assert "activeringstraject: onbekende waarde ‘Misschien’." in text
    assert _lines(app, redi.campaign_id) == []


def test_every_dutch_header_and_label_of_the_export_is_one_the_importer_reads(app):
    """The catalogue's Dutch for the sheet and the importer's list of the Dutch tool's texts
    are two copies of one thing: they must agree, column by column and choice by choice."""
    columns = [
        "ins_code", "niss", "budget_number", "budget_date", "balance", "activation",
        "decision_date", "monthly_granted", None, "period_start", "period_end", "months",
        None, None, "payment", "total_paid", None, None,
    ]  # fmt: skip
    with app.test_request_context(), force_locale("nl"):
        headers = [str(c.header) for c in exporter.COLUMNS]
        assert headers == HEADER_NL
        for header, name in zip(headers, columns, strict=True):
            found = [n for n, texts in importer.HEADERS.items() if importer._key(header) in texts]
            assert found == ([name] if name else []), header
        for code, label in {**ACTIVATION_CHOICES, **PAYMENT_CHOICES}.items():
            assert str(label) in importer.DUTCH_CHOICES[code], code


def test_the_report_pdf_in_dutch(app, client, login_as, redi):
    login_as(redi.encoder)
    french = _pdf_text(client.get(f"/redi/campagnes/{redi.campaign_id}/rapport.pdf").data)
    assert "Montant de la subvention" in french  # the reader reads this PDF at all
    _in(client, "nl")
    pdf = client.get(f"/redi/campagnes/{redi.campaign_id}/rapport.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = _pdf_text(pdf.data)
    for dutch in (
        "Enig Verslag – REDI-subsidie",
        "Bedrag van de subsidie",
        "Handtekeningen",
        "Voorzitter",
        "Algemeen directeur",
        "verslag verschuldigd op",
        "30/04/2024",
        "6.349,82 €",
    ):
        assert dutch in text, (dutch, text)
    assert "Montant de la subvention" not in text and "Signatures" not in text
