"""The aid request's status machine, written literally from seed 001 §15–17 and issue 14,
driven through the services for EVERY status × EVERY step.

Allowed: the status reached, exactly one new event with its French label, one audit entry
``aid.<step>`` naming the actor (a colleague of the one who made the request), the version
bumped once. Refused: ``AidRuleError`` and nothing changed (status, version, no event, no
audit entry). Not read from ``cpas/aid/lifecycle.py``: the table below is the seed's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from flask import g
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from cpas.access.models import User
from cpas.aid import services
from cpas.aid.lifecycle import AID, AidRuleError
from cpas.aid.models import AidRequest, AidRequestEvent, RequestDateLocked
from cpas.dossiers.models import Dossier, HouseholdSnapshot
from cpas.extensions import db
from cpas.workflow import ConfirmationNeeded
from tests.audit_helpers import entries_since, last_entry_id

#: Seed 001 §6's example: a request of 15/01 (the effective date one week earlier).
REQUEST_DATE = date(2026, 1, 15)
EFFECTIVE_DATE = date(2026, 1, 8)

# The statuses by their codes, as stored (seed 002's history shows the labels).
EN_COURS = "en_cours"  # « Demande en cours »
SOUMISE = "soumise"  # « Rapport envoyé au Conseil »
DECISION = "decision"  # « Décision encodée »
FORMULAIRE = "formulaire"  # « Formulaire envoyé »
CLOTUREE = "cloturee"  # « Demande clôturée »
STATUSES = (EN_COURS, SOUMISE, DECISION, FORMULAIRE, CLOTUREE)
STEPS = (
    "modify",
    "report",
    "proposal",
    "submit",
    "complete",
    "decide",
    "send_form",
    "duplicate",
    "close",
    "revise",
)

# fmt: off
#: (status, step) → (status reached, the event's label); a pair absent is refused.
ALLOWED: dict[tuple[str, str], tuple[str, str]] = {
    # §16.1 « Avant de soumettre au Conseil, vous pouvez avoir besoin de modifier certaines
    # informations dans la demande » → only « Demande en cours » (choix de l'application:
    # the seed names no other status).
    (EN_COURS, "modify"): (EN_COURS, "Enrichissement de la demande"),
    # §13–14 « Rédigez votre rapport social » / « formuler votre proposition » before §15
    # « il ne vous sera plus possible de modifier les éléments clés de l'enquête sociale »:
    # choix de l'application, rapport and proposition only while « Demande en cours ».
    (EN_COURS, "report"): (EN_COURS, "Rapport enregistré"),
    (EN_COURS, "proposal"): (EN_COURS, "Proposition enregistrée"),
    # §15 « suite à l'enregistrement de la proposition, apparaît une nouvelle action
    # « Soumettre la demande au conseil » » (the request here has its proposition saved).
    (EN_COURS, "submit"): (SOUMISE, "Soumission au Conseil"),
    # §16.2 « Après avoir soumis la demande au Conseil, […] activez « Compléter l'enquête
    # sociale » » « Il faudra, par après, soumettre à nouveau » → back to « en cours »;
    # choix de l'application: only from « Rapport envoyé au Conseil ».
    (SOUMISE, "complete"): (EN_COURS, "Complétude de l'enquête sociale"),
    # Issue 14 §6: « Rapport envoyé au Conseil → Décision encodée → Formulaire envoyé »
    # (the Council's screens come later; the table covers them now).
    (SOUMISE, "decide"): (DECISION, "Décision encodée"),
    (DECISION, "send_form"): (FORMULAIRE, "Formulaire envoyé au SPP IS"),
    # §17.1 « Vous pourrez dupliquer toutes les demandes tant qu'elles ne sont pas sous le
    # statut « Demande clôturée » » (the duplicated request keeps its status).
    (EN_COURS, "duplicate"): (EN_COURS, "Duplication de la demande (nouvelle demande n° 2)"),
    (SOUMISE, "duplicate"): (SOUMISE, "Duplication de la demande (nouvelle demande n° 2)"),
    (DECISION, "duplicate"): (DECISION, "Duplication de la demande (nouvelle demande n° 2)"),
    (FORMULAIRE, "duplicate"): (
        FORMULAIRE, "Duplication de la demande (nouvelle demande n° 2)"),
    # §17.2 « La demande, que vous souhaitez clôturer, doit être soit en statut
    # « Formulaire envoyé » […] soit en statut « Décision encodée » ».
    (DECISION, "close"): (CLOTUREE, "Clôture de la demande"),
    (FORMULAIRE, "close"): (CLOTUREE, "Clôture de la demande"),
    # §17.3 « Vous pourrez réviser les demandes qui sont sous le statut « Demande
    # clôturée » » (the revised request stays closed; a new one is created).
    (CLOTUREE, "revise"): (CLOTUREE, "Révision de la demande (nouvelle demande n° 2)"),
}
# fmt: on

#: What each step is given (parsed values, as ``AID.submit`` hands them to ``fire``).
GIVEN: dict[str, dict[str, Any]] = {
    "modify": {
        "kind": "office",
        "effective_date": date(2026, 1, 1),
        "nature": "Mazout, complété après la visite",
    },
    "report": {"report": "Madame vit seule avec son fils ; revenus insuffisants."},
    "proposal": {"proposal": "Octroi d'une aide de 500 € pour le mazout.", "meeting_date": None},
}
#: Steps that create a new request (seed §17.1, §17.3).
COPIES = {"duplicate": "duplicate", "revise": "revision"}


# --------------------------------------------------------------------------- the bed


@pytest.fixture
def bed(aid_world):
    """Marie's dossier at CPAS A, opened by its social worker; the actor is the director
    (every function), so that a refusal comes from the status alone."""
    return SimpleNamespace(
        dossier_id=aid_world.dossier_a.id,
        actor_id=aid_world.director_a.id,
        colleague_id=aid_world.social_a.id,
        niss=aid_world.dossier_a.niss,
        world=aid_world,
    )


@pytest.fixture
def placed(app, bed, make_request):
    """``placed(status)``: a request of Marie's dossier of 15/01/2026, made by the social
    worker through the service and walked to ``status``, its proposition saved."""

    def _place(status: str = EN_COURS, *, proposal: bool = True) -> int:
        made = make_request(bed.dossier_id, bed.colleague_id, REQUEST_DATE, status)
        if status == EN_COURS and proposal:
            fire(app, made.id, "proposal", bed.colleague_id)
        return made.id

    return _place


def state_of(app, request_id: int) -> dict[str, Any]:
    """What a refused step must leave as it was."""
    with app.app_context():
        request = db.session.get(AidRequest, request_id)
        assert request is not None
        return {
            "status": request.status,
            "version": request.version,
            "kind": request.kind,
            "effective_date": request.effective_date,
            "nature": request.nature,
            "report": request.report,
            "proposal": request.proposal,
            "events": event_labels(request_id),
            "requests": db.session.scalar(select(func.count()).select_from(AidRequest)),
        }


def event_labels(request_id: int) -> list[str]:
    """The request's events as « Evénement(s) sur la demande » shows them (in a context)."""
    rows = db.session.scalars(
        select(AidRequestEvent)
        .where(AidRequestEvent.request_id == request_id)
        .order_by(AidRequestEvent.at, AidRequestEvent.id)
    )
    return [row.label for row in rows]


