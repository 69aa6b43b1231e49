"""Import of the REDI workbook: valid file, each kind of error, merge, bombs, round trip."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import func, select

from cpas.extensions import db
from cpas.redi.models import RediLine
from tests.helpers import page_text, with_version
from tests.redi.conftest import HEADER, NISS_A, NISS_B, NISS_C, row, workbook


def _upload(client, campaign_id, data, name="redi.xlsx"):
    return client.post(
        f"/redi/campagnes/{campaign_id}/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _confirm(client, response):
    import re

    token = re.search(r"/redi/imports/([\w-]+)/confirmer", response.get_data(as_text=True)).group(1)
    return client.post(f"/redi/imports/{token}/confirmer", follow_redirects=True)


def _lines(app, campaign_id):
    with app.app_context():
        return db.session.scalars(
            select(RediLine).where(RediLine.campaign_id == campaign_id).order_by(RediLine.position)
        ).all()


def test_valid_file_preview_then_confirm(app, client, login_as, redi):
    login_as(redi.encoder)
    data = workbook(
        [row(), row(budget="66", when="1-7-2023"), row(niss=NISS_C, budget="70", balance=-80.5)]
    )
    preview = _upload(client, redi.campaign_id, data)
    assert preview.status_code == 200 and "Aperçu : 3 ligne(s)" in page_text(preview)
    assert _lines(app, redi.campaign_id) == []  # nothing saved before confirmation
    done = _confirm(client, preview)
    assert "3 ligne(s) ajoutée(s)" in page_text(done)
    lines = _lines(app, redi.campaign_id)
    assert [(x.niss, x.budget_number, x.budget_date, x.balance) for x in lines] == [
        (NISS_A, "64", date(2023, 5, 1), Decimal("-116.29")),
        (NISS_A, "66", date(2023, 7, 1), Decimal("-116.29")),
        (NISS_C, "70", date(2023, 5, 1), Decimal("-80.50")),
    ]


def test_columns_found_by_header_not_position(app, client, login_as, redi):
    login_as(redi.encoder)
    header = [
        "N° MSS",
        "INS CPAS",
        "Solde budget mensuel",
        "Date budget mensuel",
        "N° budget mensuel",
    ]
    data = workbook([[NISS_B, "99001", "-200", "15/06/2023", 12]], header=header)
    _confirm(client, _upload(client, redi.campaign_id, data))
    [line] = _lines(app, redi.campaign_id)
    assert (line.niss, line.budget_number, line.balance, line.budget_date) == (
        NISS_B,
        "12",
        Decimal("-200.00"),
        date(2023, 6, 15),
    )


def test_each_kind_of_error_is_reported_and_nothing_saved(app, client, login_as, redi):
    login_as(redi.encoder)
    data = workbook(
        [
            row(niss="85073003329"),  # bad check digit
            row(ins="12345"),  # another CPAS
            row(when="31/02/2023"),  # impossible date
            row(balance="beaucoup"),  # amount
            row(activation="Peut-être"),  # unknown choice
            row(),  # fine
        ]
    )
    response = _upload(client, redi.campaign_id, data)
    text = page_text(response)
    assert response.status_code == 422 and "5 erreur(s)" in text
    for message in (
        "NISS 85073003329 invalide",
        "code INS 12345",
        "date illisible",
        "montant illisible",
        "valeur inconnue",
    ):
        assert message in text
    assert "Confirmer l'import" not in text
    assert _lines(app, redi.campaign_id) == []


def test_encoded_values_in_the_sheet_are_imported_and_validated(app, client, login_as, redi):
    login_as(redi.encoder)
    data = workbook(
        [
            row(
                activation="Oui – PIIS",
                decision_date="2023-06-01",
                monthly_granted="100,00",
                period_start="01/06/2023",
                period_end="15/08/2023",
                months=3,
                payment="Mensuelle",
                total_paid=300,
            )
        ]
    )
    _confirm(client, _upload(client, redi.campaign_id, data))
    [line] = _lines(app, redi.campaign_id)
    assert (
        line.activation == "oui_piis" and line.months == 3 and line.total_paid == Decimal("300.00")
    )
    assert line.complete


def test_reimport_merges_keeps_encoding_flags_vanished(app, client, login_as, redi):
    login_as(redi.encoder)
    _confirm(
        client, _upload(client, redi.campaign_id, workbook([row(), row(niss=NISS_B, budget="7")]))
    )
    first = _lines(app, redi.campaign_id)[0]
    client.post(
        f"/redi/lignes/{first.id}",
        data=with_version(app, RediLine, first.id)
        | {"activation": "oui_autre", "monthly_granted": "50"},
    )
    newer = workbook([row(balance="-150"), row(niss=NISS_C, budget="9")])  # B vanished, C new
    response = _confirm(client, _upload(client, redi.campaign_id, newer))
    assert "1 ligne(s) ajoutée(s), 1 mise(s) à jour, 1 simulation(s) absente(s)" in page_text(
        response
    )
    lines = {(x.niss, x.budget_number): x for x in _lines(app, redi.campaign_id)}
    assert lines[(NISS_A, "64")].activation == "oui_autre"  # kept
    assert lines[(NISS_A, "64")].balance == Decimal("-150.00")  # refreshed from REDI
    assert lines[(NISS_B, "7")].vanished is True  # flagged, not deleted
    assert (NISS_C, "9") in lines


def test_workbook_bombs_and_non_workbooks_are_refused(app, client, login_as, redi):
    login_as(redi.encoder)
    not_zip = _upload(client, redi.campaign_id, b"%PDF-1.4 not excel")
    assert "Ce n'est pas un classeur Excel" in page_text(not_zip)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (70 * 1024 * 1024))
    refused = _upload(client, redi.campaign_id, bomb.getvalue())
    assert refused.status_code == 422 and "décompressé trop volumineux" in page_text(refused)
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")  # an xlsx by its content
        for n in range(250):
            archive.writestr(f"x/{n}.xml", "<a/>")
    assert "trop d'éléments" in page_text(_upload(client, redi.campaign_id, many.getvalue()))
    headerless = workbook([["a", "b"]], header=["Nom", "Prénom"])
    assert "En-têtes REDI introuvables" in page_text(_upload(client, redi.campaign_id, headerless))
    with app.app_context():
        assert db.session.scalar(select(func.count(RediLine.id))) == 0


def test_export_reimported_gives_the_same_rows(app, client, login_as, redi):
    login_as(redi.encoder)
    _confirm(
        client,
        _upload(
            client, redi.campaign_id, workbook([row(), row(niss=NISS_B, budget="7", balance="-40")])
        ),
    )
    first = _lines(app, redi.campaign_id)[0]
    client.post(
        f"/redi/lignes/{first.id}",
        data=with_version(app, RediLine, first.id)
        | {
            "activation": "oui_piis",
            "decision_date": "2023-06-01",
            "monthly_granted": "100,00",
            "period_start": "2023-06-01",
            "period_end": "2023-08-15",
            "months": "3",
            "payment": "mensuelle",
            "total_paid": "250",
        },
    )
    exported = client.get(f"/redi/campagnes/{redi.campaign_id}/export.xlsx")
    ws = load_workbook(io.BytesIO(exported.data)).active
    assert [c.value for c in ws[4]] == HEADER
    assert ws["A2"].value.startswith("Période 01/05/23")
    assert ws["E5"].fill.fgColor.rgb.endswith("D9D9D9") and ws["F5"].fill.fgColor.rgb in (
        None,
        "00000000",
    )
    assert ws["R5"].value == "Complet" and ws["M5"].value == 300 and ws["N5"].value == 300
    before = [
        (x.niss, x.budget_number, x.balance, x.activation, x.months, x.total_paid)
        for x in _lines(app, redi.campaign_id)
    ]
    # a second campaign imports the export: same rows
    from cpas.access.models import User
    from cpas.redi import services

    with app.app_context():
        second = services.create_campaign(
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
    _confirm(client, _upload(client, second, exported.data))
    after = [
        (x.niss, x.budget_number, x.balance, x.activation, x.months, x.total_paid)
        for x in _lines(app, second)
    ]
    assert after == before


def test_the_upload_check_comes_before_the_workbook_is_read(app, client, login_as, redi):
    """Missing file, too big, not an xlsx by its content (a Word file is a zip too)."""
    login_as(redi.encoder)
    missing = client.post(
        f"/redi/campagnes/{redi.campaign_id}/import", data={}, content_type="multipart/form-data"
    )
    assert missing.status_code == 422
    assert "Choisissez le fichier Excel téléchargé depuis REDI." in page_text(missing)
    word = io.BytesIO()
    with zipfile.ZipFile(word, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    refused = _upload(client, redi.campaign_id, word.getvalue(), name="redi.xlsx")
    assert refused.status_code == 422
    assert "Ce n'est pas un classeur Excel (.xlsx)." in page_text(refused)
    huge = _upload(client, redi.campaign_id, workbook([row()]) + b"\0" * (5 * 1024 * 1024))
    assert huge.status_code == 422 and "Le fichier dépasse 5 Mo." in page_text(huge)
    with app.app_context():
        assert db.session.scalar(select(func.count(RediLine.id))) == 0
