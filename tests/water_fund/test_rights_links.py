"""Drawing rights only for a CPAS × distributor pair that is linked (``cpas_distributor``)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cpas.extensions import db
from cpas.water_fund.models import DrawingRight
from tests.helpers import page_text


def _post(client, cpas_id, distributor_id):
    return client.post(
        "/fonds-eau/informations",
        data={
            "annee": "2026",
            "cpas_id": cpas_id,
            "distributor_id": distributor_id,
            "version": "0",
            "initial": "100.000,00",
            "complementary": "0",
            "fat_funds": "7.500",
        },
    )


def _rights(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(DrawingRight.id)))


@pytest.mark.parametrize(
    "pair",
    [
        ("cpas_b", "dist_y"),  # two real organisations that are not linked
        ("dist_x", "cpas_a"),  # a linked pair given the wrong way round
        ("cpas_a", "cpas_b"),  # two CPAS
        ("cpas_a", "spge"),
    ],
)
def test_unlinked_pair_refused_with_a_message(app, client, login_as, world, pair):
    login_as(world.user_spge)
    cpas, distributor = (getattr(world, name) for name in pair)
    response = _post(client, cpas.id, distributor.id)
    assert response.status_code == 422
    assert "Ce CPAS n'est pas lié à ce distributeur" in page_text(response)
    assert _rights(app) == 0


def test_linked_pairs_accepted(app, client, login_as, world):
    login_as(world.user_spge)
    for cpas, distributor in ((world.cpas_a, world.dist_y), (world.cpas_b, world.dist_x)):
        assert _post(client, cpas.id, distributor.id).status_code == 302
    assert _rights(app) == 2
