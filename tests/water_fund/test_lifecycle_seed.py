"""Both life cycles over HTTP, against the table written from seed 000 (``seed_table.py``).

For each kind, each state, each side: the status panel shows exactly the steps the table
allows, and each of the seven actions, posted to the real route by a real user of that
side, either reaches the table's status (one history event, one audit entry naming the
actor) or is refused with nothing changed. A user of the same side without the step's
function is refused; another CPAS or another distributor gets a 404.

The requests are put in their state through the models (a literal history per state),
never through the code under test.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import func, select

from cpas.audit import AuditEntry
from cpas.extensions import db
from cpas.timeutil import utcnow
from cpas.water_fund.models import WaterFile, WaterRequest, WaterRequestEvent
from tests.water_fund.seed_table import (
    ACTIONS,
    FUNCTION,
    LIFE_CYCLE,
    REFUSEE,
    REFUSEE_APRES_INFO,
    SIDES,
    allowed,
    allowed_steps,
)

#: What each step posts: every input any step needs, so that a refusal can only come from
#: the life cycle (the amount in Belgian notation, the FAT flat fee, the confirmation of an
#: irreversible step). The FAT invoice is on the request already (see ``HISTORY``).
POSTED = {
    "amount": "1.250,50",
    "comment": "Motif du test",
    "flat_fee_paid": "non",
    "confirmed": "1",
}
POSTED_AMOUNT = Decimal("1250.50")

#: How a request reached each state: the (action, from, to) events of its history.
HISTORY: dict[str, dict[str, list[tuple[str, str | None, str]]]] = {
    "fat": {
        "SOUMISE": [("submit", None, "SOUMISE")],
        "APPROUVEE": [("submit", None, "SOUMISE"), ("approve", "SOUMISE", "APPROUVEE")],
        "REFUSEE": [("submit", None, "SOUMISE"), ("refuse", "SOUMISE", "REFUSEE")],
        "EN_ATTENTE_INFORMATION": [
            ("submit", None, "SOUMISE"),
            ("refuse", "SOUMISE", "REFUSEE"),
            ("request_info", "REFUSEE", "EN_ATTENTE_INFORMATION"),
        ],
        "EN_ATTENTE_PAIEMENT": [
            ("submit", None, "SOUMISE"),
            ("approve", "SOUMISE", "APPROUVEE"),
            ("validate", "APPROUVEE", "EN_ATTENTE_PAIEMENT"),
        ],
        "PAYEE": [
            ("submit", None, "SOUMISE"),
            ("approve", "SOUMISE", "APPROUVEE"),
            ("validate", "APPROUVEE", "EN_ATTENTE_PAIEMENT"),
            ("pay", "EN_ATTENTE_PAIEMENT", "PAYEE"),
        ],
        "ANNULEE": [("submit", None, "SOUMISE"), ("cancel", "SOUMISE", "ANNULEE")],
        REFUSEE_APRES_INFO: [
            ("submit", None, "SOUMISE"),
            ("refuse", "SOUMISE", "REFUSEE"),
            ("request_info", "REFUSEE", "EN_ATTENTE_INFORMATION"),
            ("answer_info", "EN_ATTENTE_INFORMATION", "REFUSEE"),
        ],
    },
    "fse": {
        "SOUMISE": [("submit", None, "SOUMISE")],
        "REFUSEE": [("submit", None, "SOUMISE"), ("refuse", "SOUMISE", "REFUSEE")],
        "EN_ATTENTE_INFORMATION": [
            ("submit", None, "SOUMISE"),
            ("refuse", "SOUMISE", "REFUSEE"),
            ("request_info", "REFUSEE", "EN_ATTENTE_INFORMATION"),
        ],
        "EN_ATTENTE_PAIEMENT": [
            ("submit", None, "SOUMISE"),
            ("validate", "SOUMISE", "EN_ATTENTE_PAIEMENT"),
        ],
        "APUREE": [
            ("submit", None, "SOUMISE"),
            ("validate", "SOUMISE", "EN_ATTENTE_PAIEMENT"),
            ("pay", "EN_ATTENTE_PAIEMENT", "APUREE"),
        ],
        "ANNULEE": [("submit", None, "SOUMISE"), ("cancel", "SOUMISE", "ANNULEE")],
        REFUSEE_APRES_INFO: [
            ("submit", None, "SOUMISE"),
            ("refuse", "SOUMISE", "REFUSEE"),
            ("request_info", "REFUSEE", "EN_ATTENTE_INFORMATION"),
            ("answer_info", "EN_ATTENTE_INFORMATION", "REFUSEE"),
        ],
    },
}

#: The steps of the history above taken by the distributor (the others by the CPAS).
DISTRIBUTOR_STEPS = {
    "fat": {"approve", "refuse", "answer_info", "pay"},
    "fse": {"validate", "refuse", "answer_info", "pay"},
}

BENEFICIARY = {
    "last_name": "Dupont",
    "first_name": "Marie",
    "street": "Rue de la Source",
    "house_number": "12",
    "postal_code": "4000",
    "locality": "Liège",
    "client_number": "CLI-001",
    "requested_amount": Decimal("1000.00"),
}
FAT_FIELDS = {
    "contact_name": "Sophie Lambert",
    "contact_phone": "081000000",
    "contact_email": "contact@cpas-a.be",
    "works_type": "fuite",
    "quote_amount": Decimal("1250.00"),
    "payee": "contractor",
    "contractor_name": "Plomberie Dubois",
    "contractor_iban": "BE71096123456769",
}
FSE_FIELDS = {"recurrence": "ponctuelle"}


def test_the_table_covers_every_state_action_and_side():
    assert set(LIFE_CYCLE) == set(HISTORY) == {"fat", "fse"}
    for kind, states in LIFE_CYCLE.items():
        assert set(states) == set(HISTORY[kind])
        for state, row in states.items():
            assert tuple(row) == ACTIONS, (kind, state)
            assert all(len(sides) == len(SIDES) for sides in row.values()), (kind, state)


# --------------------------------------------------------------------------- setup


def _stored_status(state: str) -> str:
    return REFUSEE if state == REFUSEE_APRES_INFO else state


def put_in_state(app, world, kind: str, state: str, count: int = 1) -> list[int]:
    """Requests of CPAS A to distributor X already in ``state``, written through the models."""
    history = HISTORY[kind][state]
    done = {action for action, _, _ in history}
    with app.app_context():
        ids = []
        for _ in range(count):
            row = WaterRequest(
                kind=kind,
                cpas_id=world.cpas_a.id,
                distributor_id=world.dist_x.id,
                year=utcnow().year,
                status=_stored_status(state),
                created_by_id=world.user_a.id,
                **BENEFICIARY,
                **(FAT_FIELDS if kind == "fat" else FSE_FIELDS),
            )
            if "approve" in done or (kind == "fse" and "validate" in done):
                row.granted_amount = Decimal("900.00")
            if kind == "fat" and "validate" in done:
                row.flat_fee_paid = True
            if "request_info" in done:
                row.info_request = "Pourquoi ce refus ?"
            if "answer_info" in done:
                row.info_answer = "Revenu trop élevé"
            if state in {"PAYEE", "APUREE", "ANNULEE"}:
                row.closed_at = utcnow()
            for action, old, new in history:
                by = world.user_x if action in DISTRIBUTOR_STEPS[kind] else world.user_a
                row.events.append(
                    WaterRequestEvent(
                        user_id=by.id,
                        action=action,
                        from_status=old,
                        to_status=new,
                    )
                )
            if kind == "fat":
                # the quote of the submission, and the invoice the CPAS adds before validating
                for file_type in ("devis", "facture"):
                    row.files.append(
                        WaterFile(
                            file_type=file_type,
                            original_name=f"{file_type}.pdf",
                            stored_name=uuid.uuid4().hex,
                            mime_type="application/pdf",
                            size=40,
                            uploaded_by_id=world.user_a.id,
                        )
                    )
            db.session.add(row)
            db.session.flush()
            ids.append(row.id)
        db.session.commit()
    return ids


def actor_of(world, side: str):
    return {"cpas": world.user_a, "distributor": world.user_x, "fund_manager": world.user_spge}[
        side
    ]


class _ActionForms(HTMLParser):
    """The steps a page offers: the action of each form posting to ``…/action/<name>``."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix
        self.by_url: set[str] = set()
        self.by_id: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "form":
            return
        attributes = dict(attrs)
        url = attributes.get("action") or ""
        if url.startswith(self.prefix):
            self.by_url.add(url[len(self.prefix) :])
            form_id = attributes.get("id") or ""
            if form_id.startswith("action-"):
                self.by_id.add(form_id[len("action-") :])


