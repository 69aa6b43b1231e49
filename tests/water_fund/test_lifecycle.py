"""Whole journeys of seed 000 over HTTP, from « Créer » to the closed request: who acts at
each step (« ACTION SUIVANTE »), what each step needs, the history and the audit trail.

The full state × action × side table is in ``test_lifecycle_seed.py``; here each journey
goes through the real screens in order, as the guide tells it."""

from __future__ import annotations

import re
from decimal import Decimal
from io import BytesIO

from sqlalchemy import select

from cpas.audit import AuditEntry
from cpas.extensions import db
from cpas.water_fund.models import WaterRequest, WaterRequestEvent
from tests.helpers import page_text
from tests.water_fund.conftest import PDF
from tests.water_fund.test_lifecycle_seed import actions_shown

NEXT_ACTOR = re.compile(r"Action suivante\s*:\s*<strong>([^<]*)</strong>")

FAT_FORM = {
    "last_name": "Dupont",
    "first_name": "Marie",
    "street": "Rue de la Source",
    "house_number": "12",
    "postal_code": "4000",
    "locality": "Liège",
    "client_number": "CLI-001",
    "contact_name": "Sophie Lambert",
    "contact_phone": "081000000",
    "contact_email": "contact@cpas-a.be",
    "works_type": "fuite",
    "quote_amount": "1.250,00",
    "requested_amount": "1.000,00",
    "payee": "cpas",
    "cpas_iban": "BE71 0961 2345 6769",
}
FSE_FORM = {
    "last_name": "Dupont",
    "first_name": "Marie",
    "street": "Rue Haute",
    "house_number": "1",
    "postal_code": "4000",
    "locality": "Liège",
    "client_number": "C-9",
    "requested_amount": "350,00",
    "recurrence": "ponctuelle",
    "contract_accounts": ["CA-1"],
    "invoice_numbers": ["F-1"],
}


def _row(app) -> WaterRequest:
    with app.app_context():
        row = db.session.scalar(select(WaterRequest))
        assert row is not None
        db.session.expunge(row)
        return row


def _step(client, app, kind: str, action: str, **data):
    row = _row(app)
    return client.post(
        f"/fonds-eau/{kind}/{row.id}/action/{action}",
        data={"version": str(row.version), "confirmed": "1", **data},
    )


def _next_actor(client, kind: str, request_id: int) -> str:
    match = NEXT_ACTOR.search(page_text(client.get(f"/fonds-eau/{kind}/{request_id}")))
    assert match, "no « Action suivante » on the request's page"
    return match.group(1).strip()


def _history(app, request_id: int) -> list[tuple[str, str | None, str, int | None]]:
    with app.app_context():
        return [
            (e.action, e.from_status, e.to_status, e.user_id)
            for e in db.session.scalars(
                select(WaterRequestEvent)
                .where(WaterRequestEvent.request_id == request_id)
                .order_by(WaterRequestEvent.id)
            )
        ]


def _trail(app, kind: str) -> list[tuple[str, int | None]]:
    """The audit entries of the kind's steps, in order: (action, user)."""
    with app.app_context():
        return [
            (e.action, e.user_id)
            for e in db.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action.startswith(f"water.{kind}."))
                .order_by(AuditEntry.id)
            )
        ]


def _refused_unchanged(app, response, before: WaterRequest) -> None:
    assert 400 <= response.status_code < 500
    after = _row(app)
    assert (after.status, after.version) == (before.status, before.version)


def test_a_fat_from_submission_to_payment(app, client, login_as, world, smtp):
    cpas, dist = world.user_a, world.user_x
    # « Il est indispensable d'ajouter un devis pour valider la création »
    login_as(cpas)
    created = client.post(
        "/fonds-eau/fat/nouvelle",
        content_type="multipart/form-data",
        data={
            "distributor_id": world.dist_x.id,
            **FAT_FORM,
            "quote": (BytesIO(PDF), "devis.pdf"),
        },
    )
    assert created.status_code == 302
    row = _row(app)
    assert row.status == "SOUMISE" and _next_actor(client, "fat", row.id) == "Distributeur"
    assert actions_shown(client, "fat", row.id) == {"cancel"}

    # « En cas d'acceptation : le distributeur indiquera le montant approuvé. »
    login_as(dist)
    assert actions_shown(client, "fat", row.id) == {"approve", "refuse", "cancel"}
    _refused_unchanged(app, _step(client, app, "fat", "approve", amount=""), row)
    assert _step(client, app, "fat", "approve", amount="900,00").status_code == 200
    row = _row(app)
    assert row.status == "APPROUVEE" and row.granted_amount == Decimal("900.00")

    # « Ajouter la facture - Indiquer si le forfait a été payé - Valider »
    login_as(cpas)
    assert _next_actor(client, "fat", row.id) == "CPAS"
    no_invoice = _step(client, app, "fat", "validate", flat_fee_paid="oui")
    _refused_unchanged(app, no_invoice, row)
    assert "facture" in page_text(no_invoice).lower()
    added = client.post(
        f"/fonds-eau/fat/{row.id}/fichiers",
        content_type="multipart/form-data",
        data={"file_type": "facture", "file": (BytesIO(PDF), "facture.pdf")},
    )
    assert added.status_code == 200
    _refused_unchanged(app, _step(client, app, "fat", "validate"), _row(app))
    assert _step(client, app, "fat", "validate", flat_fee_paid="non").status_code == 200
    row = _row(app)
    assert row.status == "EN_ATTENTE_PAIEMENT" and row.flat_fee_paid is False

    # « Le distributeur va ensuite payer la facture et confirmer ce paiement. Le statut passe
    # en « PAYEE » et la demande d'intervention FAT est clôturée. »
    assert _next_actor(client, "fat", row.id) == "Distributeur"
    login_as(dist)
    assert _step(client, app, "fat", "pay").status_code == 200
    row = _row(app)
    assert row.status == "PAYEE" and row.closed_at is not None
    assert _next_actor(client, "fat", row.id) == "/"
    assert actions_shown(client, "fat", row.id) == set()

    assert _history(app, row.id) == [
        ("submit", None, "SOUMISE", cpas.id),
        ("approve", "SOUMISE", "APPROUVEE", dist.id),
        ("validate", "APPROUVEE", "EN_ATTENTE_PAIEMENT", cpas.id),
        ("pay", "EN_ATTENTE_PAIEMENT", "PAYEE", dist.id),
    ]
    assert _trail(app, "fat") == [
        ("water.fat.create", cpas.id),
        ("water.fat.approve", dist.id),
        ("water.fat.validate", cpas.id),
        ("water.fat.pay", dist.id),
    ]


