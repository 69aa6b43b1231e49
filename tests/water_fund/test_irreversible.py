"""Irreversible water-fund steps ask for confirmation: one dialog naming the consequence,
and a server that changes nothing until the form says « confirmed » (no-JavaScript step)."""

from __future__ import annotations

import re

import pytest

from cpas.extensions import db
from cpas.water_fund.models import WaterRequest
from tests.helpers import page_text

# Written from seed 000 and the issue: (kind, action, status before, status after, side,
# words of the consequence the question must name).
IRREVERSIBLE = [
    ("fat", "refuse", "SOUMISE", "REFUSEE", "x", "Une demande refusée ne peut plus être réactivée."),
    ("fse", "refuse", "SOUMISE", "REFUSEE", "x", "Une demande refusée ne peut plus être réactivée."),
    ("fat", "pay", "EN_ATTENTE_PAIEMENT", "PAYEE", "x", "ne pourra plus être modifiée"),
    ("fse", "pay", "EN_ATTENTE_PAIEMENT", "APUREE", "x", "ne pourra plus être modifiée"),
    ("fat", "cancel", "SOUMISE", "ANNULEE", "a", "Une demande annulée ne peut plus être réactivée."),
    ("fse", "cancel", "SOUMISE", "ANNULEE", "a", "Une demande annulée ne peut plus être réactivée."),
]  # fmt: skip
BUTTONS = {
    ("fat", "refuse"): "Refuser",
    ("fse", "refuse"): "Refuser",
    ("fat", "pay"): "Confirmer le paiement",
    ("fse", "pay"): "Payer et clôturer",
    ("fat", "cancel"): "Annuler",
    ("fse", "cancel"): "Annuler",
}


def _put_in(app, request_id: int, status: str) -> int:
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        row.status = status
        db.session.commit()
        return row.version


def _state(app, request_id: int) -> tuple[str, int]:
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        return row.status, len(row.events)


def _actor(world, side: str):
    return world.user_x if side == "x" else world.user_a


@pytest.mark.parametrize("kind,action,before,after,side,consequence", IRREVERSIBLE)
def test_one_click_post_without_confirmation_changes_nothing(
    app, client, login_as, world, new_request, kind, action, before, after, side, consequence
):
    request_id = new_request(kind)
    version = _put_in(app, request_id, before)
    untouched = _state(app, request_id)
    login_as(_actor(world, side))
    url = f"/fonds-eau/{kind}/{request_id}/action/{action}"
    answer = client.post(url, data={"comment": "Motif écrit", "version": version})
    text = page_text(answer)
    assert answer.status_code == 200
    assert _state(app, request_id) == untouched, "nothing changed, no event written"
    # the confirmation step names the consequence and carries what was typed
    assert 'id="confirm-step"' in text and consequence in text
    assert 'name="confirmed" value="1"' in text
    if action != "pay":  # « Payer » asks for no comment: there is nothing typed to carry
        assert 'value="Motif écrit"' in text
    # a wrong value of the field is no confirmation either
    client.post(url, data={"comment": "Motif", "version": version, "confirmed": "oui"})
    assert _state(app, request_id) == untouched
    # confirmed: the step is taken
    done = client.post(url, data={"comment": "Motif écrit", "version": version, "confirmed": "1"})
    assert done.status_code == 200
    assert _state(app, request_id)[0] == after


@pytest.mark.parametrize("kind,action,before,after,side,consequence", IRREVERSIBLE)
def test_the_button_asks_once_naming_the_consequence(
    app, client, login_as, world, new_request, kind, action, before, after, side, consequence
):
    request_id = new_request(kind)
    _put_in(app, request_id, before)
    login_as(_actor(world, side))
    html = page_text(client.get(f"/fonds-eau/{kind}/{request_id}"))
    form = re.search(rf'<form [^>]*id="action-{action}"[^>]*>.*?</form>', html, re.S)
    assert form, f"no form for {action}"
    opening = form.group(0).split(">", 1)[0]
    # exactly one question, on the form (the button itself carries none: no second dialog)
    assert opening.count("data-confirm=") == 1 and consequence in opening
    assert form.group(0).count("data-confirm=") == 1
    assert f">{BUTTONS[(kind, action)]}</button>" in form.group(0)


def test_the_confirmation_step_is_a_fragment_for_htmx(app, client, login_as, world, new_request):
    request_id = new_request("fse")
    version = _put_in(app, request_id, "SOUMISE")
    login_as(world.user_x)
    answer = client.post(
        f"/fonds-eau/fse/{request_id}/action/refuse",
        data={"comment": "Hors critères", "version": version},
        headers={"HX-Request": "true"},
    )
    text = page_text(answer)
    assert "<html" not in text and 'id="status-panel"' in text and 'id="confirm-step"' in text
    assert _state(app, request_id)[0] == "SOUMISE"


def test_missing_reason_is_asked_before_the_confirmation(app, client, login_as, world, new_request):
    request_id = new_request("fat")
    version = _put_in(app, request_id, "SOUMISE")
    login_as(world.user_x)
    answer = client.post(
        f"/fonds-eau/fat/{request_id}/action/refuse", data={"comment": " ", "version": version}
    )
    text = page_text(answer)
    assert answer.status_code == 422 and 'id="confirm-step"' not in text
    assert re.search(r'id="comment-refuse-msg">Indiquez le motif du refus\.', text)
    assert _state(app, request_id)[0] == "SOUMISE"


def test_reversible_steps_need_no_confirmation(app, client, login_as, world, new_request):
    request_id = new_request("fat")
    version = _put_in(app, request_id, "SOUMISE")
    login_as(world.user_x)
    client.post(
        f"/fonds-eau/fat/{request_id}/action/approve", data={"amount": "900", "version": version}
    )
    assert _state(app, request_id)[0] == "APPROUVEE"
