"""Every write of the centre domain leaves one audit entry, in the name of ``by``.

Called as a CLI or a job would call them (nobody signed in), so an entry that fell back on
``current_user`` would have no user."""

from __future__ import annotations

from datetime import time

import pytest

from cpas.access.models import Organisation, OrganisationKind, User
from cpas.centre import services
from cpas.centre.models import CentrePhone, OfficeHour, SocialWorker
from cpas.extensions import db
from tests.audit_helpers import entries_since, last_entry_id
from tests.centre.test_centre import PROFILE, png_bytes

WORKER = {"last_name": "Lambert", "first_name": "Sophie", "email": None, "phone": None}
HOUR = {"weekday": 1, "start_time": time(9), "end_time": time(12), "place": "Bureau 2"}


@pytest.fixture
def cpas(make_org, make_user):
    org = make_org(OrganisationKind.CPAS, name="CPAS A")
    return org, make_user(org, all_access=True)


def _only(app, mark: int, action: str, by_id: int) -> None:
    written = entries_since(app, mark)
    assert [(e.action, e.user_id) for e in written] == [(action, by_id)]


def _by(user_id: int) -> User:
    user = db.session.get(User, user_id)
    assert user is not None
    return user


def _worker(app, org_id: int, by_id: int) -> int:
    with app.app_context():
        organisation = db.session.get(Organisation, org_id)
        return services.create_worker(organisation, WORKER, _by(by_id)).id


def test_save_profile(app, cpas):
    org, by = cpas
    mark = last_entry_id(app)
    with app.app_context():
        services.save_profile(db.session.get(Organisation, org.id), PROFILE, _by(by.id), version=0)
    _only(app, mark, "centre.save_profile", by.id)


def test_add_and_remove_phone(app, cpas):
    org, by = cpas
    mark = last_entry_id(app)
    with app.app_context():
        phone = services.add_phone(
            db.session.get(Organisation, org.id), "fax", "04 220 00 01", None, _by(by.id)
        )
        phone_id = phone.id
    _only(app, mark, "centre.add_phone", by.id)
    mark = last_entry_id(app)
    with app.app_context():
        services.remove_phone(db.session.get(CentrePhone, phone_id), _by(by.id))
    _only(app, mark, "centre.remove_phone", by.id)


def test_save_and_remove_logo(app, cpas):
    org, by = cpas
    mark = last_entry_id(app)
    with app.app_context():
        services.save_logo(
            db.session.get(Organisation, org.id), png_bytes(), "image/png", _by(by.id)
        )
    _only(app, mark, "centre.save_logo", by.id)
    mark = last_entry_id(app)
    with app.app_context():
        services.remove_logo(db.session.get(Organisation, org.id), _by(by.id))
    _only(app, mark, "centre.remove_logo", by.id)


def test_create_and_update_worker(app, cpas):
    org, by = cpas
    mark = last_entry_id(app)
    worker_id = _worker(app, org.id, by.id)
    _only(app, mark, "centre.create_worker", by.id)
    mark = last_entry_id(app)
    with app.app_context():
        worker = db.session.get(SocialWorker, worker_id)
        assert worker
        services.update_worker(
            worker, {**WORKER, "office": "B2"}, _by(by.id), version=worker.version
        )
    _only(app, mark, "centre.update_worker", by.id)


def test_add_and_remove_office_hour(app, cpas):
    org, by = cpas
    worker_id = _worker(app, org.id, by.id)
    mark = last_entry_id(app)
    with app.app_context():
        hour_id = services.add_office_hour(
            db.session.get(SocialWorker, worker_id), HOUR, _by(by.id)
        ).id
    _only(app, mark, "centre.add_office_hour", by.id)
    mark = last_entry_id(app)
    with app.app_context():
        services.remove_office_hour(
            db.session.get(SocialWorker, worker_id), db.session.get(OfficeHour, hour_id), _by(by.id)
        )
    _only(app, mark, "centre.remove_office_hour", by.id)


@pytest.mark.parametrize(
    "active,action", [(False, "centre.archive_worker"), (True, "centre.reactivate_worker")]
)
def test_set_worker_active(app, cpas, active, action):
    org, by = cpas
    worker_id = _worker(app, org.id, by.id)
    mark = last_entry_id(app)
    with app.app_context():
        services.set_worker_active(db.session.get(SocialWorker, worker_id), active, _by(by.id))
    _only(app, mark, action, by.id)
