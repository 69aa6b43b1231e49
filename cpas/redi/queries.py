"""Reads of the REDI report, scoped to the user's CPAS."""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass

from flask import abort
from sqlalchemy import Select, select

from ..access.models import User
from ..extensions import db
from ..security import refuse_foreign
from .calc import LineResult, Summary, compute, summarise_lines
from .models import RediCampaign, RediLine


def campaigns(user: User) -> list[RediCampaign]:
    return list(
        db.session.scalars(
            select(RediCampaign)
            .where(RediCampaign.organisation_id == user.organisation_id)
            .order_by(RediCampaign.period_start.desc())
        )
    )


def get_campaign_or_404(user: User, campaign_id: int) -> RediCampaign:
    campaign = db.session.get(RediCampaign, campaign_id)
    if campaign is None:
        abort(404)
    if campaign.organisation_id != user.organisation_id:
        refuse_foreign(campaign)
    return campaign


def get_line_or_404(user: User, line_id: int) -> tuple[RediLine, RediCampaign]:
    line = db.session.get(RediLine, line_id)
    if line is None:
        abort(404)
    return line, get_campaign_or_404(user, line.campaign_id)


@dataclass
class LineFilters:
    niss: str = ""
    control: str = ""  # "complet" | "incomplet" | ""
    activation: str = ""


def lines_query(campaign: RediCampaign, f: LineFilters) -> Select:
    """Incomplete lines first (they count for nothing), then in spreadsheet order."""
    query = select(RediLine).where(RediLine.campaign_id == campaign.id)
    if f.niss:
        query = query.where(RediLine.niss == f.niss)
    if f.control == "complet":
        query = query.where(RediLine.complete.is_(True))
    elif f.control == "incomplet":
        query = query.where(RediLine.complete.is_(False))
    if f.activation:
        query = query.where(RediLine.activation == f.activation)
    return query.order_by(RediLine.complete, RediLine.position)


def simulation_results(campaign: RediCampaign, lines: list[RediLine]) -> dict[int, LineResult]:
    """Computed cells for these lines, taking their whole simulations into account."""
    keys = {(line.niss, line.budget_number) for line in lines}
    if not keys:
        return {}
    niss_values = {k[0] for k in keys}
    siblings = db.session.scalars(
        select(RediLine)
        .where(RediLine.campaign_id == campaign.id, RediLine.niss.in_(niss_values))
        .order_by(RediLine.position)
    ).all()
    siblings = [s for s in siblings if (s.niss, s.budget_number) in keys]
    results = compute(siblings, campaign.period_start, campaign.period_end)
    return {line.id: result for line, result in zip(siblings, results, strict=True)}


CALC_COLUMNS = (
    RediLine.niss,
    RediLine.budget_number,
    RediLine.balance,
    RediLine.activation,
    RediLine.decision_date,
    RediLine.monthly_granted,
    RediLine.period_start,
    RediLine.period_end,
    RediLine.months,
    RediLine.payment,
    RediLine.total_paid,
)


CalcLine = namedtuple("CalcLine", [c.key for c in CALC_COLUMNS])  # type: ignore[misc]


def summary(campaign: RediCampaign) -> Summary:
    """The « Rapport Unique » figures, recomputed from every line (plain tuples, no ORM)."""
    rows = db.session.execute(
        select(*CALC_COLUMNS).where(RediLine.campaign_id == campaign.id).order_by(RediLine.position)
    ).tuples()
    lines = [CalcLine._make(row) for row in rows]
    return summarise_lines(
        campaign.subsidy_amount, lines, campaign.period_start, campaign.period_end
    )


def all_lines_with_results(campaign: RediCampaign) -> list[tuple[RediLine, LineResult]]:
    lines = db.session.scalars(
        select(RediLine).where(RediLine.campaign_id == campaign.id).order_by(RediLine.position)
    ).all()
    return list(zip(lines, compute(lines, campaign.period_start, campaign.period_end), strict=True))