def actions_shown(client, kind: str, request_id: int) -> set[str]:
    response = client.get(f"/fonds-eau/{kind}/{request_id}")
    assert response.status_code == 200
    parser = _ActionForms(f"/fonds-eau/{kind}/{request_id}/action/")
    parser.feed(response.get_data(as_text=True))
    assert parser.by_url == parser.by_id, "each step form posts to its own action"
    return parser.by_url


def snapshot(app, request_id: int) -> dict[str, Any]:
    """What a refused step must leave as it was."""
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        return {
            "status": row.status,
            "version": row.version,
            "events": db.session.scalar(
                select(func.count(WaterRequestEvent.id)).where(
                    WaterRequestEvent.request_id == request_id
                )
            ),
            "granted_amount": row.granted_amount,
            "audit": db.session.scalar(select(func.max(AuditEntry.id))) or 0,
        }


def post_step(client, app, kind: str, request_id: int, action: str):
    with app.app_context():
        version = db.session.get(WaterRequest, request_id).version
    return client.post(
        f"/fonds-eau/{kind}/{request_id}/action/{action}",
        data={"version": str(version), **POSTED},
    )


def new_events(app, request_id: int, before: int) -> list[WaterRequestEvent]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(WaterRequestEvent)
                .where(WaterRequestEvent.request_id == request_id)
                .order_by(WaterRequestEvent.id)
            )
        )[before:]
        for row in rows:
            db.session.expunge(row)
        return rows


