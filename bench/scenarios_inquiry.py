"""Social inquiry scenarios (issue 15): a member's « Identification », « Information »,
« Ressources » and « Dépenses », the dialog « Calculer les ressources à prendre en compte
pour le DIS » (htmx fragment, without and with details) and « Formulaire A ».

Data: ``inquiry`` — on top of ``aid`` (30,000 × scale Demoville dossiers with their
requests, and the measured dossier ``BENCH-AID`` with 200 requests and a de facto household
of 8): the measured dossier's newest request (n° 200, open) gets an inquiry for each of its
8 members, 40 resources over the 4 members who have a « Ressources » part (10 each: every
type their relation allows, some not ticked « D.I.S. », some ended), 3 expenses per member
(24) and a formulaire A with a line per member (the partners secondary beneficiaries with a
suffix). Every other Demoville dossier's newest request gets an inquiry of its main
beneficiary with one or two resources and an expense, so that the inquiry tables are at the
size of a year of a large CPAS and the pages must use their indexes. Everything is
bulk-inserted with SQLAlchemy Core; the measured request's figures do not depend on the
scale (the query counts must not either).

Floors: the inquiry views are thin (the scoped loaders, the part's service or query, one
template), so the floor calls the view function itself in the test request context like the
aid scenarios do (``bench.scenarios_aid.view_floor``): the floor's SQL is the view's by
construction; the consultations are then written as the after-request hook does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select

from bench.harness import Scenario, generator, register
from bench.scenarios_aid import CPAS, MEASURED, USER, view_floor
from cpas.access.models import Organisation, User
from cpas.aid.models import AidRequest
from cpas.dossiers.models import Dossier, HouseholdMember
from cpas.extensions import db
from cpas.inquiry.models import (
    LIMITED_RELATIONS,
    LIMITED_TYPES,
    PARTS_BY_RELATION,
    RESOURCES,
    Expense,
    FormA,
    FormAMember,
    MemberInquiry,
    Resource,
)
from cpas.timeutil import utcnow

BATCH = 5_000
RESOURCES_PER_MEMBER = 10  # × the 4 members with a resources part = 40
EXPENSES_PER_MEMBER = 3  # × 8 members = 24

#: The types given in turn (no « art. 35 » or artistic income: their rules depend on
#: « Etudiant avec PIIS », which the bench leaves unticked).
FULL_TYPES = (
    "salaire",
    "chomage",
    "mutuelle",
    "pension",
    "allocations_familiales",
    "pension_alimentaire",
    "immobilier",
    "mobilier",
    "nature",
    "divers",
)
EXPENSE_KINDS = ("loyer", "energie", "eau", "assurances", "scolaire", "telecom")
DETAILS = {
    "salaire": "SA Boulangerie Lambert",
    "chomage": "CAPAC",
    "mutuelle": "Solidaris",
    "pension": "Service fédéral des Pensions",
    "allocations_familiales": "FAMIWAL",
    "pension_alimentaire": "Ex-conjoint",
    "immobilier": "Rue de la Station 14, 4000 Liège",
    "mobilier": "Compte épargne",
    "nature": "Logement gratuit",
    "divers": "Aide de la famille",
}


# --------------------------------------------------------------------------- data


@generator("inquiry", requires=["aid"])
def generate_inquiry(scale: float) -> None:
    """The measured request's inquiry, then one on every other Demoville dossier's newest
    request (idempotent: a request that has an inquiry gets nothing more)."""
    org_id = db.session.scalar(select(Organisation.id).where(Organisation.name == CPAS))
    user_id = db.session.scalar(select(User.id).where(User.email == USER))
    assert org_id is not None
    db.session.info["write"] = True
    try:
        dossier_id, request_id = _measured_request()
        if not _has_inquiry(request_id):
            _measured_inquiry(org_id, user_id, dossier_id, request_id)
        _spread_inquiries(org_id, user_id, dossier_id)
    finally:
        db.session.info.pop("write", None)


def _measured_request() -> tuple[int, int]:
    dossier_id = db.session.scalar(select(Dossier.id).where(Dossier.dossier_number == MEASURED))
    if dossier_id is None:
        raise LookupError("the aid generator made no measured dossier")
    request_id = db.session.scalar(
        select(AidRequest.id)
        .where(AidRequest.dossier_id == dossier_id)
        .order_by(AidRequest.number.desc())
        .limit(1)
    )
    assert request_id is not None
    return dossier_id, request_id


def _has_inquiry(request_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(func.count(MemberInquiry.id)).where(MemberInquiry.request_id == request_id)
        )
    )


def _types_of(relation: str) -> tuple[str, ...]:
    """The types « Nouvelle ressource » offers the relation (first degree and cohabitant:
    « Divers » only, seed 001 §9.6.2.1)."""
    if relation in LIMITED_RELATIONS:
        return tuple(LIMITED_TYPES)
    return FULL_TYPES


def _measured_inquiry(org_id: int, user_id: int | None, dossier_id: int, request_id: int) -> None:
    now = utcnow()
    today = date.today()
    members = db.session.execute(
        select(
            HouseholdMember.id,
            HouseholdMember.relation,
            HouseholdMember.niss,
            HouseholdMember.nationality,
        )
        .where(HouseholdMember.dossier_id == dossier_id, HouseholdMember.removed_at.is_(None))
        .order_by(HouseholdMember.id)
    ).all()
    informed = {"beneficiary", "partner"}
    db.session.execute(
        insert(MemberInquiry),
        [
            {
                "organisation_id": org_id,
                "request_id": request_id,
                "member_id": m.id,
                "category": "famille" if m.relation == "beneficiary" else None,
                "housing": "locataire" if m.relation == "beneficiary" else None,
                "dependent_children": 3 if m.relation in informed else None,
                "nationality": m.nationality if m.relation in informed else None,
                "residence_permit": "belge" if m.relation in informed else None,
                "insurability": "en_ordre" if m.relation == "beneficiary" else None,
                "informed": m.relation in informed,
                "updated_at": now,
                "updated_by_id": user_id,
            }
            for m in members
        ],
    )
    inquiry_of = dict(
        db.session.execute(
            select(MemberInquiry.member_id, MemberInquiry.id).where(
                MemberInquiry.request_id == request_id
            )
        ).all()
    )
    resources: list[dict[str, Any]] = []
    expenses: list[dict[str, Any]] = []
    for m in members:
        if RESOURCES in PARTS_BY_RELATION[m.relation]:
            types = _types_of(m.relation)
            for n in range(RESOURCES_PER_MEMBER):
                kind = types[n % len(types)]
                ended = n % 7 == 6  # ended before the request's effective date
                resources.append(
                    {
                        "inquiry_id": inquiry_of[m.id],
                        "kind": kind,
                        "detail": DETAILS.get(kind),
                        "annual_amount": Decimal(1_200 + 137 * n + m.id % 50) + Decimal("0.56"),
                        "start_date": today - timedelta(days=900 - 30 * n),
                        "end_date": today - timedelta(days=400) if ended else None,
                        "counts_for_dis": n % 4 != 3,
                        "updated_at": now,
                        "updated_by_id": user_id,
                    }
                )
        for n in range(EXPENSES_PER_MEMBER):
            expenses.append(
                {
                    "inquiry_id": inquiry_of[m.id],
                    "kind": EXPENSE_KINDS[(m.id + n) % len(EXPENSE_KINDS)],
                    "start_date": today - timedelta(days=365),
                    "end_date": None,
                    "annual_amount": Decimal(300 + 450 * n) + Decimal("0.50"),
                    "updated_at": now,
                    "updated_by_id": user_id,
                }
            )
    db.session.execute(insert(Resource), resources)
    db.session.execute(insert(Expense), expenses)
    db.session.execute(
        insert(FormA),
        [
            {
                "organisation_id": org_id,
                "request_id": request_id,
                "effective_date": today,
                "main_nationality": "Belge",
                "updated_at": now,
                "updated_by_id": user_id,
            }
        ],
    )
    form_id = db.session.scalar(select(FormA.id).where(FormA.request_id == request_id))
    others = [m for m in members if m.relation != "beneficiary"]
    db.session.execute(
        insert(FormAMember),
        [
            {
                "form_id": form_id,
                "member_id": m.id,
                "dossier_id": dossier_id,
                "niss": m.niss,
                "secondary": m.relation == "partner",
                "suffix": n + 1 if m.relation == "partner" else None,
                "status": "belge" if m.relation == "partner" else None,
                "relation": "partner" if m.relation == "partner" else None,
                "nationality": m.nationality,
                "updated_at": now,
                "updated_by_id": user_id,
            }
            for n, m in enumerate(others)
        ],
    )
    db.session.commit()


def _spread_inquiries(org_id: int, user_id: int | None, measured_dossier: int) -> None:
    """The main beneficiary's inquiry on the newest request of every other Demoville
    dossier: one or two resources and an expense each."""
    newest = (
        select(AidRequest.dossier_id, func.max(AidRequest.id).label("request_id"))
        .where(AidRequest.organisation_id == org_id, AidRequest.dossier_id != measured_dossier)
        .group_by(AidRequest.dossier_id)
        .subquery()
    )
    has_inquiry = select(MemberInquiry.id).where(MemberInquiry.request_id == newest.c.request_id)
    todo = db.session.execute(
        select(newest.c.request_id, HouseholdMember.id)
        .join(HouseholdMember, HouseholdMember.dossier_id == newest.c.dossier_id)
        .where(HouseholdMember.is_main.is_(True), ~has_inquiry.exists())
        .order_by(newest.c.request_id)
    ).all()
    if not todo:
        return
    now = utcnow()
    today = date.today()
    for start in range(0, len(todo), BATCH):
        chunk = todo[start : start + BATCH]
        db.session.execute(
            insert(MemberInquiry),
            [
                {
                    "organisation_id": org_id,
                    "request_id": request_id,
                    "member_id": member_id,
                    "category": ("isole", "cohabitant", "famille")[request_id % 3],
                    "informed": True,
                    "updated_at": now,
                    "updated_by_id": user_id,
                }
                for request_id, member_id in chunk
            ],
        )
        ids = db.session.execute(
            select(MemberInquiry.id, MemberInquiry.request_id).where(
                MemberInquiry.request_id.in_([r for r, _m in chunk])
            )
        ).all()
        resources: list[dict[str, Any]] = []
        expenses: list[dict[str, Any]] = []
        for inquiry_id, request_id in ids:
            for n in range(1 + request_id % 2):
                kind = FULL_TYPES[(request_id + n) % 4]
                resources.append(
                    {
                        "inquiry_id": inquiry_id,
                        "kind": kind,
                        "detail": DETAILS[kind],
                        "annual_amount": Decimal(6_000 + request_id % 9_000) + Decimal("0.25"),
                        "start_date": today - timedelta(days=200),
                        "counts_for_dis": True,
                        "updated_at": now,
                        "updated_by_id": user_id,
                    }
                )
            expenses.append(
                {
                    "inquiry_id": inquiry_id,
                    "kind": "loyer",
                    "start_date": today - timedelta(days=365),
                    "annual_amount": Decimal("7200.00"),
                    "updated_at": now,
                    "updated_by_id": user_id,
                }
            )
        db.session.execute(insert(Resource), resources)
        db.session.execute(insert(Expense), expenses)
    db.session.commit()


# --------------------------------------------------------------------------- paths


def _main_member(dossier_id: int) -> int:
    found = db.session.scalar(
        select(HouseholdMember.id).where(
            HouseholdMember.dossier_id == dossier_id, HouseholdMember.is_main.is_(True)
        )
    )
    assert found is not None
    return found


def _member_path(tail: str = "") -> str:
    dossier_id, request_id = _measured_request()
    member_id = _main_member(dossier_id)
    return f"/dossiers/{dossier_id}/demandes/{request_id}/membres/{member_id}{tail}"


def _request_path(tail: str) -> str:
    dossier_id, request_id = _measured_request()
    return f"/dossiers/{dossier_id}/demandes/{request_id}{tail}"


def _n(value: int | None) -> str:
    return f"{value or 0:,}".replace(",", ".")


def _size() -> str:
    inquiries = db.session.scalar(select(func.count(MemberInquiry.id)))
    resources = db.session.scalar(select(func.count(Resource.id)))
    expenses = db.session.scalar(select(func.count(Expense.id)))
    _dossier, request_id = _measured_request()
    on_it = select(MemberInquiry.id).where(MemberInquiry.request_id == request_id)
    members = db.session.scalar(select(func.count()).select_from(on_it.subquery()))
    measured_res = db.session.scalar(
        select(func.count(Resource.id)).where(Resource.inquiry_id.in_(on_it))
    )
    measured_exp = db.session.scalar(
        select(func.count(Expense.id)).where(Expense.inquiry_id.in_(on_it))
    )
    requests = db.session.scalar(select(func.count(AidRequest.id)))
    return (
        f"{_n(requests)} req., {_n(inquiries)} inquiries, {_n(resources)} res., "
        f"{_n(expenses)} exp.; measured: {_n(members)} members, {_n(measured_res)} res., "
        f"{_n(measured_exp)} exp."
    )


# --------------------------------------------------------------------------- scenarios

MEMBER_PAGES = (
    ("inquiry identification", ""),
    ("inquiry information", "/information"),
    ("inquiry resources", "/ressources"),
    ("inquiry expenses", "/depenses"),
)


def _member_page(tail: str) -> Callable[[], str]:
    return lambda: _member_path(tail)


for _name, _tail in MEMBER_PAGES:
    register(
        Scenario(
            _name,
            _member_page(_tail),
            signed_in_as=USER,
            floor=view_floor,
            data_size=_size,
            data=("inquiry",),
            target_p95_ms=50,
        )
    )

register(
    Scenario(
        "inquiry computation",
        lambda: _request_path("/ressources/calcul"),
        signed_in_as=USER,
        headers={"HX-Request": "true"},
        floor=view_floor,
        data_size=_size,
        data=("inquiry",),
        target_p95_ms=30,
    )
)
register(
    Scenario(
        "inquiry computation details",
        lambda: _request_path("/ressources/calcul?details=1"),
        signed_in_as=USER,
        headers={"HX-Request": "true"},
        floor=view_floor,
        data_size=_size,
        data=("inquiry",),
        target_p95_ms=30,
    )
)
register(
    Scenario(
        "inquiry formulaire A",
        lambda: _request_path("/formulaire-a"),
        signed_in_as=USER,
        floor=view_floor,
        data_size=_size,
        data=("inquiry",),
        target_p95_ms=50,
    )
)
