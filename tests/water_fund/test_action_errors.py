"""Bad input in an action form or the drawing-rights form: the message next to the field,
the typed value kept, nothing saved; the drawing-rights form shows what is saved."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from cpas.extensions import db
from cpas.water_fund.models import DrawingRight, WaterRequest
from tests.helpers import page_text


def _version(app, request_id: int) -> int:
    with app.app_context():
        return db.session.get(WaterRequest, request_id).version


def _field_error(html: str, message_id: str) -> str:
    found = re.search(rf'id="{message_id}">([^<]*)<', html)
    return found.group(1).strip() if found else ""


def test_bad_amount_is_shown_next_to_the_field_and_kept(app, client, login_as, world, new_request):
    request_id = new_request("fat")
    login_as(world.user_x)
    for headers in ({}, {"HX-Request": "true"}):
        answer = client.post(
            f"/fonds-eau/fat/{request_id}/action/approve",
            data={"amount": "abc", "version": _version(app, request_id)},
            headers=headers,
        )
        html = page_text(answer)
        assert answer.status_code == 422
        assert _field_error(html, "amount-approve-msg").startswith("Montant invalide")
        amount = html.split('id="amount-approve"', 1)[1].split(">", 1)[0]
        assert 'value="abc"' in amount and 'aria-invalid="true"' in amount
        assert "toast-error" not in html  # no vanishing message instead of the field's
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        assert row.status == "SOUMISE" and row.granted_amount is None


def test_rule_of_the_service_is_shown_next_to_the_field(app, client, login_as, world, new_request):
    request_id = new_request("fse")
    login_as(world.user_x)
    answer = client.post(
        f"/fonds-eau/fse/{request_id}/action/validate",
        data={"amount": "0,00", "version": _version(app, request_id)},
    )
    html = page_text(answer)
    assert answer.status_code == 422
    assert _field_error(html, "amount-validate-msg") == "Indiquez le montant approuvé (positif)."
    assert 'value="0,00"' in html.split('id="amount-validate"', 1)[1].split(">", 1)[0]


def test_fat_validation_missing_choice_next_to_the_radio(app, client, login_as, world, new_request):
    from cpas.access.models import User
    from cpas.water_fund import services
    from tests.water_fund.conftest import pdf

    request_id = new_request("fat")
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        services.transition(
            row,
            "approve",
            db.session.get(User, world.user_x.id),
            row.version,
            services.TransitionInput(amount=Decimal("900")),
        )
        services.add_file(row, "facture", pdf("facture.pdf"), db.session.get(User, world.user_a.id))
    login_as(world.user_a)
    answer = client.post(
        f"/fonds-eau/fat/{request_id}/action/validate", data={"version": _version(app, request_id)}
    )
    assert answer.status_code == 422
    assert (
        _field_error(page_text(answer), "flat_fee_paid-validate-msg")
        == "Indiquez si le forfait a été payé."
    )


# --------------------------------------------------------------------------- drawing rights


def test_drawing_rights_form_shows_saved_values_and_keeps_bad_input(app, client, login_as, world):
    year = date.today().year
    with app.app_context():
        db.session.add(
            DrawingRight(
                cpas_id=world.cpas_a.id,
                distributor_id=world.dist_x.id,
                year=year,
                initial=Decimal("10000.00"),
                complementary=Decimal("2500.00"),
                fat_funds=Decimal("1200.00"),
            )
        )
        db.session.commit()
    login_as(world.user_spge)
    page = page_text(client.get(f"/fonds-eau/informations?annee={year}"))
    form = page.split(f'id="rights-{world.cpas_a.id}-{world.dist_x.id}"', 1)[1].split("</form>")[0]
    for name, shown in (("initial", "10000,00"), ("complementary", "2500,00")):
        tag = form.split(f'name="{name}"', 1)[1].split(">", 1)[0]
        value = re.search(r'value="([^"]*)"', tag)
        assert value and value.group(1).replace(".", "") == shown, (name, tag)
    with app.app_context():
        version = db.session.scalar(select(DrawingRight.version))
    answer = client.post(
        "/fonds-eau/informations",
        data={
            "annee": year,
            "cpas_id": world.cpas_a.id,
            "distributor_id": world.dist_x.id,
            "version": version,
            "initial": "abc",
            "complementary": "3.000,00",
            "fat_funds": "1.200,00",
        },
    )
    html = page_text(answer)
    assert answer.status_code == 422
    form = html.split(f'id="rights-{world.cpas_a.id}-{world.dist_x.id}"', 1)[1].split("</form>")[0]
    initial = form.split('name="initial"', 1)[1]
    assert initial.split(">", 1)[0].count('value="abc"') == 1  # typed value kept
    assert "Montant invalide" in initial.split("</label>", 1)[1].split("<label", 1)[0]
    assert 'value="3.000,00"' in form or 'value="3000,00"' in form  # the other typed value
    with app.app_context():
        right = db.session.scalar(select(DrawingRight))
        assert (right.initial, right.complementary) == (Decimal("10000.00"), Decimal("2500.00"))
