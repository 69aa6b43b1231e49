"""The inquiry demo (issue 15 §11): a complete inquiry for DUPONT Marie's open request
n° 8 built through the services (an event « Enrichissement de la demande » and an audit
entry each), shown by the screens; idempotent; the household stays frozen by request 2.

``flask seed-demo`` makes the aid demo; ``cpas.inquiry.demo.seed`` is called after it
here (as ``cpas/demo.py`` calls each domain's ``seed``)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from cpas.access.models import Organisation, User
from cpas.aid.models import AidRequest, AidRequestEvent
from cpas.audit import AuditEntry
from cpas.dossiers.freeze import frozen_reason
from cpas.dossiers.models import Dossier
from cpas.extensions import db
from cpas.inquiry.models import Expense, FormA, FormAMember, MemberInquiry, Resource
from cpas.registry.demo_people import DEMO_HOUSEHOLDS
from tests.helpers import page_text

MARIE, JEAN, LUCAS = (p["niss"] for p in DEMO_HOUSEHOLDS[0])


def _seed_inquiry(app) -> None:
    from cpas.inquiry import demo

    with app.app_context():
        orgs = {o.name: o for o in db.session.scalars(select(Organisation))}
        demo.seed(orgs)
        db.session.commit()


@pytest.fixture
def seeded(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    _seed_inquiry(app)
    return app


def _request_8() -> AidRequest:
    req = db.session.scalar(
        select(AidRequest)
        .join(Dossier, Dossier.id == AidRequest.dossier_id)
        .join(Organisation, Organisation.id == Dossier.organisation_id)
        .where(
            Organisation.name == "CPAS de Demoville",
            Dossier.niss == MARIE,
            AidRequest.number == 8,
        )
    )
    assert req is not None
    return req


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (MemberInquiry, Resource, Expense, FormA, FormAMember, AidRequestEvent)
    )


def test_request_8_has_a_complete_inquiry(seeded):
    with seeded.app_context():
        req = _request_8()
        assert req.status == "en_cours"
        rows = db.session.scalars(
            select(MemberInquiry).where(MemberInquiry.request_id == req.id)
        ).all()
        by_niss = {row.member.niss: row for row in rows}
        marie, jean = by_niss[MARIE], by_niss[JEAN]
        assert (marie.category, marie.housing, marie.informed) == ("famille", "locataire", True)
        assert marie.insurability == "en_ordre" and marie.dependent_children == 1
        assert marie.no_resources is True and marie.resources == []
        assert jean.informed and jean.dependent_children == 1
        assert [(r.kind, r.annual_amount, r.counts_for_dis) for r in jean.resources] == [
            ("salaire", Decimal("19680.00"), True)
        ]
        assert sorted(e.kind for e in marie.expenses) == ["energie", "loyer"]
        assert [e.kind for e in by_niss[LUCAS].expenses] == ["scolaire"]
        form = db.session.scalar(select(FormA).where(FormA.request_id == req.id))
        assert form is not None and form.effective_date == req.effective_date
        lines = {line.niss: line for line in form.members}
        assert (lines[JEAN].secondary, lines[JEAN].suffix, lines[JEAN].relation) == (
            True,
            1,
            "partner",
        )
        assert lines[LUCAS].secondary is False


def test_built_through_the_services_by_the_social_worker(seeded):
    with seeded.app_context():
        req = _request_8()
        social = db.session.scalar(select(User).where(User.email == "as@cpas-demoville.be"))
        assert social is not None
        inquiry_audit = db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.object_type == "AidRequest",
                AuditEntry.object_id == str(req.id),
                AuditEntry.action.like("inquiry.%"),
            )
        ).all()
        # 2 information, « Pas de ressources », 1 resource, 3 expenses, the form, 2 lines
        assert len(inquiry_audit) == 10
        assert {e.user_id for e in inquiry_audit} == {social.id}
        assert {e.niss for e in inquiry_audit} == {MARIE, JEAN, LUCAS}
        enrichments = [e for e in req.events if e.label == "Enrichissement de la demande"]
        assert len(enrichments) >= 10
        # request 2 before the Council still freezes the household (and its addresses)
        assert frozen_reason(req.dossier) is not None


def test_seeding_again_adds_nothing(seeded):
    with seeded.app_context():
        first = _counts()
        db.session.remove()
    _seed_inquiry(seeded)
    result = seeded.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    _seed_inquiry(seeded)
    with seeded.app_context():
        assert _counts() == first


def test_the_screens_show_it(seeded, client, login_as):
    with seeded.app_context():
        req = _request_8()
        social = db.session.scalar(select(User).where(User.email == "as@cpas-demoville.be"))
        assert social is not None
        members = {m.niss: m.id for m in req.dossier.members}
        base = f"/dossiers/{req.dossier_id}/demandes/{req.id}"
        login_as(social)
    jean = client.get(f"{base}/membres/{members[JEAN]}/ressources")
    assert jean.status_code == 200
    assert "Boulangerie Lambert SPRL" in page_text(jean) and "19.680,00 €" in page_text(jean)
    marie = client.get(f"{base}/membres/{members[MARIE]}/depenses")
    assert marie.status_code == 200
    assert "7.440,00 €" in page_text(marie) and "1.740,00 €" in page_text(marie)
    info = page_text(client.get(f"{base}/membres/{members[MARIE]}/information"))
    assert "Famille à charge" in info and "Locataire" in info
    form = client.get(f"{base}/formulaire-a")
    assert form.status_code == 200 and "Partenaire du bénéficiaire" in page_text(form)
    # the inquiry is editable (request 8 is « Demande en cours »)
    assert "La demande a été soumise au Conseil" not in page_text(jean)