def audit_since(app, mark: int) -> list[AuditEntry]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(AuditEntry).where(AuditEntry.id > mark).order_by(AuditEntry.id)
            )
        )
        for row in rows:
            db.session.expunge(row)
        return rows


def refused_problems(app, response, request_id: int, before: dict[str, Any]) -> list[str]:
    """Why a refused step was not refused cleanly (empty: refused, nothing changed)."""
    problems = []
    if not 400 <= response.status_code < 500:
        problems.append(f"answer {response.status_code}, not an error")
    after = snapshot(app, request_id)
    for key in ("status", "version", "events", "granted_amount"):
        if after[key] != before[key]:
            problems.append(f"{key} {before[key]!r} -> {after[key]!r}")
    written = [e.action for e in audit_since(app, before["audit"]) if e.action.startswith("water.")]
    if written:
        problems.append(f"audit entries written: {written}")
    return problems


def allowed_problems(
    app, response, kind: str, request_id: int, action: str, target: str, actor, before
) -> list[str]:
    """Why an allowed step did not do exactly what the table says (empty: it did)."""
    if response.status_code >= 400:
        return [f"answer {response.status_code}"]
    problems = []
    after = snapshot(app, request_id)
    if after["status"] != target:
        problems.append(f"status {after['status']!r}, expected {target!r}")
    events = new_events(app, request_id, before["events"])
    if [(e.action, e.from_status, e.to_status, e.user_id) for e in events] != [
        (action, before["status"], target, actor.id)
    ]:
        problems.append(f"events {[(e.action, e.from_status, e.to_status) for e in events]}")
    steps = [e for e in audit_since(app, before["audit"]) if e.action.startswith(f"water.{kind}.")]
    if [(e.action, e.user_id, e.object_id) for e in steps] != [
        (f"water.{kind}.{action}", actor.id, str(request_id))
    ]:
        problems.append(f"audit {[(e.action, e.user_id, e.object_id) for e in steps]}")
    takes_amount = action == "approve" or (kind == "fse" and action == "validate")
    if takes_amount and after["granted_amount"] != POSTED_AMOUNT:
        problems.append(f"granted amount {after['granted_amount']}")
    return problems