def fire(app, request_id: int, step: str, actor_id: int, **kwargs: Any) -> None:
    """Take ``step`` through the workflow as the services do (loaded version, inputs)."""
    with app.app_context():
        request = db.session.get(AidRequest, request_id)
        by = db.session.get(User, actor_id)
        given = dict(GIVEN.get(step, {}))
        if "meeting_date" in given:
            given["meeting_date"] = date.today()
        AID.fire(request, step, by, request.version, given, **kwargs)


@contextmanager
def posting(app) -> Iterator[None]:
    """A POST request context whose CSRF token CSRFProtect already checked, as in a route
    (``modify_request`` parses the posted form)."""
    with app.test_request_context(method="POST"):
        g.csrf_valid = True
        yield


CASES = [pytest.param(status, step, id=f"{status}-{step}") for status in STATUSES for step in STEPS]


# --------------------------------------------------------------------------- the table


def test_the_table_covers_every_status_and_step():
    """The literal table names only the seed's statuses and the steps listed here."""
    assert {s for s, _ in ALLOWED} <= set(STATUSES)
    assert {step for _, step in ALLOWED} == set(STEPS)
    assert {reached for reached, _label in ALLOWED.values()} <= set(STATUSES)


@pytest.mark.parametrize("status,step", CASES)
def test_every_status_and_every_step(app, bed, placed, status, step):
    request_id = placed(status)
    before = state_of(app, request_id)
    mark = last_entry_id(app)
    expected = ALLOWED.get((status, step))
    if expected is None:
        with pytest.raises(AidRuleError):
            fire(app, request_id, step, bed.actor_id, confirmed=True)
        assert state_of(app, request_id) == before, "a refused step changed the request"
        assert entries_since(app, mark) == [], "a refused step wrote an audit entry"
        return
    reached, label = expected
    fire(app, request_id, step, bed.actor_id, confirmed=True)
    after = state_of(app, request_id)
    assert after["status"] == reached
    assert after["version"] == before["version"] + 1
    assert after["events"] == [*before["events"], label], "exactly one new event"
    ours = entries_since(app, mark, f"aid.{step}")
    assert len(ours) == 1, [e.action for e in entries_since(app, mark)]
    assert ours[0].user_id == bed.actor_id
    assert (ours[0].object_type, ours[0].object_id) == ("AidRequest", str(request_id))
    if step in COPIES:
        # the new request's own creation audit entry, then its integration « en enquête »
        assert [e.action for e in entries_since(app, mark)] == [
            "aid.create",
            f"aid.{step}",
            "integrations.integrate",
        ]
    else:
        assert [e.action for e in entries_since(app, mark)] == [f"aid.{step}"]
    with app.app_context():
        request = db.session.get(AidRequest, request_id)
        assert request is not None
        if step == "modify":
            assert (request.kind, request.effective_date, request.nature) == (
                "office",
                date(2026, 1, 1),
                "Mazout, complété après la visite",
            )
            assert request.request_date == REQUEST_DATE
        if step == "report":
            assert request.report == GIVEN["report"]["report"] and request.report_at
        if step == "proposal":
            assert request.proposal == GIVEN["proposal"]["proposal"]
            assert request.meeting_date == date.today()
        if step == "submit":
            assert request.submitted_at is not None


