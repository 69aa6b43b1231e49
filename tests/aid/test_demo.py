"""The aid demo (``flask seed-demo``): DUPONT Marie's history of seed 002, built through
the services and the workflow, the household it freezes, the open requests elsewhere."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from cpas.access.models import Organisation, User
from cpas.aid.lifecycle import AID
from cpas.aid.models import AidRequest, AidRequestEvent
from cpas.audit import AuditEntry
from cpas.dossiers.freeze import frozen_reason
from cpas.dossiers.models import Dossier
from cpas.extensions import db
from cpas.registry.demo_people import DEMO_HOUSEHOLDS
from cpas.registry.models import BcssIntegration

MARIE, JEAN, LUCAS = (p["niss"] for p in DEMO_HOUSEHOLDS[0])
AHMED = DEMO_HOUSEHOLDS[1][0]["niss"]

#: Seed 002's « Historique des demandes d'aide » of Marie: number → (date, status label).
HISTORY = {
    1: ("09/02/2016", "Formulaire envoyé"),
    2: ("11/04/2016", "Rapport envoyé au Conseil"),
    3: ("18/04/2016", "Demande clôturée"),
    4: ("15/03/2017", "Décision encodée"),
    5: ("31/05/2017", "Formulaire envoyé"),
    6: ("20/06/2017", "Demande en cours"),
    7: ("07/04/2022", "Formulaire envoyé"),
    8: ("12/01/2023", "Demande en cours"),
}
COUNCIL = ["creation", "report", "proposal", "submit"]
#: Each request's events, oldest first: the steps that reached its status.
EVENTS = {
    1: [*COUNCIL, "decide", "send_form"],
    2: COUNCIL,
    3: [*COUNCIL, "decide", "close"],
    4: [*COUNCIL, "decide"],
    5: [*COUNCIL, "decide", "send_form"],
    6: ["creation", "report"],
    7: [*COUNCIL, "decide", "send_form"],
    # creation, « Modifier la demande », then the inquiry demo's ten changes (each one
    # « Enrichissement de la demande »: cpas/inquiry/demo.py)
    8: ["creation", "modify", *["modify"] * 10],
}
ARCHIVED = {1, 3}
ROW = re.compile(r"<tr\b.*?</tr>", re.S)


def _seed(app) -> None:
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


def _counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count(AidRequest.id))) or 0,
        db.session.scalar(select(func.count(AidRequestEvent.id))) or 0,
        db.session.scalar(select(func.count(Dossier.id))) or 0,
    )


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None
    return user


def _marie() -> Dossier:
    dossier = db.session.scalar(
        select(Dossier)
        .join(Organisation)
        .where(Organisation.name == "CPAS de Demoville", Dossier.niss == MARIE)
    )
    assert dossier is not None
    return dossier


def _requests(dossier: Dossier) -> dict[int, AidRequest]:
    rows = db.session.scalars(select(AidRequest).where(AidRequest.dossier_id == dossier.id))
    return {r.number: r for r in rows}


@pytest.fixture
def seeded(app):
    _seed(app)
    return app


def test_marie_has_the_seed_history_built_step_by_step(seeded):
    with seeded.app_context():
        marie = _marie()
        requests = _requests(marie)
        assert sorted(requests) == list(range(1, 9))
        for number, (day, status) in HISTORY.items():
            req = requests[number]
            assert (req.request_date.strftime("%d/%m/%Y"), req.status_label) == (day, status)
            assert req.archived is (number in ARCHIVED), number
            events = sorted(req.events, key=lambda e: (e.at, e.id))
            assert [e.kind for e in events] == EVENTS[number], number
            # each step's event took the request from where it was: a chain to its status
            status = "en_cours"
            for event in events[1:]:
                assert event.from_status == status, (number, event.kind)
                status = event.to_status
            assert status == req.status, number
            # the automatic integration « en enquête » ran for every request
            assert req.integration_ok is True, number
        eight = requests[8]
        assert (eight.nature, eight.effective_date) == ("Mazout", date(2023, 7, 17))
        assert eight.events[-1].label == "Enrichissement de la demande"
        assert requests[1].nature == "Allocations de chauffage"
        assert requests[3].nature == "Autre aide sociale"
        assert requests[7].nature == "Droit à l'intégration sociale"
        # who did what: the social worker wrote, the director closed (never a status by hand)
        social, director = _user("as@cpas-demoville.be"), _user("dg@cpas-demoville.be")
        closing = next(e for e in requests[3].events if e.kind == "close")
        assert closing.user_id == director.id
        assert {e.user_id for e in requests[2].events} == {social.id}
        audited = db.session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.object_type == "AidRequest",
                AuditEntry.object_id == str(requests[1].id),
            )
        ).all()
        assert {"aid.create", "aid.submit", "aid.send_form", "aid.archive"} <= set(audited)
        periods = db.session.execute(
            select(BcssIntegration.start, BcssIntegration.end).where(
                BcssIntegration.niss == MARIE,
                BcssIntegration.organisation_id == marie.organisation_id,
                BcssIntegration.quality_code == "001",
            )
        ).all()
        for req in requests.values():  # overlapping periods are merged by the BCSS
            assert any(start <= req.request_date <= end for start, end in periods), req.number


def test_request_2_before_the_council_freezes_marie_complete_household(seeded):
    with seeded.app_context():
        marie = _marie()
        members = {m.niss: m.relation for m in marie.members if m.removed_at is None}
        assert members == {MARIE: "beneficiary", JEAN: "partner", LUCAS: "minor_child"}
        reason = frozen_reason(marie)
        assert reason is not None and "n° 2" in reason


def test_other_dossiers_have_one_open_request_each(seeded):
    with seeded.app_context():
        social = _user("as@cpas-demoville.be")
        others = db.session.scalars(
            select(AidRequest)
            .join(Organisation, Organisation.id == AidRequest.organisation_id)
            .join(Dossier, Dossier.id == AidRequest.dossier_id)
            .where(Organisation.name == "CPAS de Demoville", Dossier.niss != MARIE)
        ).all()
        assert len(others) == 3
        assert len({r.dossier_id for r in others}) == 3
        assert {r.status for r in others} == {"en_cours"}
        ready = [r for r in others if "submit" in {s.action for s in AID.available(r, social)}]
        assert len(ready) == 1 and ready[0].report and ready[0].proposal
        assert len([r for r in others if r.effective_date < r.request_date]) == 1
        elsewhere = db.session.scalars(
            select(AidRequest)
            .join(Organisation, Organisation.id == AidRequest.organisation_id)
            .where(Organisation.name == "CPAS de Exempleville")
        ).all()
        assert len(elsewhere) == 1 and elsewhere[0].dossier.niss == AHMED


def test_seed_demo_twice_adds_nothing(seeded):
    with seeded.app_context():
        first = _counts()
        db.session.remove()
    _seed(seeded)
    with seeded.app_context():
        assert _counts() == first
        assert first[0] == 8 + 3 + 1


def test_the_history_page_shows_the_seed(seeded, client, login_as):
    with seeded.app_context():
        marie = _marie()
        social = _user("as@cpas-demoville.be")
        login_as(social)
        dossier_id = marie.id
    current = client.get(f"/dossiers/{dossier_id}/demandes")
    assert current.status_code == 200
    old = client.get(f"/dossiers/{dossier_id}/demandes?anciennes=1")
    assert old.status_code == 200
    for page, numbers in ((current, set(HISTORY) - ARCHIVED), (old, ARCHIVED)):
        rows = ROW.findall(page.get_data(as_text=True))
        for number in HISTORY:
            day, status = HISTORY[number]
            shown = [r for r in rows if day in r and status in r]
            assert bool(shown) is (number in numbers), (number, day)


def test_marie_household_page_shows_the_freeze(seeded, client, login_as):
    with seeded.app_context():
        dossier_id = _marie().id
        login_as(_user("as@cpas-demoville.be"))
    page = client.get(f"/dossiers/{dossier_id}/menage")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="household-frozen"' in html and "La demande n° 2 a été soumise au Conseil" in html
    assert "LEFEBVRE" in html and "Lucas" in html
