"""Every write of the dossiers domain leaves its audit entries, in the name of ``by``.

The services are called as a CLI or a job would call them: in an application context with
nobody signed in, so an entry that fell back on ``current_user`` would have no user. The
actor is a colleague of another user so the user id says who really acted."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from cpas.access.models import User
from cpas.dossiers import services
from cpas.dossiers.models import Dossier, HouseholdMember
from cpas.extensions import db
from cpas.registry.adapters import BisRequest, get_register
from cpas.registry.birthdates import parse_partial
from tests.audit_helpers import entries_since, last_entry_id
from tests.dossiers.conftest import ADDRESS

ADDR = services.Address(box=None, **ADDRESS)


@pytest.fixture
def actors(world, make_user):
    """The actor (``by``) and a colleague of the same CPAS who created the dossier."""
    return SimpleNamespace(
        by=make_user(world.cpas_a, all_access=True, email="actor@cpas-a.be"),
        colleague=world.user_a,
    )


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    assert user is not None
    return user


def _dossier(app, world, actors) -> int:
    """Marie's dossier at CPAS A with Jean in the de facto household (by the colleague)."""
    with app.app_context():
        register = get_register()
        colleague = _user(actors.colleague.id)
        marie = register.by_ref(world.people.marie.id)
        jean = register.by_ref(world.people.jean.id)
        assert marie and jean
        dossier, _ = services.create_dossier(colleague.organisation, marie, ADDR, colleague)
        services.add_member(dossier, jean, ADDR, "partner", date(2020, 1, 1), colleague)
        return dossier.id


def _only(app, mark: int, action: str, by_id: int, count: int = 1) -> None:
    """Exactly ``count`` entries of ``action`` since ``mark``, all by ``by_id``; no other."""
    written = entries_since(app, mark)
    assert [e.action for e in written] == [action] * count, [e.action for e in written]
    assert {e.user_id for e in written} == {by_id}


def _jean(dossier_id: int) -> HouseholdMember:
    member = db.session.scalar(
        select(HouseholdMember).where(
            HouseholdMember.dossier_id == dossier_id, HouseholdMember.is_main.is_(False)
        )
    )
    assert member is not None
    return member


def test_create_dossier(app, world, actors):
    mark = last_entry_id(app)
    with app.app_context():
        by = _user(actors.by.id)
        person = get_register().by_ref(world.people.ahmed.id)
        assert person
        _dossier_row, created = services.create_dossier(by.organisation, person, ADDR, by)
        assert created
    _only(app, mark, "dossiers.create", actors.by.id)


def test_assign_bis(app, world, actors):
    mark = last_entry_id(app)
    with app.app_context():
        person = services.assign_bis(
            BisRequest(
                last_name="Inconnu", first_name="Jan", sex="M", birth=parse_partial("00/00/1980")
            ),
            _user(actors.by.id),
        )
    _only(app, mark, "registry.assign_bis", actors.by.id)
    assert entries_since(app, mark)[0].niss == person.niss


def test_update_references(app, world, actors):
    dossier_id = _dossier(app, world, actors)
    mark = last_entry_id(app)
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        assert dossier
        services.update_references(
            dossier, "D-1", date(2024, 1, 2), None, _user(actors.by.id), version=dossier.version
        )
    _only(app, mark, "dossiers.update_references", actors.by.id)


@pytest.mark.parametrize(
    "archived,action", [(True, "dossiers.archive"), (False, "dossiers.unarchive")]
)
def test_set_archived(app, world, actors, archived, action):
    dossier_id = _dossier(app, world, actors)
    mark = last_entry_id(app)
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        services.set_archived(dossier, archived, _user(actors.by.id))
    _only(app, mark, action, actors.by.id)


def test_refresh_official_household(app, world, actors):
    dossier_id = _dossier(app, world, actors)
    mark = last_entry_id(app)
    with app.app_context():
        services.refresh_official_household(
            db.session.get(Dossier, dossier_id), _user(actors.by.id)
        )
    _only(app, mark, "household.refresh_official", actors.by.id)


def test_add_member(app, world, actors):
    dossier_id = _dossier(app, world, actors)
    mark = last_entry_id(app)
    with app.app_context():
        lucas = get_register().by_ref(world.people.lucas.id)
        assert lucas
        services.add_member(
            db.session.get(Dossier, dossier_id),
            lucas,
            ADDR,
            "minor_child",
            date(2020, 1, 1),
            _user(actors.by.id),
        )
    _only(app, mark, "household.add_member", actors.by.id)


def test_remove_and_restore_member(app, world, actors):
    dossier_id = _dossier(app, world, actors)
    mark = last_entry_id(app)
    with app.app_context():
        jean = _jean(dossier_id)
        services.remove_member(jean, _user(actors.by.id), version=jean.version)
    _only(app, mark, "household.remove_member", actors.by.id)
    mark = last_entry_id(app)
    with app.app_context():
        jean = _jean(dossier_id)
        services.restore_member(jean, _user(actors.by.id), version=jean.version)
    _only(app, mark, "household.restore_member", actors.by.id)


def test_refresh_members_one_entry_per_member(app, world, actors):
    dossier_id = _dossier(app, world, actors)
    mark = last_entry_id(app)
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        assert dossier
        count = services.refresh_members(dossier, list(dossier.members), _user(actors.by.id))
    assert count == 2
    _only(app, mark, "household.refresh_member", actors.by.id, count=2)


def test_integrate_and_deintegrate(app, world, actors):
    dossier_id = _dossier(app, world, actors)
    mark = last_entry_id(app)
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        assert dossier
        services.integrate(
            dossier, list(dossier.members), "001", date(2025, 1, 1), None, _user(actors.by.id)
        )
    _only(app, mark, "integrations.integrate", actors.by.id, count=2)
    mark = last_entry_id(app)
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        assert dossier
        services.deintegrate(
            dossier, [_jean(dossier_id)], date(2025, 1, 1), date(2025, 1, 31), _user(actors.by.id)
        )
    _only(app, mark, "integrations.deintegrate", actors.by.id)


def test_integrate_for_new_request(app, world, actors):
    dossier_id = _dossier(app, world, actors)
    mark = last_entry_id(app)
    with app.app_context():
        services.integrate_for_new_request(
            db.session.get(Dossier, dossier_id), date(2025, 1, 15), _user(actors.by.id)
        )
    _only(app, mark, "integrations.integrate", actors.by.id)
