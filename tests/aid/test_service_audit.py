"""Every write of the aid services leaves its audit entries, in the name of ``by``.

The services are called as a CLI or a job would call them: in an application context with
nobody signed in, so an entry that fell back on ``current_user`` would have no user. The
actor (the director) is a colleague of the social worker who made the dossier and the
requests, so the user id says who really acted.
"""

from __future__ import annotations

from datetime import date

import pytest

from cpas.access.models import User
from cpas.aid import services
from cpas.aid.lifecycle import AID
from cpas.aid.models import AidRequest
from cpas.dossiers.models import Dossier
from cpas.extensions import db
from tests.audit_helpers import entries_since, last_entry_id


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    assert user is not None
    return user


def _request(request_id: int) -> AidRequest:
    request = db.session.get(AidRequest, request_id)
    assert request is not None
    return request


def _written(app, mark: int) -> list[tuple[str, int | None, str | None]]:
    """(action, user id, NISS) of every entry since ``mark``."""
    return [(e.action, e.user_id, e.niss) for e in entries_since(app, mark)]


def test_create_request(app, aid_world):
    by = aid_world.director_a.id
    niss = aid_world.dossier_a.niss
    mark = last_entry_id(app)
    with app.app_context():
        dossier = db.session.get(Dossier, aid_world.dossier_a.id)
        assert dossier is not None
        created = services.create_request(
            dossier,
            services.NewRequest(date(2026, 1, 15), date(2026, 1, 15), "demande", "Mazout"),
            _user(by),
        )
        request_id = created.id
    assert _written(app, mark) == [("aid.create", by, niss), ("integrations.integrate", by, niss)]
    (entry,) = entries_since(app, mark, "aid.create")
    assert (entry.object_type, entry.object_id) == ("AidRequest", str(request_id))
    assert entry.details == "demande 1 du 15/01/2026"
    assert entry.organisation_id == aid_world.cpas_a.id


@pytest.mark.parametrize("step,status", [("duplicate", "en_cours"), ("revise", "cloturee")])
def test_copy_through_duplicate_and_revise(app, aid_world, make_request, step, status):
    """The new request's creation is audited with the NISS, by the actor, then the step."""
    source = make_request(aid_world.dossier_a, aid_world.social_a, status=status)
    by = aid_world.director_a.id
    niss = aid_world.dossier_a.niss
    mark = last_entry_id(app)
    with app.app_context():
        request = _request(source.id)
        AID.fire(request, step, _user(by), request.version, confirmed=True)
    assert _written(app, mark) == [
        ("aid.create", by, niss),
        (f"aid.{step}", by, None),
        ("integrations.integrate", by, niss),
    ]
    (created,) = entries_since(app, mark, "aid.create")
    origin = "duplicate" if step == "duplicate" else "revision"
    assert created.details == f"demande 2 ({origin} de la demande 1)"
    assert created.object_id != str(source.id)


@pytest.mark.parametrize("archived,action", [(True, "aid.archive"), (False, "aid.unarchive")])
def test_set_archived(app, aid_world, make_request, archived, action):
    made = make_request(aid_world.dossier_a, aid_world.social_a, archived=not archived)
    by = aid_world.director_a.id
    mark = last_entry_id(app)
    with app.app_context():
        services.set_archived(_request(made.id), archived, _user(by))
        assert _request(made.id).archived is archived
    assert _written(app, mark) == [(action, by, aid_world.dossier_a.niss)]
    (entry,) = entries_since(app, mark)
    assert entry.object_id == str(made.id)


def test_archive_closed(app, aid_world, make_request):
    make_request(aid_world.dossier_a, aid_world.social_a, status="cloturee")
    make_request(aid_world.dossier_a, aid_world.social_a, status="cloturee")
    make_request(aid_world.dossier_a, aid_world.social_a)
    by = aid_world.director_a.id
    mark = last_entry_id(app)
    with app.app_context():
        dossier = db.session.get(Dossier, aid_world.dossier_a.id)
        assert services.archive_closed(dossier, _user(by)) == 2
    assert _written(app, mark) == [("aid.archive_closed", by, aid_world.dossier_a.niss)]
    (entry,) = entries_since(app, mark)
    assert (entry.object_type, entry.object_id) == ("Dossier", str(aid_world.dossier_a.id))
    assert entry.details == "2 demande(s)"


def test_archive_closed_with_nothing_to_move_writes_nothing(app, aid_world, make_request):
    make_request(aid_world.dossier_a, aid_world.social_a)
    mark = last_entry_id(app)
    with app.app_context():
        dossier = db.session.get(Dossier, aid_world.dossier_a.id)
        assert services.archive_closed(dossier, _user(aid_world.director_a.id)) == 0
    assert _written(app, mark) == []


@pytest.mark.parametrize("preview,action", [(False, "aid.print"), (True, "aid.print_preview")])
def test_record_print(app, aid_world, make_request, preview, action):
    made = make_request(aid_world.dossier_a, aid_world.social_a)
    by = aid_world.director_a.id
    mark = last_entry_id(app)
    with app.app_context():
        services.record_print(_request(made.id), ["demande", "rapport"], _user(by), preview=preview)
    assert _written(app, mark) == [(action, by, aid_world.dossier_a.niss)]
    assert entries_since(app, mark)[0].details == "demande, rapport"


def test_retry_integration(app, aid_world, make_request):
    made = make_request(aid_world.dossier_a, aid_world.social_a)
    with app.app_context():
        request = _request(made.id)
        request.integration_ok = False
        request.integration_message = "Service BCSS indisponible"
        db.session.commit()
    by = aid_world.director_a.id
    niss = aid_world.dossier_a.niss
    mark = last_entry_id(app)
    with app.app_context():
        request = _request(made.id)
        assert services.retry_integration(request, _user(by), version=request.version)
        assert _request(made.id).integration_ok is True
    assert _written(app, mark) == [
        ("aid.retry_integration", by, niss),
        ("integrations.integrate", by, niss),
    ]


def test_a_refused_retry_writes_nothing(app, aid_world, make_request):
    """Already integrated: refused before anything is written."""
    made = make_request(aid_world.dossier_a, aid_world.social_a)
    mark = last_entry_id(app)
    with app.app_context():
        request = _request(made.id)
        assert request.integration_ok is True
        with pytest.raises(services.AidRuleError):
            services.retry_integration(
                request, _user(aid_world.director_a.id), version=request.version
            )
    assert _written(app, mark) == []


@pytest.mark.parametrize(
    "step,given",
    [
        ("modify", {"kind": "office", "effective_date": date(2026, 1, 1), "nature": "Mazout"}),
        ("report", {"report": "Rapport."}),
        ("proposal", {"proposal": "Proposition.", "meeting_date": date(2099, 1, 1)}),
    ],
)
def test_workflow_writes_name_the_actor(app, aid_world, make_request, step, given):
    made = make_request(aid_world.dossier_a, aid_world.social_a)
    by = aid_world.director_a.id
    mark = last_entry_id(app)
    with app.app_context():
        request = _request(made.id)
        AID.fire(request, step, _user(by), request.version, given)
    assert _written(app, mark) == [(f"aid.{step}", by, None)]
