"""Smaller water-fund defects: export labels, IBAN checksum, one e-mail per recipient,
stored extension from the detected content."""

from __future__ import annotations

from email.header import decode_header, make_header
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from cpas.extensions import db
from cpas.water_fund.models import WaterFile, WaterRequest
from tests.helpers import page_text
from tests.water_fund.conftest import PDF


def _fat_form(world, **overrides):
    data = {
        "distributor_id": world.dist_x.id,
        "last_name": "Dupont",
        "first_name": "Marie",
        "street": "Rue Haute",
        "house_number": "1",
        "postal_code": "4000",
        "locality": "Liège",
        "client_number": "C-9",
        "contact_name": "Sophie",
        "contact_phone": "081000000",
        "contact_email": "contact@cpas-a.be",
        "works_type": "fuite",
        "payee": "contractor",
        "contractor_name": "Plomberie Dubois",
        "contractor_iban": "BE68 5390 0754 7034",
        "quote": (BytesIO(PDF), "devis.pdf"),
    }
    data.update(overrides)
    return data


# --------------------------------------------------------------------------- IBAN


def test_valid_iban_of_a_bank_missing_from_stdnum_table_is_accepted(app, client, login_as, world):
    login_as(world.user_a)
    response = client.post(
        "/fonds-eau/fat/nouvelle", data=_fat_form(world), content_type="multipart/form-data"
    )
    assert response.status_code == 302, page_text(response)
    with app.app_context():
        assert db.session.scalar(select(WaterRequest.contractor_iban)) == "BE68539007547034"


def test_iban_with_a_wrong_checksum_is_refused_next_to_the_field(app, client, login_as, world):
    login_as(world.user_a)
    # one digit changed: the IBAN check digits no longer match
    response = client.post(
        "/fonds-eau/fat/nouvelle",
        data=_fat_form(world, contractor_iban="BE68 5390 0754 7035"),
        content_type="multipart/form-data",
    )
    text = page_text(response)
    assert response.status_code == 422
    assert "IBAN) invalide" in text and 'value="BE68 5390 0754 7035"' in text
    with app.app_context():
        assert db.session.scalar(select(WaterRequest.id)) is None


def test_belgian_account_check_digits_still_count():
    from stdnum import iban
    from stdnum.exceptions import ValidationError

    from cpas.formfields import check_iban

    # IBAN digits recomputed for a Belgian account whose own two check digits are wrong
    bban = "539007547035"
    number = "BE" + iban.calc_check_digits("BE00" + bban) + bban
    assert iban.is_valid(number) is False  # stdnum's Belgian module refuses it too
    try:
        check_iban(number)
    except ValidationError:
        pass
    else:
        raise AssertionError("a Belgian account with wrong check digits was accepted")
    assert check_iban("NL91 ABNA 0417 1643 00") == "NL91ABNA0417164300"


# --------------------------------------------------------------------------- uploads


def test_stored_and_served_extension_follows_the_content(app, client, login_as, world, new_request):
    request_id = new_request("fse")
    login_as(world.user_a)
    response = client.post(
        f"/fonds-eau/fse/{request_id}/fichiers",
        content_type="multipart/form-data",
        data={"file_type": "courrier", "file": (BytesIO(PDF), "y.html")},
    )
    assert response.status_code == 200
    with app.app_context():
        stored = db.session.scalar(select(WaterFile).where(WaterFile.request_id == request_id))
        assert stored.stored_name.endswith(".pdf") and stored.original_name == "y.pdf"
        assert stored.mime_type == "application/pdf"
        file_id = stored.id
    download = client.get(f"/fonds-eau/fichiers/{file_id}")
    assert download.mimetype == "application/pdf"
    assert 'filename="y.pdf"' in download.headers["Content-Disposition"] or (
        "filename=y.pdf" in download.headers["Content-Disposition"]
    )
    assert download.data == PDF


# --------------------------------------------------------------------------- e-mails


def test_status_mail_one_message_per_recipient_with_number_not_name(
    app, world, new_request, make_user, smtp
):
    make_user(world.dist_x, all_access=True, email="second@dist-x.be")
    smtp.messages.clear()
    request_id = new_request("fat")
    received = {m["X-Envelope-To"]: m for m in smtp.messages}
    # the distributor's two users and the CPAS contact person named on the request
    assert set(received) == {"agent@dist-x.be", "second@dist-x.be", "contact@cpas-a.be"}
    for address, message in received.items():
        assert message["To"] == address  # nobody sees who else was told
        body = smtp.body(message)
        subject = str(make_header(decode_header(message["Subject"])))
        assert f"n° {request_id}" in subject and f"n° {request_id}" in body
        for personal in ("Dupont", "Marie"):
            assert personal not in subject and personal not in body


# --------------------------------------------------------------------------- exports


def test_excel_export_shows_labels_not_ids(app, client, login_as, world, new_request):
    request_id = new_request("fse")
    login_as(world.user_a)
    response = client.get("/fonds-eau/fse/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, line = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert "Distributeur" in header and not any("ID)" in str(h) for h in header)
    assert line["ID"] == request_id
    assert line["Distributeur"] == "Distributeur X"
    assert line["CPAS"] == "CPAS A"
    assert line["Statut"] == "SOUMISE" and line["Action suivante"] == "Distributeur"
