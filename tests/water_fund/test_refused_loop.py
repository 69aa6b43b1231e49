"""A refused request is closed, but for the one information loop of seed 000: the CPAS may
ask once, the distributor answers, the request stays REFUSEE with nothing more to do."""

from __future__ import annotations

from io import BytesIO

import pytest
from sqlalchemy import func, select

from cpas.access.models import User
from cpas.extensions import db
from cpas.water_fund import services
from cpas.water_fund.models import WaterFile, WaterRequest
from tests.helpers import page_text
from tests.water_fund.conftest import PDF, pdf


def _version(app, request_id: int) -> int:
    with app.app_context():
        return db.session.get(WaterRequest, request_id).version


def _status(app, request_id: int) -> str:
    with app.app_context():
        return db.session.get(WaterRequest, request_id).status


def _files(app, request_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(WaterFile.id)).where(WaterFile.request_id == request_id)
        )


def _post(client, app, kind, request_id, action, **data):
    payload = {"version": _version(app, request_id), "confirmed": "1", **data}
    return client.post(f"/fonds-eau/{kind}/{request_id}/action/{action}", data=payload)


@pytest.mark.parametrize("kind", ["fat", "fse"])
def test_the_information_loop_runs_once(app, client, login_as, world, new_request, kind):
    request_id = new_request(kind)
    login_as(world.user_x)
    _post(client, app, kind, request_id, "refuse", comment="Hors critères")
    assert _status(app, request_id) == "REFUSEE"
    login_as(world.user_a)
    page = page_text(client.get(f"/fonds-eau/{kind}/{request_id}"))
    assert "Demander une information" in page  # the one loop is offered
    _post(client, app, kind, request_id, "request_info", comment="Pourquoi ?")
    assert _status(app, request_id) == "EN_ATTENTE_INFORMATION"
    login_as(world.user_x)
    _post(client, app, kind, request_id, "answer_info", comment="Revenu trop élevé")
    assert _status(app, request_id) == "REFUSEE"
    # closed for good: no button, and the server refuses a second loop
    login_as(world.user_a)
    page = page_text(client.get(f"/fonds-eau/{kind}/{request_id}"))
    assert "Demander une information" not in page and "Demande clôturée." in page
    again = _post(client, app, kind, request_id, "request_info", comment="Encore ?")
    assert again.status_code == 422
    assert "déjà été demandée une fois" in page_text(again)
    assert _status(app, request_id) == "REFUSEE"


def test_the_service_refuses_a_second_loop(app, world, new_request):
    request_id = new_request("fse")
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        cpas, dist = db.session.get(User, world.user_a.id), db.session.get(User, world.user_x.id)
        say = services.TransitionInput
        services.transition(row, "refuse", dist, row.version, say(comment="Non", confirmed=True))
        services.transition(row, "request_info", cpas, row.version, say(comment="Pourquoi ?"))
        services.transition(row, "answer_info", dist, row.version, say(comment="Parce que"))
        with pytest.raises(services.WaterRuleError, match="déjà été demandée"):
            services.transition(row, "request_info", cpas, row.version, say(comment="Et ?"))
        db.session.rollback()
        row = db.session.get(WaterRequest, request_id)
        assert row.status == "REFUSEE" and row.info_request == "Pourquoi ?"
        assert [e.action for e in row.events] == ["submit", "refuse", "request_info", "answer_info"]


# Files: open statuses accept them; refused and every closed status do not.
@pytest.mark.parametrize(
    "status,accepted",
    [
        ("SOUMISE", True),
        ("EN_ATTENTE_INFORMATION", True),
        ("REFUSEE", False),
        ("PAYEE", False),
        ("ANNULEE", False),
    ],
)
def test_files_only_on_an_open_request(app, client, login_as, world, new_request, status, accepted):
    request_id = new_request("fat")
    with app.app_context():
        db.session.get(WaterRequest, request_id).status = status
        db.session.commit()
    before = _files(app, request_id)
    login_as(world.user_a)
    page = page_text(client.get(f"/fonds-eau/fat/{request_id}"))
    assert ("Enregistrer le fichier" in page) == accepted
    answer = client.post(
        f"/fonds-eau/fat/{request_id}/fichiers",
        content_type="multipart/form-data",
        data={"file_type": "courrier", "file": (BytesIO(PDF), "courrier.pdf")},
    )
    assert (answer.status_code, _files(app, request_id)) == (
        (200, before + 1) if accepted else (422, before)
    )
    if not accepted:
        assert "La demande est clôturée : plus d'ajout de fichier." in page_text(answer)


def test_the_service_refuses_a_file_on_a_refused_request(app, world, new_request):
    request_id = new_request("fse")
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        row.status = "REFUSEE"
        db.session.commit()
        with pytest.raises(services.WaterRuleError, match="clôturée"):
            services.add_file(row, "courrier", pdf(), db.session.get(User, world.user_a.id))
        db.session.rollback()
    assert _files(app, request_id) == 0
