"""FAT/FSE on the workflow helper: the panel shows exactly the steps of each side (a table
written from seed 000, not read from lifecycle.py), a refused step changes nothing (no
rollback needed), each step and each service write leaves one audit entry naming its
real actor (``by``), and final statuses other than REFUSEE set the closing date."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from cpas.access.models import User
from cpas.audit import AuditEntry
from cpas.extensions import db
from cpas.water_fund import rights, services
from cpas.water_fund.models import WaterRequest, WaterRequestEvent
from tests.audit_helpers import entries_since, last_entry_id
from tests.helpers import page_text
from tests.water_fund.conftest import pdf

# Seed 000, « Cycle de vie »: per kind and status, the buttons each side sees on the
# request (a = the CPAS, x = the distributor, spge = the fund manager, who only reads).
PANEL = {
    "fat": {
        "SOUMISE": {"a": {"cancel"}, "x": {"approve", "refuse", "cancel"}},
        "APPROUVEE": {"a": {"validate", "cancel"}, "x": {"cancel"}},
        "REFUSEE": {"a": {"request_info"}, "x": set()},
        "EN_ATTENTE_INFORMATION": {"a": set(), "x": {"answer_info"}},
        "EN_ATTENTE_PAIEMENT": {"a": {"cancel"}, "x": {"pay", "cancel"}},
        "PAYEE": {"a": set(), "x": set()},
        "ANNULEE": {"a": set(), "x": set()},
    },
    "fse": {
        "SOUMISE": {"a": {"cancel"}, "x": {"validate", "refuse", "cancel"}},
        "REFUSEE": {"a": {"request_info"}, "x": set()},
        "EN_ATTENTE_INFORMATION": {"a": set(), "x": {"answer_info"}},
        "EN_ATTENTE_PAIEMENT": {"a": {"cancel"}, "x": {"pay", "cancel"}},
        "APUREE": {"a": set(), "x": set()},
        "ANNULEE": {"a": set(), "x": set()},
    },
}
CASES = [(kind, status) for kind, table in PANEL.items() for status in table]


def _put_in(app, request_id: int, status: str) -> None:
    with app.app_context():
        db.session.get(WaterRequest, request_id).status = status
        db.session.commit()


def _actions_shown(html: str) -> set[str]:
    return set(re.findall(r'<form [^>]*id="action-([a-z_]+)"', html))


def _snapshot(app, request_id: int) -> tuple:
    """Everything a step could change: status, version, amounts, texts, events, audit rows."""
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        events = db.session.scalar(
            select(func.count(WaterRequestEvent.id)).where(
                WaterRequestEvent.request_id == request_id
            )
        )
        audit_rows = db.session.scalar(select(func.count(AuditEntry.id)))
        return (
            row.status,
            row.version,
            row.granted_amount,
            row.flat_fee_paid,
            row.info_request,
            row.info_answer,
            row.closed_at,
            row.updated_at,
            row.updated_by_id,
            events,
            audit_rows,
        )


@pytest.mark.parametrize("kind,status", CASES)
def test_the_panel_shows_exactly_the_steps_of_each_side(
    app, client, login_as, world, new_request, kind, status
):
    request_id = new_request(kind)
    _put_in(app, request_id, status)
    for side, user in (("a", world.user_a), ("x", world.user_x), ("spge", world.user_spge)):
        login_as(user)
        html = page_text(client.get(f"/fonds-eau/{kind}/{request_id}"))
        expected = PANEL[kind][status].get(side, set())
        assert _actions_shown(html) == expected, (kind, status, side)


def _version(app, request_id: int) -> int:
    with app.app_context():
        return db.session.get(WaterRequest, request_id).version


# (kind, status, who, action, posted, the message shown): each is refused by one rule.
REFUSED = [
    ("fat", "SOUMISE", "a", "approve", {"amount": "900"}, "pas possible pour cette demande"),
    ("fat", "SOUMISE", "x", "validate", {"flat_fee_paid": "oui"}, "pas possible"),
    ("fat", "PAYEE", "x", "cancel", {"comment": "Trop tard", "confirmed": "1"}, "pas possible"),
    ("fse", "SOUMISE", "x", "validate", {"amount": "0"}, "Indiquez le montant approuvé"),
    ("fse", "SOUMISE", "x", "refuse", {"comment": "  ", "confirmed": "1"}, "motif du refus"),
    ("fse", "SOUMISE", "spge", "refuse", {"comment": "Non", "confirmed": "1"}, "pas possible"),
    ("fat", "APPROUVEE", "a", "validate", {"flat_fee_paid": "non"}, "Ajoutez d'abord la facture"),
    ("fse", "EN_ATTENTE_PAIEMENT", "x", "approve", {"amount": "9"}, "pas possible"),
]  # fmt: skip


@pytest.mark.parametrize("kind,status,who,action,posted,message", REFUSED)
def test_a_refused_step_changes_nothing(
    app, client, login_as, world, new_request, kind, status, who, action, posted, message
):
    request_id = new_request(kind)
    _put_in(app, request_id, status)
    before = _snapshot(app, request_id)
    login_as({"a": world.user_a, "x": world.user_x, "spge": world.user_spge}[who])
    answer = client.post(
        f"/fonds-eau/{kind}/{request_id}/action/{action}",
        data={**posted, "version": _version(app, request_id)},
    )
    # an action the kind does not have (FSE « approve ») is not found; the others refused
    assert answer.status_code == (404 if (kind, action) == ("fse", "approve") else 422)
    assert message in page_text(answer)
    # nothing written: not the status, the version, the stamp, an event or an audit row
    # (the audit rows of the page view itself are consultations of nobody's NISS: none)
    assert _snapshot(app, request_id) == before


def test_the_second_information_loop_changes_nothing(app, world, new_request):
    request_id = new_request("fse")
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        dist, cpas = db.session.get(User, world.user_x.id), db.session.get(User, world.user_a.id)
        say = services.TransitionInput
        services.transition(row, "refuse", dist, row.version, say(comment="Non", confirmed=True))
        services.transition(row, "request_info", cpas, row.version, say(comment="Pourquoi ?"))
        services.transition(row, "answer_info", dist, row.version, say(comment="Parce que"))
    before = _snapshot(app, request_id)
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        cpas = db.session.get(User, world.user_a.id)
        with pytest.raises(services.WaterRuleError, match="déjà été demandée"):
            services.transition(row, "request_info", cpas, row.version, say(comment="Et ?"))
        assert not db.session.dirty  # refused before anything changed: nothing to roll back
    assert _snapshot(app, request_id) == before


def test_a_refused_edit_leaves_the_row_clean(app, world, new_request):
    """The edit of a refused request is refused before the row is stamped."""
    request_id = new_request("fse")
    _put_in(app, request_id, "REFUSEE")
    before = _snapshot(app, request_id)
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        cpas = db.session.get(User, world.user_a.id)
        with pytest.raises(services.WaterRuleError):
            services.update_request(row, {"street": "Rue B"}, cpas, row.version)
        assert not db.session.dirty
    assert _snapshot(app, request_id) == before


# The whole FAT path and the whole FSE path, each step by the side seed 000 names.
PATHS = {
    "fat": [
        ("x", "approve", {"amount": "900,00"}, "APPROUVEE"),
        ("a", "validate", {"flat_fee_paid": "oui"}, "EN_ATTENTE_PAIEMENT"),
        ("x", "pay", {"confirmed": "1"}, "PAYEE"),
    ],
    "fse": [
        ("x", "refuse", {"comment": "Incomplet", "confirmed": "1"}, "REFUSEE"),
        ("a", "request_info", {"comment": "Que manque-t-il ?"}, "EN_ATTENTE_INFORMATION"),
        ("x", "answer_info", {"comment": "La facture"}, "REFUSEE"),
    ],
}


@pytest.mark.parametrize("kind", PATHS)
def test_each_step_writes_one_audit_entry_with_its_actor(
    app, client, login_as, world, new_request, kind
):
    request_id = new_request(kind)
    if kind == "fat":  # the CPAS validates a FAT only once its invoice is attached
        with app.app_context():
            row = db.session.get(WaterRequest, request_id)
            services.add_file(row, "facture", pdf("f.pdf"), db.session.get(User, world.user_a.id))
    users = {"a": world.user_a, "x": world.user_x}
    for who, action, posted, status in PATHS[kind]:
        login_as(users[who])
        mark = last_entry_id(app)
        answer = client.post(
            f"/fonds-eau/{kind}/{request_id}/action/{action}",
            data={**posted, "version": _version(app, request_id)},
        )
        assert answer.status_code == 200, (action, page_text(answer)[:300])
        steps = [e for e in entries_since(app, mark) if e.action.startswith("water.")]
        assert [(e.action, e.user_id, e.object_id) for e in steps] == [
            (f"water.{kind}.{action}", users[who].id, str(request_id))
        ]
        with app.app_context():
            row = db.session.get(WaterRequest, request_id)
            assert row.status == status
            last = row.events[-1]
            assert (last.action, last.user_id, last.to_status) == (action, users[who].id, status)


def test_final_statuses_but_a_refusal_set_the_closing_date(app, world, new_request):
    say = services.TransitionInput
    cases = [
        ("fse", "x", "refuse", say(comment="Non", confirmed=True), False),
        ("fse", "a", "cancel", say(comment="Doublon", confirmed=True), True),
        ("fse", "x", "validate", say(amount=Decimal("10")), False),
    ]
    for kind, who, action, given, closes in cases:
        request_id = new_request(kind)
        with app.app_context():
            row = db.session.get(WaterRequest, request_id)
            by = db.session.get(User, (world.user_a if who == "a" else world.user_x).id)
            services.transition(row, action, by, row.version, given)
            assert (row.closed_at is not None) is closes, action
    request_id = new_request("fse")
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        dist = db.session.get(User, world.user_x.id)
        services.transition(row, "validate", dist, row.version, say(amount=Decimal("10")))
        services.transition(row, "pay", dist, row.version, say(confirmed=True))
        assert row.status == "APUREE" and row.closed_at is not None


# --------------------------------------------------------------------------- service writes


def _water_entries(app, mark: int) -> list[tuple[str, int | None]]:
    return [(e.action, e.user_id) for e in entries_since(app, mark) if e.action.startswith("water")]


def test_update_request_writes_one_entry_by_its_actor(app, make_user, world, new_request):
    """Called without a request (a CLI, a job): the entry names ``by``, not current_user."""
    request_id = new_request("fse")
    colleague = make_user(world.cpas_a, all_access=True, email="collegue@cpas-a.be")
    mark = last_entry_id(app)
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        by = db.session.get(User, colleague.id)
        services.update_request(row, {"street": "Rue B"}, by, row.version)
        assert row.updated_by_id == colleague.id
    assert _water_entries(app, mark) == [("water.fse.update", colleague.id)]


def test_add_file_writes_one_entry_by_its_actor(app, world, new_request):
    request_id = new_request("fat")
    mark = last_entry_id(app)
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        services.add_file(row, "courrier", pdf("c.pdf"), db.session.get(User, world.user_x.id))
    assert _water_entries(app, mark) == [("water.file_add", world.user_x.id)]


def test_save_drawing_right_writes_one_entry_by_its_actor(app, world):
    mark = last_entry_id(app)
    with app.app_context():
        by = db.session.get(User, world.user_spge.id)
        amounts = (Decimal("1000"), Decimal("200"), Decimal("300"))
        right = rights.save_drawing_right(
            world.cpas_a.id, world.dist_x.id, date.today().year, *amounts, by, version=0
        )
        assert right.updated_by_id == world.user_spge.id
    assert _water_entries(app, mark) == [("water.rights_update", world.user_spge.id)]


def test_create_request_writes_one_entry_by_its_actor(app, world, new_request):
    mark = last_entry_id(app)
    new_request("fse", by=world.user_a)
    assert _water_entries(app, mark) == [("water.fse.create", world.user_a.id)]


def test_a_step_taken_outside_a_request_names_its_actor(app, world, new_request):
    """No signed-in user (a job, the CLI): the entry and the event name ``by``."""
    request_id = new_request("fse")
    mark = last_entry_id(app)
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        dist = db.session.get(User, world.user_x.id)
        given = services.TransitionInput(amount=Decimal("12"))
        services.transition(row, "validate", dist, row.version, given)
        assert (row.events[-1].user_id, row.updated_by_id) == (world.user_x.id, world.user_x.id)
    assert _water_entries(app, mark) == [("water.fse.validate", world.user_x.id)]
