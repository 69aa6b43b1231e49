"""Irreversible steps in the browser: one native dialog naming the consequence; cancelling
it changes nothing and keeps what was typed; accepting takes the step."""

# ruff: noqa: F811 (fixtures imported from the water-fund tests, then requested by name)
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cpas.extensions import db
from cpas.redi.models import RediCampaign
from cpas.water_fund.models import WaterRequest
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in
from tests.water_fund.conftest import new_request, world  # noqa: F401 (the water-fund world)

pytestmark = pytest.mark.e2e


class Dialogs(list):
    """The messages of the dialogs the page opened; each is answered with ``self.answer``."""

    answer = False

    def __call__(self, dialog) -> None:
        self.append((dialog.type, dialog.message))
        if self.answer:
            dialog.accept()
        else:
            dialog.dismiss()


def _status(app, request_id: int) -> tuple[str, int]:
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        return row.status, len(row.events)


def test_refuse_asks_once_and_cancel_changes_nothing(
    app,
    live_server,
    page,
    world,
    new_request,
):
    request_id = new_request("fse")
    before = _status(app, request_id)
    dialogs = Dialogs()
    page.on("dialog", dialogs)
    sign_in(page, live_server, world.user_x.email, PASSWORD)
    page.goto(f"{live_server}/fonds-eau/fse/{request_id}")
    page.get_by_label("Motif du refus *").fill("Hors critères")
    page.get_by_role("button", name="Refuser").click()
    page.wait_for_timeout(500)  # a second dialog or a request would come now
    assert dialogs == [
        ("confirm", "Refuser cette demande ? Une demande refusée ne peut plus être réactivée.")
    ]
    assert _status(app, request_id) == before
    expect(page.locator("#request-status")).to_have_text("SOUMISE")
    expect(page.get_by_label("Motif du refus *")).to_have_value("Hors critères")

    dialogs.answer = True
    page.get_by_role("button", name="Refuser").click()
    expect(page.locator("#request-status")).to_have_text("REFUSEE")
    assert len(dialogs) == 2  # one question per click, never two
    assert _status(app, request_id)[0] == "REFUSEE"
    assert page.problems == []


def test_cancel_asks_a_single_question(app, live_server, page, world, new_request):
    """« Annuler » used to ask twice (the submit handler, then htmx's own confirm)."""
    request_id = new_request("fat")
    dialogs = Dialogs()
    dialogs.answer = True
    page.on("dialog", dialogs)
    sign_in(page, live_server, world.user_a.email, PASSWORD)
    page.goto(f"{live_server}/fonds-eau/fat/{request_id}")
    page.get_by_label("Raison de l'annulation *").fill("Doublon")
    page.get_by_role("button", name="Annuler").click()
    expect(page.locator("#request-status")).to_have_text("ANNULEE")
    page.wait_for_timeout(300)
    assert [message for _, message in dialogs] == [
        "Annuler cette demande ? Une demande annulée ne peut plus être réactivée."
    ]
    assert page.problems == []


def test_redi_validation_asks_once_and_cancel_changes_nothing(app, live_server, page, redi):
    dialogs = Dialogs()
    page.on("dialog", dialogs)
    sign_in(page, live_server, redi.encoder.email, PASSWORD)
    page.goto(f"{live_server}/redi/campagnes/{redi.campaign_id}/rapport")
    page.get_by_role("button", name="Valider le rapport").click()
    page.wait_for_timeout(500)
    assert len(dialogs) == 1 and "L'encodage sera verrouillé" in dialogs[0][1]
    with app.app_context():
        assert db.session.get(RediCampaign, redi.campaign_id).status == "draft"
    dialogs.answer = True
    page.get_by_role("button", name="Valider le rapport").click()
    expect(page.get_by_text("Validé :")).to_contain_text(redi.encoder.last_name)
    assert len(dialogs) == 2
    with app.app_context():
        assert db.session.get(RediCampaign, redi.campaign_id).status == "validated"
    assert page.problems == []