def test_submit_needs_a_saved_proposition(app, bed, placed):
    """§15 « suite à l'enregistrement de la proposition »: without it, refused; once the
    proposition is saved through its step, the submission goes."""
    request_id = placed(EN_COURS, proposal=False)
    before = state_of(app, request_id)
    mark = last_entry_id(app)
    with pytest.raises(AidRuleError, match="Enregistrez d'abord une proposition"):
        fire(app, request_id, "submit", bed.actor_id, confirmed=True)
    assert state_of(app, request_id) == before
    assert entries_since(app, mark) == []
    with app.app_context():
        request = db.session.get(AidRequest, request_id)
        by = db.session.get(User, bed.actor_id)
        assert "submit" not in [s.action for s in AID.available(request, by)]
    fire(app, request_id, "proposal", bed.actor_id)
    with app.app_context():
        request = db.session.get(AidRequest, request_id)
        by = db.session.get(User, bed.actor_id)
        assert "submit" in [s.action for s in AID.available(request, by)]
    fire(app, request_id, "submit", bed.actor_id, confirmed=True)
    assert state_of(app, request_id)["status"] == SOUMISE


def test_the_meeting_date_cannot_precede_the_request_date(app, bed, placed):
    request_id = placed(EN_COURS, proposal=False)
    before = state_of(app, request_id)
    with app.app_context():
        request = db.session.get(AidRequest, request_id)
        by = db.session.get(User, bed.actor_id)
        with pytest.raises(AidRuleError) as refused:
            AID.fire(
                request,
                "proposal",
                by,
                request.version,
                {"proposal": "Aide", "meeting_date": date(2026, 1, 14)},
            )
        assert refused.value.field == "meeting_date"
    assert state_of(app, request_id) == before


# --------------------------------------------------------------------------- confirmation


@pytest.mark.parametrize(
    "status,step",
    [
        (EN_COURS, "submit"),
        (SOUMISE, "complete"),
        (EN_COURS, "duplicate"),
        (DECISION, "close"),
        (CLOTUREE, "revise"),
    ],
)
def test_irreversible_steps_need_their_confirmation(app, bed, placed, status, step):
    request_id = placed(status)
    before = state_of(app, request_id)
    mark = last_entry_id(app)
    with pytest.raises(ConfirmationNeeded):
        fire(app, request_id, step, bed.actor_id)
    assert state_of(app, request_id) == before
    assert entries_since(app, mark) == []