# --------------------------------------------------------------------------- the table


CASES = [
    (kind, state, side) for kind, states in LIFE_CYCLE.items() for state in states for side in SIDES
]


@pytest.mark.parametrize("kind,state,side", CASES)
def test_life_cycle_over_http(app, client, login_as, world, kind, state, side):
    expected = allowed(kind, state, side)
    ids = put_in_state(app, world, kind, state, count=len(ACTIONS))
    actor = actor_of(world, side)
    login_as(actor)
    assert actions_shown(client, kind, ids[0]) == set(expected)
    problems = []
    for action, request_id in zip(ACTIONS, ids, strict=True):
        before = snapshot(app, request_id)
        response = post_step(client, app, kind, request_id, action)
        if action in expected:
            found = allowed_problems(
                app, response, kind, request_id, action, expected[action], actor, before
            )
        else:
            found = refused_problems(app, response, request_id, before)
        problems += [
            f"{action} ({'allowed' if action in expected else 'refused'}): {p}" for p in found
        ]
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- who holds what


def _codes_of(kind: str) -> set[str]:
    return {f"water.{kind}.view", "water.files", *FUNCTION[kind].values()}


@pytest.mark.parametrize("kind", ["fat", "fse"])
def test_each_step_needs_exactly_its_function(app, client, login_as, world, make_user, kind):
    """The right side with only « Consulter » and the step's function may take it; with
    every function but that one: no button, and the route refuses."""
    org = {"cpas": world.cpas_a, "distributor": world.dist_x}
    users: dict[tuple[str, str, bool], Any] = {}

    def user(side: str, code: str, holds: bool):
        codes = {f"water.{kind}.view", code} if holds else _codes_of(kind) - {code}
        if (side, code, holds) not in users:
            users[(side, code, holds)] = make_user(org[side], functions=sorted(codes))
        return users[(side, code, holds)]

    problems = []
    steps = [(s, a, side, t) for k, s, a, side, t in allowed_steps() if k == kind]
    assert steps
    for state, action, side, target in steps:
        code = FUNCTION[kind][action]
        lacking, holding = put_in_state(app, world, kind, state, count=2)
        login_as(user(side, code, holds=False))
        if action in actions_shown(client, kind, lacking):
            problems.append(f"{state} {action} {side}: button shown without {code}")
        before = snapshot(app, lacking)
        response = post_step(client, app, kind, lacking, action)
        problems += [
            f"{state} {action} {side} without {code}: {p}"
            for p in refused_problems(app, response, lacking, before)
        ]
        actor = user(side, code, holds=True)
        login_as(actor)
        if action not in actions_shown(client, kind, holding):
            problems.append(f"{state} {action} {side}: no button with only {code}")
        before = snapshot(app, holding)
        response = post_step(client, app, kind, holding, action)
        problems += [
            f"{state} {action} {side} with only {code}: {p}"
            for p in allowed_problems(app, response, kind, holding, action, target, actor, before)
        ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("kind", ["fat", "fse"])
def test_another_cpas_or_distributor_gets_404(app, client, login_as, world, kind):
    """Holding every function is no help on another organisation's request: not found."""
    strangers = {"cpas": world.user_b, "distributor": world.user_y}
    problems = []
    steps = [(s, a, side) for k, s, a, side, _ in allowed_steps() if k == kind]
    for state, action, side in steps:
        (request_id,) = put_in_state(app, world, kind, state)
        login_as(strangers[side])
        page = client.get(f"/fonds-eau/{kind}/{request_id}")
        if page.status_code != 404:
            problems.append(f"{state} {side}: detail answers {page.status_code}")
        before = snapshot(app, request_id)
        response = post_step(client, app, kind, request_id, action)
        if response.status_code != 404:
            problems.append(f"{state} {action} {side}: answers {response.status_code}")
        problems += [
            f"{state} {action} {side}: {p}"
            for p in refused_problems(app, response, request_id, before)
        ]
    assert not problems, "\n".join(problems)
