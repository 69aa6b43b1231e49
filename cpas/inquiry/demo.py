"""Demo social inquiry: DUPONT Marie's open request n° 8 (``cpas/aid/demo.py`` makes it).

Through the inquiry's services (so each change has its event « Enrichissement de la
demande » and its audit entry, by the demo social worker): Marie's information (famille
à charge, locataire, en ordre de mutuelle) and « Pas de ressources »; her partner LEFEBVRE
Jean's information and his salary (D.I.S. ticked); the household's rent and energy
(Marie's expenses) and their child DUPONT Lucas's school costs (a minor child has
identification and expenses only); formulaire A with Jean as secondary beneficiary
(suffix 1, partner).

Request n° 2 of the dossier is before the Council, so the household and the effective
addresses (the dossier's) stay frozen; request n° 8's inquiry is its own and is written.

Idempotent: a request 8 that has any inquiry or a formulaire A is left alone.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from ..access.models import Organisation, User
from ..aid.demo import DEMOVILLE, SOCIAL_WORKER
from ..aid.models import AidRequest
from ..dossiers.models import Dossier, HouseholdMember
from ..extensions import db
from ..registry.demo_people import DEMO_HOUSEHOLDS
from . import expenses, form_a, information, resources
from .models import FormA, MemberInquiry

MARIE, JEAN, LUCAS = (p["niss"] for p in DEMO_HOUSEHOLDS[0])
REQUEST_NUMBER = 8

JEAN_EMPLOYER = "Boulangerie Lambert SPRL"
#: Jean's real annual salary (net, 12 × 1.640,00 €).
JEAN_SALARY = Decimal("19680.00")
RENT = Decimal("7440.00")  # 12 × 620,00 €
ENERGY = Decimal("1740.00")  # 12 × 145,00 €
SCHOOL = Decimal("480.00")  # Lucas's school costs (1re primaire: garderie, repas, excursions)


def _request(cpas: Organisation) -> AidRequest | None:
    return db.session.scalar(
        select(AidRequest)
        .join(Dossier, Dossier.id == AidRequest.dossier_id)
        .where(
            Dossier.organisation_id == cpas.id,
            Dossier.niss == MARIE,
            AidRequest.number == REQUEST_NUMBER,
        )
    )


def _already_seeded(request: AidRequest) -> bool:
    inquiry = db.session.scalar(
        select(MemberInquiry.id).where(MemberInquiry.request_id == request.id).limit(1)
    )
    form = db.session.scalar(select(FormA.id).where(FormA.request_id == request.id))
    return inquiry is not None or form is not None


def _members(request: AidRequest) -> dict[str, HouseholdMember]:
    return {
        m.niss: m
        for m in db.session.scalars(
            select(HouseholdMember).where(
                HouseholdMember.dossier_id == request.dossier_id,
                HouseholdMember.removed_at.is_(None),
            )
        )
    }


def build(request: AidRequest, by: User) -> None:
    """The inquiry of request 8, one service call per screen's « Enregistrer »."""
    members = _members(request)
    marie, jean, lucas = members.get(MARIE), members.get(JEAN), members.get(LUCAS)
    if marie is None or jean is None:
        return
    information.save_information(
        request,
        marie,
        {
            "category": "famille",
            "housing": "locataire",
            "homeless": False,
            "student_piis": False,
            "dependent_children": 1,
            "nationality": marie.nationality,
            "residence_permit": "belge",
            "insurability": "en_ordre",
            "health_insurer": "300",
        },
        by,
        version=0,
    )
    resources.set_no_resources(request, marie, True, by)
    information.save_information(
        request,
        jean,
        {
            "dependent_children": 1,
            "student_piis": False,
            "nationality": jean.nationality,
            "residence_permit": "belge",
        },
        by,
        version=0,
    )
    resources.add_resource(
        request,
        jean,
        resources.ResourceData(
            kind="salaire",
            detail=JEAN_EMPLOYER,
            annual_amount=JEAN_SALARY,
            start_date=date(2022, 9, 1),
            end_date=None,
            counts_for_dis=True,
        ),
        by,
    )
    for kind, amount in (("loyer", RENT), ("energie", ENERGY)):
        expenses.add_expense(
            request,
            marie,
            expenses.ExpenseData(kind, date(2023, 1, 1), None, amount),
            by,
        )
    form_a.save_form(request, request.effective_date, marie.nationality, by, version=0)
    form_a.save_member(
        request,
        jean,
        form_a.FormAMemberData(
            secondary=True,
            suffix=1,
            status="belge",
            relation="partner",
            nationality=jean.nationality,
        ),
        by,
        version=0,
    )
    if lucas is not None:
        expenses.add_expense(
            request,
            lucas,
            expenses.ExpenseData("scolaire", date(2022, 9, 1), date(2023, 6, 30), SCHOOL),
            by,
        )
        # Lucas, 7 years old at the effective date: on the form, not a secondary beneficiary
        form_a.save_member(
            request,
            lucas,
            form_a.FormAMemberData(
                secondary=False,
                suffix=None,
                status=None,
                relation="minor_child",
                nationality=lucas.nationality,
            ),
            by,
            version=0,
        )


def seed(orgs: dict[str, Organisation]) -> None:
    """Idempotent: request 8 gets its inquiry once."""
    demoville = orgs.get(DEMOVILLE)
    writer = db.session.scalar(select(User).where(User.email == SOCIAL_WORKER))
    if demoville is None or writer is None:
        return
    request = _request(demoville)
    if request is None or _already_seeded(request):
        return
    build(request, writer)
