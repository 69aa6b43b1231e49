"""Demo data of the water fund: drawing rights and a year of requests in every state."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from ..access.models import Organisation, OrganisationKind, User
from ..extensions import db
from . import lifecycle as lc
from .models import DrawingRight, WaterRequest, WaterRequestEvent, WaterRequestLine
from .services import set_search_keys

NAMES = [
    ("Dupont", "Marie"), ("Lefèvre", "Jean"), ("Martin", "Sophie"), ("Dubois", "Luc"),
    ("Lambert", "Julie"), ("Renard", "Pierre"), ("Collin", "Nadia"), ("Moreau", "Karim"),
    ("Simon", "Laura"), ("Laurent", "Thomas"), ("Michel", "Emma"), ("Leroy", "Hugo"),
]  # fmt: skip
STREETS = [
    "Rue de la Source",
    "Rue du Moulin",
    "Avenue des Tilleuls",
    "Rue Haute",
    "Chaussée de Liège",
]
FAT_PATH = [
    lc.SUBMITTED,
    lc.APPROVED,
    lc.PAYMENT_PENDING,
    lc.PAID,
    lc.REFUSED,
    lc.INFO_PENDING,
    lc.CANCELLED,
]
FSE_PATH = [
    lc.SUBMITTED,
    lc.PAYMENT_PENDING,
    lc.SETTLED,
    lc.SETTLED,
    lc.REFUSED,
    lc.INFO_PENDING,
    lc.CANCELLED,
]


def seed(orgs: dict[str, Organisation]) -> None:
    """Rights for this year and ~40 requests per CPAS × distributor link (idempotent)."""
    rng = random.Random(42)
    year = datetime.now().year
    for cpas in (o for o in orgs.values() if o.kind == OrganisationKind.CPAS.value):
        author = db.session.scalar(select(User).where(User.organisation_id == cpas.id).limit(1))
        for distributor in cpas.distributors:
            _rights(cpas, distributor, year)
            existing = db.session.scalar(
                select(func.count(WaterRequest.id)).where(
                    WaterRequest.cpas_id == cpas.id, WaterRequest.distributor_id == distributor.id
                )
            )
            if existing:
                continue
            for n in range(40):
                kind = "fat" if n % 3 == 0 else "fse"
                status = (FAT_PATH if kind == "fat" else FSE_PATH)[n % 7]
                _request(rng, kind, status, cpas, distributor, author, year, n)


def _rights(cpas: Organisation, distributor: Organisation, year: int) -> None:
    found = db.session.scalar(
        select(DrawingRight).where(
            DrawingRight.cpas_id == cpas.id,
            DrawingRight.distributor_id == distributor.id,
            DrawingRight.year == year,
        )
    )
    if found is None:
        db.session.add(
            DrawingRight(
                cpas_id=cpas.id,
                distributor_id=distributor.id,
                year=year,
                initial=Decimal("25000.00"),
                complementary=Decimal("4200.00"),
                fat_funds=Decimal("8000.00"),
            )
        )


def _request(rng, kind, status, cpas, distributor, author, year, n) -> None:
    last, first = NAMES[n % len(NAMES)]
    created = datetime(year, 1, 1) + timedelta(days=rng.randrange(0, 300), hours=9)
    amount = Decimal(rng.randrange(80, 1500))
    row = WaterRequest(
        kind=kind, cpas_id=cpas.id, distributor_id=distributor.id, year=year, status=status,
        created_at=created, created_by_id=author.id if author else None,
        internal_ref=f"DOS-{year}-{n:03d}", last_name=last, first_name=first,
        street=rng.choice(STREETS), house_number=str(rng.randrange(1, 200)),
        postal_code="4000", locality="Liège", client_number=f"{distributor.id}-{10000 + n}",
        occupancy=rng.choice(["owner", "tenant"]), requested_amount=amount,
    )  # fmt: skip
    set_search_keys(row)
    if kind == "fat":
        row.contact_name, row.contact_phone = "Service social", "04 000 00 00"
        row.contact_email = cpas.email
        row.works_type, row.quote_amount, row.payee = "fuite", amount + 150, "cpas"
        row.cpas_iban, row.cpas_file_ref = "BE71096123456769", row.internal_ref
    else:
        row.recurrence = "ponctuelle"
        row.lines = [
            WaterRequestLine(line_type="contract_account", value=f"CA-{n:05d}"),
            WaterRequestLine(line_type="invoice_number", value=f"F-{year}-{n:05d}"),
        ]
    if status in (lc.APPROVED, lc.PAYMENT_PENDING, lc.PAID, lc.SETTLED):
        row.granted_amount = amount
    if status in (lc.PAID, lc.SETTLED, lc.CANCELLED):
        row.closed_at = created + timedelta(days=rng.randrange(5, 40))
    row.events = [WaterRequestEvent(at=created, action="submit", to_status=lc.SUBMITTED)]
    if status != lc.SUBMITTED:
        row.events.append(
            WaterRequestEvent(
                at=created + timedelta(days=3),
                action="demo",
                from_status=lc.SUBMITTED,
                to_status=status,
            )
        )
    db.session.add(row)
