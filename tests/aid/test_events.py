"""« Evénement(s) sur la demande » is append-only, in the database itself (issue 14 §4):
an UPDATE of ``aid_request_event`` is refused on SQLite and PostgreSQL, whoever sends it.
The migration ``aid_0001_requests`` goes down (tables, trigger and index gone) and up again
on both databases, and its trigger refuses again after the way back.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import DatabaseError

from cpas import create_app
from cpas.access.models import Organisation, User
from cpas.aid.lifecycle import AID
from cpas.aid.models import AidRequest, AidRequestEvent
from cpas.dossiers.models import Dossier
from cpas.extensions import db
from cpas.timeutil import utcnow
from tests.conftest import USE_POSTGRES, base_config

PARENT = "i18n_access_0001"  # the revision aid_0001_requests sits on
TABLES = {"aid_request", "aid_request_event"}


def _events(request_id: int) -> list[tuple[str, int | None, str | None, str | None]]:
    return [
        (e.kind, e.user_id, e.from_status, e.to_status)
        for e in db.session.scalars(
            select(AidRequestEvent)
            .where(AidRequestEvent.request_id == request_id)
            .order_by(AidRequestEvent.id)
        )
    ]


@pytest.fixture
def with_events(app, aid_world, make_request):
    """A request submitted to the Council: creation, proposition, submission."""
    made = make_request(aid_world.dossier_a, aid_world.social_a, status="soumise")
    return made.id


def test_each_step_appends_its_event_with_who_and_the_statuses(app, aid_world, with_events):
    social = aid_world.social_a.id
    with app.app_context():
        assert _events(with_events) == [
            ("creation", social, None, None),
            ("proposal", social, "en_cours", "en_cours"),
            ("submit", social, "en_cours", "soumise"),
        ]
        request = db.session.get(AidRequest, with_events)
        by = db.session.get(User, aid_world.director_a.id)
        AID.fire(request, "complete", by, request.version, confirmed=True)
        assert _events(with_events)[-1] == (
            "complete",
            aid_world.director_a.id,
            "soumise",
            "en_cours",
        )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE aid_request_event SET kind = 'close' WHERE request_id = :id",
        "UPDATE aid_request_event SET user_id = NULL WHERE request_id = :id",
        "UPDATE aid_request_event SET at = at WHERE request_id = :id",
    ],
)
def test_an_update_of_an_event_is_refused_by_the_database(app, with_events, statement):
    with app.app_context():
        before = _events(with_events)
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement), {"id": with_events})
            db.session.commit()
        db.session.rollback()
        assert _events(with_events) == before


def test_an_update_through_the_orm_is_refused_too(app, with_events):
    with app.app_context():
        event = db.session.scalars(
            select(AidRequestEvent).where(AidRequestEvent.request_id == with_events)
        ).first()
        assert event is not None
        event.kind = "close"
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.commit()
        db.session.rollback()
        kinds = [k for k, *_ in _events(with_events)]
        assert kinds == ["creation", "proposal", "submit"]


def test_appending_stays_possible(app, aid_world, with_events):
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(AidRequestEvent))
        db.session.add(
            AidRequestEvent(request_id=with_events, kind="modify", user_id=aid_world.social_a.id)
        )
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(AidRequestEvent)) == count + 1


# --------------------------------------------------------------------------- the migration


def _fresh_database(tmp_path: Path, pg_cluster) -> str:
    if USE_POSTGRES:
        return pg_cluster.create_database("cpas_aid_migration")
    return f"sqlite:///{tmp_path / 'aid-migration.sqlite'}"


def _trigger_present() -> bool:
    if USE_POSTGRES:
        found = db.session.execute(
            text("SELECT count(*) FROM pg_trigger WHERE tgname = 'aid_request_event_no_update'")
        ).scalar()
    else:
        found = db.session.execute(
            text(
                "SELECT count(*) FROM sqlite_master "
                "WHERE type = 'trigger' AND name = 'aid_request_event_no_update'"
            )
        ).scalar()
    db.session.rollback()
    return bool(found)


def _snapshot_indexes() -> set[str]:
    return {i["name"] for i in inspect(db.engine).get_indexes("household_snapshot")}


def test_the_migration_goes_down_and_up(tmp_path, pg_cluster):
    app = create_app(base_config(_fresh_database(tmp_path, pg_cluster), tmp_path))
    with app.app_context():
        upgrade(revision="heads")
        assert set(inspect(db.engine).get_table_names()) >= TABLES
        assert _trigger_present()
        assert "ix_household_snapshot_request_id" in _snapshot_indexes()
        downgrade(revision=PARENT)
        inspect(db.engine).clear_cache()
        tables = set(inspect(db.engine).get_table_names())
        assert not TABLES & tables
        assert {"dossier", "household_snapshot"} <= tables  # the dossiers stay
        assert not _trigger_present()
        assert "ix_household_snapshot_request_id" not in _snapshot_indexes()
        if USE_POSTGRES:
            functions = db.session.execute(
                text("SELECT count(*) FROM pg_proc WHERE proname = 'aid_request_event_append_only'")
            ).scalar()
            db.session.rollback()
            assert functions == 0
        upgrade(revision="heads")
        inspect(db.engine).clear_cache()
        assert set(inspect(db.engine).get_table_names()) >= TABLES
        assert _trigger_present()
        _trigger_refuses_after_the_way_back()
        db.session.remove()
        db.engine.dispose()


def _trigger_refuses_after_the_way_back() -> None:
    """A request and its event written on the migrated database, then an UPDATE: refused."""
    org = Organisation(kind="cpas", name="CPAS A")
    db.session.add(org)
    db.session.flush()
    dossier = Dossier(
        organisation_id=org.id,
        niss="85031400226",
        dossier_number="85031400226",
        opened_on=utcnow().date(),
        last_name="DUPONT",
        first_name="Marie",
        name_key="dupont",
        first_key="marie",
        sex="F",
        birth_date=utcnow().date().replace(year=1985),
    )
    db.session.add(dossier)
    db.session.flush()
    request = AidRequest(
        organisation_id=org.id,
        dossier_id=dossier.id,
        number=1,
        request_date=utcnow().date(),
        effective_date=utcnow().date(),
        kind="demande",
        nature="Mazout",
        status="en_cours",
        created_at=utcnow(),
    )
    request.events.append(AidRequestEvent(kind="creation", at=utcnow()))
    db.session.add(request)
    db.session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("UPDATE aid_request_event SET kind = 'close'"))
        db.session.commit()
    db.session.rollback()