# --------------------------------------------------------------------------- copies


@pytest.mark.parametrize(
    "status,step,origin,source_label,copy_label",
    [
        (
            SOUMISE,
            "duplicate",
            "duplicate",
            "Duplication de la demande (nouvelle demande n° 2)",
            "Création par duplication de la demande n° 1",
        ),
        (
            CLOTUREE,
            "revise",
            "revision",
            "Révision de la demande (nouvelle demande n° 2)",
            "Création par révision de la demande n° 1",
        ),
    ],
)
def test_duplicate_and_revise_make_a_new_request(
    app, bed, placed, status, step, origin, source_label, copy_label
):
    """§17.1 / §17.3: a new request « Demande en cours », dated today (request and
    effective date), same type and nature, linked to the first, its household taken anew."""
    request_id = placed(status)
    with app.app_context():
        request = db.session.get(AidRequest, request_id)
        assert request is not None
        request.kind = "office"
        request.nature = "Mazout et électricité"
        db.session.commit()
    fire(app, request_id, step, bed.actor_id, confirmed=True)
    with app.app_context():
        copies = db.session.scalars(
            select(AidRequest).where(AidRequest.origin_id == request_id)
        ).all()
        assert len(copies) == 1
        new = copies[0]
        assert new.dossier_id == bed.dossier_id and new.number == 2
        assert new.request_date == date.today() and new.effective_date == date.today()
        assert (new.kind, new.nature) == ("office", "Mazout et électricité")
        assert new.status == EN_COURS and new.origin == origin
        assert (new.report, new.proposal, new.submitted_at) == (None, None, None)
        assert new.created_by_id == bed.actor_id
        assert event_labels(new.id) == ["Création de la demande", copy_label]
        assert event_labels(request_id)[-1] == source_label
        snapshots = db.session.scalars(
            select(HouseholdSnapshot).where(HouseholdSnapshot.request_id == new.id)
        ).all()
        assert len(snapshots) == 1 and snapshots[0].taken_by_id == bed.actor_id
        assert {p.niss for p in snapshots[0].people} >= {bed.niss}
        # the first request kept its own snapshot
        first = db.session.scalars(
            select(HouseholdSnapshot).where(HouseholdSnapshot.request_id == request_id)
        ).all()
        assert len(first) == 1 and first[0].id != snapshots[0].id
        entry = entries_since(app, 0, "aid.create")[-1]
        assert entry.user_id == bed.actor_id and entry.niss == bed.niss
        assert entry.object_id == str(new.id)


def test_the_new_request_number_follows_the_highest(app, bed, placed):
    """Numbers 1, 2, 3 in the dossier; a duplicate of n° 1 is n° 4 when 3 exist."""
    first = placed(EN_COURS)
    placed(EN_COURS)
    placed(CLOTUREE)
    fire(app, first, "duplicate", bed.actor_id, confirmed=True)
    with app.app_context():
        numbers = db.session.scalars(
            select(AidRequest.number)
            .where(AidRequest.dossier_id == bed.dossier_id)
            .order_by(AidRequest.number)
        ).all()
        assert numbers == [1, 2, 3, 4]
        assert event_labels(first)[-1] == "Duplication de la demande (nouvelle demande n° 4)"


# --------------------------------------------------------------------------- the request date


def test_the_request_date_of_a_saved_request_never_changes(app, bed, placed):
    """§16.1 « Vous ne pourrez JAMAIS changer la date de la demande »: the model refuses."""
    request_id = placed(EN_COURS)
    before = state_of(app, request_id)
    with app.app_context():
        request = db.session.get(AidRequest, request_id)
        assert request is not None
        with pytest.raises(RequestDateLocked):
            request.request_date = date(2026, 1, 16)
        request.request_date = REQUEST_DATE  # the same date is no change
        db.session.commit()
    with app.app_context():
        request = db.session.get(AidRequest, request_id)
        assert request is not None and request.request_date == REQUEST_DATE
    assert state_of(app, request_id) == before


