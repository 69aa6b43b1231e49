"""The workflow helper on its own: small status machines over plain objects.

``cpas.workflow`` knows no domain, so these machines are declared here, over plain Python
objects and fake users; the audit entries go to the real test database. A refused step
changes nothing and writes nothing; a taken step changes, records, audits once, commits,
then notifies; ``submit()`` says what a route draws.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from enum import StrEnum
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from cpas import workflow as workflow_module
from cpas.audit import AuditEntry
from cpas.concurrency import Conflict
from cpas.extensions import db
from cpas.workflow import (
    REGISTRY,
    ConfirmationNeeded,
    Input,
    RuleError,
    Step,
    Workflow,
    open_states,
    transitions,
)


class Stage(StrEnum):
    DRAFT = "brouillon"
    SENT = "envoye"
    DONE = "traite"
    CANCELLED = "annule"


LABELS = {
    Stage.DRAFT: "Brouillon",
    Stage.SENT: "Envoyé",
    Stage.DONE: "Traité",
    Stage.CANCELLED: "Annulé",
}


class Thing:
    """A record as the helper sees it: a status, a version, the last writer."""

    conflict_label = "Cet élément a été modifié"

    def __init__(self, status: str = Stage.DRAFT, version: int = 1, **fields: Any) -> None:
        self.id = 4242
        self.status = status
        self.version = version
        self.updated_at = None
        self.updated_by_id = None
        self.amount: Decimal | None = None
        for name, value in fields.items():
            setattr(self, name, value)

    def snapshot(self) -> dict[str, Any]:
        return dict(vars(self))


def fake_user(real: Any, *codes: str, kind: str = "cpas") -> SimpleNamespace:
    """A user as the helper sees it, bound to a real account (the audit has a foreign key)."""
    return SimpleNamespace(
        id=real.id,
        organisation_id=real.organisation_id,
        organisation=SimpleNamespace(kind=kind),
        has_function=lambda code: code in codes,
    )


@pytest.fixture
def world(app, make_user, monkeypatch):
    """A workflow factory (names freed afterwards), a journal of calls and two users."""
    app.config["WTF_CSRF_ENABLED"] = False
    journal: list[str] = []
    declared: list[str] = []
    real_commit = workflow_module.commit

    def commit(obj):
        journal.append("commit")
        real_commit(obj)

    monkeypatch.setattr(workflow_module, "commit", commit)

    def declare(*steps: Step, **options: Any) -> Workflow:
        name = f"essai.w{len(declared)}"
        declared.append(name)
        options.setdefault("record_event", lambda f: journal.append(f"event {f.old}>{f.new}"))
        options.setdefault("after_commit", (lambda f: journal.append("notify"),))
        return Workflow(name=name, states=Stage, labels=LABELS, steps=steps, **options)

    real_agent = make_user(first_name="Anne", last_name="Agent")
    real_other = make_user(first_name="Bert", last_name="Autre")
    yield SimpleNamespace(
        declare=declare,
        journal=journal,
        agent=fake_user(real_agent, "essai.send", "essai.close"),
        weak=fake_user(real_agent, "essai.send"),
        distributor=fake_user(real_agent, "essai.send", "essai.close", kind="distributor"),
        other=fake_user(real_other, "essai.send", "essai.close"),
        real_agent=real_agent,
    )
    for name in declared:
        REGISTRY.pop(name, None)


def entries(name: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(select(AuditEntry).where(AuditEntry.action.startswith(name + ".")))
    )


def send(**changes: Any) -> Step:
    fields: dict[str, Any] = {
        "action": "send",
        "sources": (Stage.DRAFT,),
        "target": Stage.SENT,
        "functions": ("essai.send",),
        "label": "Envoyer",
    }
    fields.update(changes)
    return Step(**fields)


def close(**changes: Any) -> Step:
    fields: dict[str, Any] = {
        "action": "close",
        "sources": (Stage.SENT,),
        "target": Stage.DONE,
        "functions": ("essai.send", "essai.close"),
        "label": "Clôturer",
        "sides": ("cpas",),
    }
    fields.update(changes)
    return Step(**fields)


AMOUNT = Input("amount", "money", "Montant", missing="Indiquez le montant.")


def _must_be_small(firing):
    if firing.given["amount"] > 100:
        raise RuleError("Le montant dépasse 100 €.", field="amount")


def _apply_amount(journal):
    def apply(firing):
        journal.append("apply")
        firing.obj.amount = firing.given.get("amount")

    return apply


# --------------------------------------------------------------------------- declaration


def test_a_workflow_refuses_unknown_states(world):
    with pytest.raises(ValueError, match="unknown states"):
        world.declare(send(sources=("nulle_part",)))
    with pytest.raises(ValueError, match="unknown states"):
        world.declare(send(target="ailleurs"))


def test_a_workflow_refuses_duplicate_actions(world):
    with pytest.raises(ValueError, match="declared twice"):
        world.declare(send(), send(target=Stage.CANCELLED))


def test_a_workflow_refuses_a_step_without_function_code(world):
    with pytest.raises(ValueError, match="no function code"):
        world.declare(send(functions=()))


def test_a_workflow_refuses_states_without_labels(world):
    try:
        with pytest.raises(ValueError, match="without a label"):
            Workflow(
                name="essai.labels",
                states=Stage,
                labels={Stage.DRAFT: "Brouillon"},
                steps=(send(),),
            )
    finally:
        REGISTRY.pop("essai.labels", None)


def test_a_refused_declaration_is_not_registered(world):
    try:
        with pytest.raises(ValueError):
            Workflow(name="essai.refused", states=Stage, labels=LABELS, steps=(send(functions=()),))
        assert "essai.refused" not in REGISTRY
    finally:
        REGISTRY.pop("essai.refused", None)


def test_a_workflow_name_is_declared_once(world):
    first = world.declare(send())
    with pytest.raises(ValueError, match="declared twice"):
        Workflow(name=first.name, states=Stage, labels=LABELS, steps=(send(),))
    assert REGISTRY[first.name] is first


def test_transitions_and_open_states_read_the_declaration(world):
    flow = world.declare(send(), close(), send(action="cancel", target=Stage.CANCELLED))
    assert transitions(flow) == {
        ("brouillon", "send", "envoye"),
        ("envoye", "close", "traite"),
        ("brouillon", "cancel", "annule"),
    }
    assert open_states(flow) == ("brouillon", "envoye")


# --------------------------------------------------------------------------- available


def test_available_lists_the_steps_the_user_may_take_now(world):
    flow = world.declare(
        send(),
        close(),
        send(action="cancel", target=Stage.CANCELLED, functions=("essai.close",)),
        send(action="later", guard=lambda obj, user: "Pas encore."),
    )
    draft, sent = Thing(), Thing(Stage.SENT)
    assert [s.action for s in flow.available(draft, world.agent)] == ["send", "cancel"]
    assert [s.action for s in flow.available(draft, world.weak)] == ["send"]
    assert [s.action for s in flow.available(sent, world.agent)] == ["close"]
    assert [s.action for s in flow.available(sent, world.weak)] == []  # lacks essai.close
    assert [s.action for s in flow.available(sent, world.distributor)] == []  # wrong side


# --------------------------------------------------------------------------- refused steps


def _refusals(world):
    journal = world.journal
    flow = world.declare(
        send(
            inputs=(AMOUNT, Input("note", "text", "Note", required=False)),
            checks=(_must_be_small,),
            apply=_apply_amount(journal),
        ),
        close(confirm="Clôturer est définitif."),
        send(action="guarded", guard=lambda obj, user: "Le dossier n'est pas complet."),
    )
    ok = {"amount": Decimal("50")}
    return flow, [
        # (what, thing, action, user, version, given, exception, field)
        ("unknown action", Thing(), "fly", world.agent, 1, ok, RuleError, None),
        ("wrong source", Thing(Stage.SENT), "send", world.agent, 1, ok, RuleError, None),
        ("wrong side", Thing(Stage.SENT), "close", world.distributor, 1, {}, RuleError, None),
        ("missing function", Thing(Stage.SENT), "close", world.weak, 1, {}, RuleError, None),
        ("guard", Thing(), "guarded", world.agent, 1, {}, RuleError, None),
        ("missing input", Thing(), "send", world.agent, 1, {}, RuleError, "amount"),
        ("zero amount", Thing(), "send", world.agent, 1, {"amount": 0}, RuleError, "amount"),
        (
            "failing check",
            Thing(),
            "send",
            world.agent,
            1,
            {"amount": Decimal("500")},
            RuleError,
            "amount",
        ),
        (
            "no confirmation",
            Thing(Stage.SENT),
            "close",
            world.agent,
            1,
            {},
            ConfirmationNeeded,
            None,
        ),
        ("stale version", Thing(version=3), "send", world.agent, 2, ok, Conflict, None),
        ("missing version", Thing(), "send", world.agent, None, ok, Conflict, None),
    ]


@pytest.mark.parametrize("index", range(11))
def test_a_refused_step_changes_nothing_and_writes_no_audit_entry(app, world, index):
    with app.app_context():
        flow, cases = _refusals(world)
        what, thing, action, user, version, given, exception, field = cases[index]
        before = thing.snapshot()
        with pytest.raises(exception) as raised:
            flow.fire(thing, action, user, version, given)
        assert thing.snapshot() == before, what
        assert world.journal == [], what  # no apply, no event, no commit, no notification
        assert entries(flow.name) == [], what
        if exception is RuleError:
            assert raised.value.field == field, what
            assert str(raised.value), what


def test_a_refusal_says_why(app, world):
    with app.app_context():
        flow, cases = _refusals(world)
        with pytest.raises(RuleError, match="pas complet"):
            flow.fire(Thing(), "guarded", world.agent, 1, {})
        with pytest.raises(RuleError, match="Indiquez le montant"):
            flow.fire(Thing(), "send", world.agent, 1, {})
        with pytest.raises(RuleError, match="dépasse 100"):
            flow.fire(Thing(), "send", world.agent, 1, {"amount": Decimal("101")})


def test_a_conflict_names_the_last_writer(app, world):
    with app.app_context():
        flow = world.declare(send())
        thing = Thing(version=5, updated_by_id=world.real_agent.id)
        with pytest.raises(Conflict) as raised:
            flow.fire(thing, "send", world.other, 4)
        assert raised.value.by_name == "Anne Agent"
        assert raised.value.current_version == 5


# --------------------------------------------------------------------------- taken steps


def test_a_taken_step_changes_records_audits_once_commits_then_notifies(app, world):
    with app.app_context():
        journal = world.journal
        flow = world.declare(
            send(inputs=(AMOUNT,), checks=(_must_be_small,), apply=_apply_amount(journal))
        )
        thing = Thing()
        step = flow.fire(thing, "send", world.agent, 1, {"amount": Decimal("42.50")})
        assert step.action == "send"
        assert thing.status == Stage.SENT
        assert thing.amount == Decimal("42.50")
        assert thing.updated_by_id == world.agent.id and thing.updated_at is not None
        assert journal == ["apply", "event brouillon>envoye", "commit", "notify"]
        (entry,) = entries(flow.name)
        assert entry.action == f"{flow.name}.send"
        assert (entry.user_id, entry.organisation_id) == (
            world.agent.id,
            world.agent.organisation_id,
        )
        assert entry.details == "brouillon -> envoye"
        assert (entry.object_type, entry.object_id) == ("Thing", "4242")
    with app.app_context():  # committed: another session sees it
        assert len(entries(flow.name)) == 1


def test_the_actor_is_the_one_passed_not_the_signed_in_user(app, world):
    from flask_login import login_user

    from cpas.access.models import User

    with app.app_context():
        flow = world.declare(send())
        with app.test_request_context("/"):
            login_user(db.session.get(User, world.real_agent.id))
            flow.fire(Thing(), "send", world.other, 1)
        (entry,) = entries(flow.name)
        assert entry.user_id == world.other.id


def test_a_confirmed_step_is_taken(app, world):
    with app.app_context():
        flow = world.declare(close(confirm="Clôturer est définitif."))
        thing = Thing(Stage.SENT)
        flow.fire(thing, "close", world.agent, 1, confirmed=True)
        assert thing.status == Stage.DONE
        assert [e.details for e in entries(flow.name)] == ["envoye -> traite"]


def test_a_computed_target_is_decided_after_apply(app, world):
    with app.app_context():
        journal = world.journal

        def target(firing):
            journal.append("target")
            return Stage.DONE if firing.obj.amount == Decimal("1") else Stage.SENT

        flow = world.declare(send(target=target, inputs=(AMOUNT,), apply=_apply_amount(journal)))
        thing = Thing()
        flow.fire(thing, "send", world.agent, 1, {"amount": Decimal("1")})
        assert thing.status == Stage.DONE
        assert journal[:3] == ["apply", "target", "event brouillon>traite"]
        assert entries(flow.name)[0].details == "brouillon -> traite"


def test_a_failing_after_commit_hook_is_logged_not_raised(app, world, caplog, monkeypatch):
    # Alembic's fileConfig (migrations/env.py, run by the test bed) disables the loggers
    # that existed before it; the app's logger is live in production.
    monkeypatch.setattr(logging.getLogger("cpas.workflow"), "disabled", False)
    with app.app_context():
        journal = world.journal

        def broken(firing):
            raise OSError("smtp down")

        flow = world.declare(send(), after_commit=(broken, lambda f: journal.append("notify")))
        thing = Thing()
        with caplog.at_level(logging.ERROR, logger="cpas.workflow"):
            flow.fire(thing, "send", world.agent, 1)
        assert thing.status == Stage.SENT
        assert journal == ["event brouillon>envoye", "commit", "notify"]  # the next hook runs
        assert len(entries(flow.name)) == 1
        failures = [r for r in caplog.records if "after-commit hook failed" in r.getMessage()]
        assert len(failures) == 1 and failures[0].exc_info[0] is OSError


# --------------------------------------------------------------------------- submit


def _submit(app, flow, thing, action, user, **form):
    with app.test_request_context("/", method="POST", data=MultiDict(form)):
        from flask import request

        return flow.submit(thing, action, user, request.form)


def test_submit_takes_a_valid_step(app, world):
    with app.app_context():
        flow = world.declare(send(inputs=(AMOUNT,), apply=_apply_amount(world.journal)))
        thing = Thing()
        outcome = _submit(app, flow, thing, "send", world.agent, version="1", amount="1.234,50")
        assert (outcome.status, outcome.done) == (200, True)
        assert outcome.step.action == "send"
        assert thing.amount == Decimal("1234.50") and thing.status == Stage.SENT
        assert len(entries(flow.name)) == 1


def test_submit_refuses_with_the_message_next_to_the_field(app, world):
    with app.app_context():
        flow = world.declare(send(inputs=(AMOUNT,), checks=(_must_be_small,)))
        thing = Thing()
        missing = _submit(app, flow, thing, "send", world.agent, version="1", amount="")
        assert missing.status == 422 and not missing.done
        assert missing.posted.errors == {"amount": "Indiquez le montant."}
        too_big = _submit(app, flow, thing, "send", world.agent, version="1", amount="250")
        assert too_big.status == 422
        assert too_big.posted.errors == {"amount": "Le montant dépasse 100 €."}
        assert too_big.posted.values == {"amount": "250"}  # what was typed, kept
        garbage = _submit(app, flow, thing, "send", world.agent, version="1", amount="douze")
        assert garbage.status == 422 and "amount" in garbage.posted.errors
        assert garbage.posted.values == {"amount": "douze"}
        refused = _submit(
            app, flow, Thing(Stage.DONE), "send", world.agent, version="1", amount="5"
        )
        assert refused.status == 422 and "form" in refused.posted.errors
        assert thing.status == Stage.DRAFT and entries(flow.name) == []


def test_submit_refuses_a_form_without_a_valid_version(app, world):
    with app.app_context():
        flow = world.declare(send())
        thing = Thing()
        for version in ("", "abc", "²", "99999999999"):
            outcome = _submit(app, flow, thing, "send", world.agent, version=version)
            assert outcome.status == 422 and "version" in outcome.posted.errors, version
        assert thing.status == Stage.DRAFT and entries(flow.name) == []


def test_submit_answers_a_stale_form_with_a_conflict_keeping_the_typed_values(app, world):
    with app.app_context():
        flow = world.declare(
            send(inputs=(Input("amount", "money", "Montant", saved=lambda o: "80,00"),))
        )
        thing = Thing(version=3, updated_by_id=world.real_agent.id)
        outcome = _submit(app, flow, thing, "send", world.other, version="2", amount="75")
        assert outcome.status == 409
        assert isinstance(outcome.conflict, Conflict)
        assert outcome.posted.values == {"amount": "75"}
        assert outcome.posted.saved == {"amount": "80,00"}
        assert outcome.posted.version == 3  # posting again works
        assert "form" not in outcome.posted.errors  # the step is still possible
        assert thing.status == Stage.DRAFT and entries(flow.name) == []


def test_a_conflict_says_when_the_step_went_away(app, world):
    with app.app_context():
        flow = world.declare(send(inputs=(AMOUNT,)))
        thing = Thing(Stage.SENT, version=2)
        outcome = _submit(app, flow, thing, "send", world.agent, version="1", amount="10")
        assert outcome.status == 409
        assert "n'est plus possible" in outcome.posted.errors["form"]
        assert "Envoyé" in outcome.posted.errors["form"]


def test_submit_asks_for_the_confirmation_of_an_irreversible_step(app, world):
    with app.app_context():
        flow = world.declare(close(confirm="Clôturer est définitif.", inputs=(AMOUNT,)))
        thing = Thing(Stage.SENT)
        pending = _submit(app, flow, thing, "close", world.agent, version="1", amount="12")
        assert (pending.status, pending.done) == (200, False)
        assert pending.pending is not None and pending.pending.action == "close"
        assert pending.posted.values == {"amount": "12"}
        assert thing.status == Stage.SENT and entries(flow.name) == []
        confirmed = _submit(
            app, flow, thing, "close", world.agent, version="1", amount="12", confirmed="1"
        )
        assert (confirmed.status, confirmed.done) == (200, True)
        assert thing.status == Stage.DONE and len(entries(flow.name)) == 1


def test_submit_of_an_unknown_action_is_a_404(app, world):
    with app.app_context():
        flow = world.declare(send())
        outcome = _submit(app, flow, Thing(), "voler", world.agent, version="1")
        assert outcome.status == 404 and not outcome.done
        assert entries(flow.name) == []


def test_yes_no_and_text_inputs_are_parsed(app, world):
    with app.app_context():
        seen: dict[str, Any] = {}
        flow = world.declare(
            send(
                inputs=(
                    Input("agree", "yesno", "D'accord ?"),
                    Input("note", "text", "Note", required=False),
                ),
                apply=lambda f: seen.update(f.given),
            )
        )
        outcome = _submit(app, flow, Thing(), "send", world.agent, version="1", agree="non")
        assert outcome.done and seen == {"agree": False, "note": None}
        missing = _submit(app, flow, Thing(), "send", world.agent, version="1", note="  x  ")
        assert missing.status == 422 and "agree" in missing.posted.errors
