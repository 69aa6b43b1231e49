"""After the distributor's approval, what was approved is locked: the beneficiary, the
amounts and the payment details; only the CPAS's references, contact and notes may change."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from cpas.access.models import User
from cpas.extensions import db
from cpas.water_fund import services
from cpas.water_fund.models import WaterRequest
from tests.helpers import page_text


def _approve(app, world, request_id: int) -> None:
    """The distributor approves (FAT « Approuver », FSE « Valider »)."""
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        action = "approve" if row.kind == "fat" else "validate"
        services.transition(
            row,
            action,
            db.session.get(User, world.user_x.id),
            row.version,
            services.TransitionInput(amount=Decimal("900.00")),
        )


def _saved_form(app, request_id: int) -> dict:
    """What the edit form posts when nothing is changed (the saved values)."""
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        data = {
            "version": str(row.version),
            "distributor_id": str(row.distributor_id),
            "internal_ref": row.internal_ref or "",
            "last_name": row.last_name,
            "first_name": row.first_name,
            "street": row.street,
            "house_number": row.house_number,
            "postal_code": row.postal_code,
            "locality": row.locality,
            "client_number": row.client_number,
            "extra_info": row.extra_info or "",
        }
        if row.kind == "fat":
            data.update(
                contact_name=row.contact_name,
                contact_phone=row.contact_phone,
                contact_email=row.contact_email,
                works_type=row.works_type,
                quote_amount="1.250,00",
                requested_amount="1.000,00",
                payee=row.payee,
                contractor_name=row.contractor_name,
                contractor_iban=row.contractor_iban,
            )
        else:
            data.update(
                requested_amount="350,00",
                recurrence=row.recurrence,
                contract_accounts=row.values("contract_account"),
                invoice_numbers=row.values("invoice_number"),
            )
        return data


def _row(app, request_id: int) -> SimpleNamespace:
    """A snapshot of the saved request (columns and multi-valued lines)."""
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        values = {c.key: getattr(row, c.key) for c in WaterRequest.__table__.columns}
        lines = {t: row.values(t) for t in ("contract_account", "invoice_number")}
        return SimpleNamespace(**values, values=lines.__getitem__)


# Tampered posts after approval: (kind, field, posted value) — each must be refused.
TAMPERED = [
    ("fat", "last_name", "Autre"),
    ("fat", "first_name", "Paul"),
    ("fat", "street", "Rue Neuve"),
    ("fat", "client_number", "CLI-999"),
    ("fat", "requested_amount", "5.000,00"),
    ("fat", "quote_amount", "9.999,00"),
    ("fat", "contractor_iban", "BE68 5390 0754 7034"),
    ("fat", "contractor_name", "Société Fantôme"),
    ("fat", "payee", "cpas"),
    ("fse", "last_name", "Autre"),
    ("fse", "requested_amount", "3.500,00"),
    ("fse", "contract_accounts", ["CA-1", "CA-666"]),
    ("fse", "invoice_numbers", ["F-9"]),
]


@pytest.mark.parametrize("kind,name,value", TAMPERED)
def test_a_tampered_post_after_approval_is_refused(
    app, client, login_as, world, new_request, kind, name, value
):
    request_id = new_request(kind)
    _approve(app, world, request_id)
    before = _row(app, request_id)
    lines_before = before.values("contract_account"), before.values("invoice_number")
    login_as(world.user_a)
    data = {**_saved_form(app, request_id), name: value}
    if kind == "fat" and name == "payee":
        data["cpas_iban"] = "BE71 0961 2345 6769"
    answer = client.post(
        f"/fonds-eau/{kind}/{request_id}/editer",
        data=data,
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    assert "Le distributeur a approuvé cette demande" in page_text(answer)
    after = _row(app, request_id)
    for column in ("last_name", "first_name", "street", "client_number", "requested_amount"):
        assert getattr(after, column) == getattr(before, column)
    assert (after.quote_amount, after.contractor_iban, after.payee, after.contractor_name) == (
        before.quote_amount,
        before.contractor_iban,
        before.payee,
        before.contractor_name,
    )
    assert (after.values("contract_account"), after.values("invoice_number")) == lines_before
    assert after.version == before.version


def test_references_contact_and_notes_stay_editable_after_approval(
    app, client, login_as, world, new_request
):
    request_id = new_request("fat")
    _approve(app, world, request_id)
    login_as(world.user_a)
    data = {
        **_saved_form(app, request_id),
        "internal_ref": "DOS-43",
        "contact_phone": "042222222",
        "extra_info": "Facture attendue fin du mois.",
    }
    answer = client.post(
        f"/fonds-eau/fat/{request_id}/editer", data=data, content_type="multipart/form-data"
    )
    assert answer.status_code == 302, page_text(answer)
    row = _row(app, request_id)
    assert (row.internal_ref, row.contact_phone, row.extra_info) == (
        "DOS-43",
        "042222222",
        "Facture attendue fin du mois.",
    )
    assert row.last_name == "Dupont" and row.granted_amount == Decimal("900.00")


def test_the_edit_form_shows_what_is_locked(app, client, login_as, world, new_request):
    request_id = new_request("fat")
    login_as(world.user_a)
    before = page_text(client.get(f"/fonds-eau/fat/{request_id}/editer"))
    assert 'id="approved-lock"' not in before
    _approve(app, world, request_id)
    html = page_text(client.get(f"/fonds-eau/fat/{request_id}/editer"))
    assert 'id="approved-lock"' in html
    for name in ("last_name", "requested_amount", "contractor_iban"):
        tag = html.split(f'name="{name}"', 1)[1].split(">", 1)[0]
        assert "readonly" in tag, name
    contact = html.split('name="contact_phone"', 1)[1].split(">", 1)[0]
    assert "readonly" not in contact


def test_before_approval_the_beneficiary_can_still_be_corrected(
    app, client, login_as, world, new_request
):
    request_id = new_request("fse")
    login_as(world.user_a)
    data = {**_saved_form(app, request_id), "last_name": "Dupond"}
    answer = client.post(f"/fonds-eau/fse/{request_id}/editer", data=data)
    assert answer.status_code == 302, page_text(answer)
    with app.app_context():
        assert db.session.scalar(select(WaterRequest.last_name)) == "Dupond"


def test_the_service_refuses_too(app, world, new_request):
    request_id = new_request("fse")
    _approve(app, world, request_id)
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        with pytest.raises(services.WaterRuleError, match="approuvé"):
            services.update_request(
                row,
                {"requested_amount": Decimal("999.00")},
                db.session.get(User, world.user_a.id),
                row.version,
            )
        db.session.rollback()
        assert db.session.get(WaterRequest, request_id).requested_amount == Decimal("350.00")