def test_modify_with_another_request_date_is_refused_and_nothing_changes(app, bed, placed):
    request_id = placed(EN_COURS)
    before = state_of(app, request_id)
    mark = last_entry_id(app)
    with posting(app):
        request = db.session.get(AidRequest, request_id)
        by = db.session.get(User, bed.actor_id)
        outcome = services.modify_request(
            request,
            by,
            MultiDict(
                {
                    "version": str(request.version),
                    "request_date": "16/01/2026",
                    "kind": "office",
                    "effective_date": "01/01/2026",
                    "nature": "Autre chose",
                }
            ),
        )
        assert outcome.status == 422 and not outcome.done
        assert outcome.posted is not None
        assert "ne peut jamais être modifiée" in outcome.posted.errors["form"]
        assert outcome.posted.values["nature"] == "Autre chose"  # what was typed, kept
    assert state_of(app, request_id) == before
    assert entries_since(app, mark) == []


def test_modify_with_the_same_request_date_goes_through(app, bed, placed):
    """The form may carry the request date as it is: only a different date is refused."""
    request_id = placed(EN_COURS)
    with posting(app):
        request = db.session.get(AidRequest, request_id)
        by = db.session.get(User, bed.actor_id)
        outcome = services.modify_request(
            request,
            by,
            MultiDict(
                {
                    "version": str(request.version),
                    "request_date": "15/01/2026",
                    "kind": "office",
                    "effective_date": "01/01/2026",
                    "nature": "Mazout (complété)",
                }
            ),
        )
        assert outcome.done, outcome.posted
    after = state_of(app, request_id)
    assert after["nature"] == "Mazout (complété)" and after["kind"] == "office"
    assert after["events"][-1] == "Enrichissement de la demande"


@pytest.mark.parametrize("status", [SOUMISE, DECISION, FORMULAIRE, CLOTUREE])
def test_modify_through_the_service_is_refused_after_submission(app, bed, placed, status):
    request_id = placed(status)
    before = state_of(app, request_id)
    mark = last_entry_id(app)
    with posting(app):
        request = db.session.get(AidRequest, request_id)
        by = db.session.get(User, bed.actor_id)
        outcome = services.modify_request(
            request,
            by,
            MultiDict(
                {
                    "version": str(request.version),
                    "kind": "office",
                    "effective_date": "01/01/2026",
                    "nature": "Autre chose",
                }
            ),
        )
        assert outcome.status == 422 and not outcome.done
    assert state_of(app, request_id) == before
    assert entries_since(app, mark) == []


# --------------------------------------------------------------------------- creation


def test_create_request_numbers_records_and_audits(app, bed):
    mark = last_entry_id(app)
    with app.app_context():
        dossier = db.session.get(Dossier, bed.dossier_id)
        by = db.session.get(User, bed.actor_id)
        request = services.create_request(
            dossier, services.NewRequest(REQUEST_DATE, EFFECTIVE_DATE, "demande", " Mazout "), by
        )
        assert (request.number, request.status, request.nature) == (1, EN_COURS, "Mazout")
        assert event_labels(request.id) == ["Création de la demande"]
        request_id = request.id
    created = entries_since(app, mark, "aid.create")
    assert len(created) == 1 and created[0].user_id == bed.actor_id
    assert created[0].niss == bed.niss and created[0].object_id == str(request_id)


@pytest.mark.parametrize(
    "data,field",
    [
        (
            services.NewRequest(date(2099, 1, 1), EFFECTIVE_DATE, "demande", "Mazout"),
            "request_date",
        ),
        (services.NewRequest(REQUEST_DATE, EFFECTIVE_DATE, "autre", "Mazout"), "kind"),
        (services.NewRequest(REQUEST_DATE, EFFECTIVE_DATE, "demande", "   "), "nature"),
        (services.NewRequest(REQUEST_DATE, EFFECTIVE_DATE, "demande", "x" * 4001), "nature"),
    ],
)
def test_create_request_refuses_and_saves_nothing(app, bed, data, field):
    mark = last_entry_id(app)
    with app.app_context():
        dossier = db.session.get(Dossier, bed.dossier_id)
        by = db.session.get(User, bed.actor_id)
        with pytest.raises(AidRuleError) as refused:
            services.create_request(dossier, data, by)
        assert refused.value.field == field
        assert db.session.scalar(select(func.count()).select_from(AidRequest)) == 0
    assert entries_since(app, mark) == []