def test_an_fse_refused_then_its_one_information_loop(app, client, login_as, world, smtp):
    cpas, dist = world.user_a, world.user_x
    login_as(cpas)
    created = client.post(
        "/fonds-eau/fse/nouvelle", data={"distributor_id": world.dist_x.id, **FSE_FORM}
    )
    assert created.status_code == 302
    row = _row(app)

    # « REFUSEE : le distributeur a refusé la demande » (with its motive)
    login_as(dist)
    _refused_unchanged(app, _step(client, app, "fse", "refuse", comment=""), row)
    assert _step(client, app, "fse", "refuse", comment="Hors critères").status_code == 200
    assert _row(app).status == "REFUSEE"

    # « le statut passe de « REFUSEE » à « EN ATTENTE D'INFORMATION » »
    login_as(cpas)
    assert actions_shown(client, "fse", row.id) == {"request_info"}
    _refused_unchanged(app, _step(client, app, "fse", "request_info", comment=""), _row(app))
    assert _step(client, app, "fse", "request_info", comment="Pourquoi ?").status_code == 200
    assert _row(app).status == "EN_ATTENTE_INFORMATION"
    assert _next_actor(client, "fse", row.id) == "Distributeur"

    # « Il aura la possibilité de vous répondre. Le statut de la demande passera ensuite en
    # « REFUSEE » »
    login_as(dist)
    assert actions_shown(client, "fse", row.id) == {"answer_info"}
    assert _step(client, app, "fse", "answer_info", comment="Revenu trop élevé").status_code == 200
    row = _row(app)
    assert row.status == "REFUSEE" and row.info_answer == "Revenu trop élevé"

    # « La demande est clôturée. »: nothing more for either side
    assert _next_actor(client, "fse", row.id) == "/"
    assert actions_shown(client, "fse", row.id) == set()
    login_as(cpas)
    assert actions_shown(client, "fse", row.id) == set()
    _refused_unchanged(app, _step(client, app, "fse", "request_info", comment="Et ?"), row)

    assert _history(app, row.id) == [
        ("submit", None, "SOUMISE", cpas.id),
        ("refuse", "SOUMISE", "REFUSEE", dist.id),
        ("request_info", "REFUSEE", "EN_ATTENTE_INFORMATION", cpas.id),
        ("answer_info", "EN_ATTENTE_INFORMATION", "REFUSEE", dist.id),
    ]
    assert _trail(app, "fse") == [
        ("water.fse.create", cpas.id),
        ("water.fse.refuse", dist.id),
        ("water.fse.request_info", cpas.id),
        ("water.fse.answer_info", dist.id),
    ]


def test_an_fse_validated_then_settled(app, client, login_as, world, smtp):
    cpas, dist = world.user_a, world.user_x
    login_as(cpas)
    client.post("/fonds-eau/fse/nouvelle", data={"distributor_id": world.dist_x.id, **FSE_FORM})
    row = _row(app)

    # « Le distributeur a validé la demande d'intervention » (the accepted amount)
    login_as(dist)
    assert actions_shown(client, "fse", row.id) == {"validate", "refuse", "cancel"}
    _refused_unchanged(app, _step(client, app, "fse", "validate", amount=""), row)
    assert _step(client, app, "fse", "validate", amount="1.234,56").status_code == 200
    row = _row(app)
    assert row.status == "EN_ATTENTE_PAIEMENT" and row.granted_amount == Decimal("1234.56")
    assert _next_actor(client, "fse", row.id) == "Distributeur"

    # « Lorsque le paiement est réalisé, le distributeur pourra clôturer la demande. »
    assert _step(client, app, "fse", "pay").status_code == 200
    row = _row(app)
    assert row.status == "APUREE" and row.closed_at is not None
    assert _next_actor(client, "fse", row.id) == "/"
    assert _history(app, row.id) == [
        ("submit", None, "SOUMISE", cpas.id),
        ("validate", "SOUMISE", "EN_ATTENTE_PAIEMENT", dist.id),
        ("pay", "EN_ATTENTE_PAIEMENT", "APUREE", dist.id),
    ]
    assert _trail(app, "fse") == [
        ("water.fse.create", cpas.id),
        ("water.fse.validate", dist.id),
        ("water.fse.pay", dist.id),
    ]


def test_only_a_linked_distributor_receives_a_request(app, client, login_as, world):
    # « Distributeur : … vous pouvez le modifier si nécessaire (cas où un CPAS est lié à
    # plusieurs distributeurs) »: CPAS B is linked to X only
    login_as(world.user_b)
    response = client.post(
        "/fonds-eau/fse/nouvelle", data={"distributor_id": world.dist_y.id, **FSE_FORM}
    )
    assert 400 <= response.status_code < 500
    with app.app_context():
        assert db.session.scalar(select(WaterRequest.id)) is None
