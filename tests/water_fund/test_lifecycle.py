"""Both life cycles: every allowed and every forbidden transition, for both sides."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from cpas.access.models import User
from cpas.extensions import db
from cpas.water_fund import lifecycle as lc
from cpas.water_fund import services
from cpas.water_fund.models import WaterFile, WaterRequest
from tests.water_fund.conftest import pdf

ALL_ACTIONS = ("approve", "refuse", "request_info", "answer_info", "validate", "pay", "cancel")
SIDES = ("cpas", "distributor", "fund_manager")


def _expected(kind, status, action, side):
    step = lc.find(kind, action)
    return step is not None and status in step.source and step.allowed_side(side)


def _inputs(kind, action):
    # confirmed: refusing, paying and cancelling are asked for confirmation (test_irreversible)
    return services.TransitionInput(
        amount=Decimal("800.00"), comment="Motif", flat_fee_paid=True, confirmed=True
    )


CASES = [
    (kind, status, action, side)
    for kind in lc.KINDS
    for status in lc.STATUSES[kind]
    for action in ALL_ACTIONS
    for side in SIDES
]


@pytest.mark.parametrize("kind,status,action,side", CASES)
def test_transition_matrix(app, world, new_request, kind, status, action, side):
    request_id = new_request(kind)
    actor = {"cpas": world.user_a, "distributor": world.user_x, "fund_manager": world.user_spge}[
        side
    ]
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        row.status = status  # put the request in the state under test
        db.session.add(
            WaterFile(
                request_id=row.id,
                file_type="facture",
                original_name="f.pdf",
                stored_name=f"x{request_id}",
                mime_type="application/pdf",
                size=1,
            )
        )
        db.session.commit()
        user = db.session.get(User, actor.id)
        allowed = _expected(kind, status, action, side)
        if allowed:
            services.transition(row, action, user, row.version, _inputs(kind, action))
            assert db.session.get(WaterRequest, request_id).status == lc.find(kind, action).target
        else:
            with pytest.raises(services.WaterRuleError):
                services.transition(row, action, user, row.version, _inputs(kind, action))
            db.session.rollback()
            assert db.session.get(WaterRequest, request_id).status == status


def test_fat_cycle_and_history(app, world, new_request):
    request_id = new_request("fat")
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        cpas, dist = db.session.get(User, world.user_a.id), db.session.get(User, world.user_x.id)
        with pytest.raises(services.WaterRuleError, match="montant approuvé"):
            services.transition(row, "approve", dist, row.version, services.TransitionInput())
        services.transition(
            row, "approve", dist, row.version, services.TransitionInput(amount=Decimal("900"))
        )
        assert row.granted_amount == Decimal("900.00")
        with pytest.raises(services.WaterRuleError, match="facture"):
            services.transition(
                row, "validate", cpas, row.version, services.TransitionInput(flat_fee_paid=True)
            )
        services.add_file(row, "facture", pdf("facture.pdf"), cpas)
        with pytest.raises(services.WaterRuleError, match="forfait"):
            services.transition(row, "validate", cpas, row.version, services.TransitionInput())
        services.transition(
            row, "validate", cpas, row.version, services.TransitionInput(flat_fee_paid=False)
        )
        services.transition(row, "pay", dist, row.version, services.TransitionInput(confirmed=True))
        assert row.status == lc.PAID and row.closed_at is not None and row.flat_fee_paid is False
        steps = [(e.from_status, e.to_status) for e in row.events]
        assert steps == [
            (None, "SOUMISE"),
            ("SOUMISE", "APPROUVEE"),
            ("APPROUVEE", "EN_ATTENTE_PAIEMENT"),
            ("EN_ATTENTE_PAIEMENT", "PAYEE"),
        ]
        assert all(e.user_id for e in row.events)


def test_fse_information_loop(app, world, new_request):
    request_id = new_request("fse")
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        cpas, dist = db.session.get(User, world.user_a.id), db.session.get(User, world.user_x.id)
        services.transition(
            row,
            "refuse",
            dist,
            row.version,
            services.TransitionInput(comment="Hors critères", confirmed=True),
        )
        with pytest.raises(services.WaterRuleError):
            services.transition(
                row, "request_info", cpas, row.version, services.TransitionInput(comment="")
            )
        services.transition(
            row, "request_info", cpas, row.version, services.TransitionInput(comment="Pourquoi ?")
        )
        assert row.status == lc.INFO_PENDING and lc.NEXT_ACTOR[row.status] == "Distributeur"
        services.transition(
            row,
            "answer_info",
            dist,
            row.version,
            services.TransitionInput(comment="Revenu trop élevé"),
        )
        assert row.status == lc.REFUSED and row.info_answer == "Revenu trop élevé"
        for action in ("validate", "cancel", "pay"):
            with pytest.raises(services.WaterRuleError):
                services.transition(
                    row,
                    action,
                    dist,
                    row.version,
                    services.TransitionInput(amount=Decimal(1), comment="x"),
                )


def test_fat_needs_a_quote(app, world):
    from cpas.access.models import Organisation
    from tests.water_fund.conftest import FAT

    with app.app_context():
        with pytest.raises(services.WaterRuleError, match="devis"):
            services.create_request(
                "fat",
                db.session.get(Organisation, world.cpas_a.id),
                db.session.get(Organisation, world.dist_x.id),
                FAT,
                db.session.get(User, world.user_a.id),
                None,
            )
        assert db.session.scalar(select(WaterRequest.id)) is None


def test_distributor_not_linked_is_refused(app, world):
    from cpas.access.models import Organisation
    from tests.water_fund.conftest import FSE

    with app.app_context(), pytest.raises(services.WaterRuleError, match="pas lié"):
        services.create_request(
            "fse",
            db.session.get(Organisation, world.cpas_b.id),
            db.session.get(Organisation, world.dist_y.id),
            FSE,
            db.session.get(User, world.user_b.id),
        )


def test_function_code_is_needed_too(app, world, new_request, make_user):
    request_id = new_request("fse")
    viewer = make_user(world.dist_x, functions=["water.fse.view"])
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        with pytest.raises(services.WaterRuleError):
            services.transition(
                row,
                "refuse",
                db.session.get(User, viewer.id),
                row.version,
                services.TransitionInput(comment="x"),
            )
