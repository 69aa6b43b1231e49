"""Demo data of the REDI report: a campaign for CPAS de Demoville with ~30 lines."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from ..access.models import Organisation
from ..extensions import db
from .calc import check_line
from .models import RediCampaign, RediLine


def fictitious_niss(rng: random.Random) -> str:
    """A valid NISS of a fictitious adult born before 2000."""
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 49 * 365))
    base = f"{born:%y%m%d}{rng.randrange(1, 998):03d}"
    return base + f"{97 - int(base) % 97:02d}"


def seed(orgs: dict[str, Organisation]) -> None:
    cpas = orgs["CPAS de Demoville"]
    if db.session.scalar(select(RediCampaign.id).where(RediCampaign.organisation_id == cpas.id)):
        return
    campaign = RediCampaign(
        organisation_id=cpas.id,
        name="Subvention REDI 2023-2024",
        period_start=date(2023, 5, 1),
        period_end=date(2024, 2, 29),
        report_deadline=date(2024, 4, 30),
        subsidy_amount=Decimal("6349.82"),
        payment_reference="REMI-REDI_23/0042",
    )
    db.session.add(campaign)
    db.session.flush()
    rng = random.Random(7)
    for n in range(30):
        start = date(2023, 5 + n % 6, 1)
        line = RediLine(
            campaign_id=campaign.id,
            position=n + 1,
            ins_code=cpas.ins_code or "",
            niss=fictitious_niss(rng),
            budget_number=str(100 + n),
            budget_date=start,
            balance=Decimal(-rng.randrange(40, 600)),
        )
        if n % 3:  # two lines out of three already encoded
            months = 1 + n % 4
            line.activation = ["oui_piis", "oui_autre", "non_equite", "non_emploi"][n % 4]
            line.decision_date = start
            line.monthly_granted = Decimal(rng.randrange(50, 400))
            line.period_start = start
            last = start.month + months - 1
            line.period_end = date(start.year + (last - 1) // 12, (last - 1) % 12 + 1, 28)
            line.months = months
            line.payment = "mensuelle" if months > 1 else "unique"
            line.total_paid = line.monthly_granted * (months - (n % 2))
        line.complete = not check_line(line)
        db.session.add(line)
