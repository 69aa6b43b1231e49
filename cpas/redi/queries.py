"""Reads of the REDI report, scoped to the user's CPAS."""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from typing import Any

from flask import abort
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from ..access.models import User
from ..extensions import db
from ..scoping import get_scoped_or_404, scoped_loader
from .calc import LineResult, Summary, compute, summarise_lines
from .models import RediCampaign, RediImport, RediLine, RediReportEvent


def campaigns(user: User) -> list[RediCampaign]:
    return list(
        db.session.scalars(
            select(RediCampaign)
            .where(RediCampaign.organisation_id == user.organisation_id)
            .order_by(RediCampaign.period_start.desc())
        )
    )


@scoped_loader
def get_campaign_or_404(user: User, campaign_id: int) -> RediCampaign:
    """A campaign of the user's CPAS (another CPAS's is a 404 and a security event)."""
    return get_scoped_or_404(RediCampaign, campaign_id, user)


@scoped_loader
def get_line_or_404(user: User, line_id: int) -> tuple[RediLine, RediCampaign]:
    """A line of one of the user's CPAS's campaigns, with its campaign."""
    line = get_scoped_or_404(RediLine, line_id, user, options=(joinedload(RediLine.campaign),))
    return line, line.campaign


@scoped_loader
def get_pending_import_or_404(user: User, token: str) -> RediImport:
    """The user's own staged import (another user's, or another CPAS's, is a 404)."""
    pending_id = db.session.scalar(select(RediImport.id).where(RediImport.token == token))
    if pending_id is None:
        abort(404)
    return get_scoped_or_404(RediImport, pending_id, user)


def report_events(campaign: RediCampaign) -> list[RediReportEvent]:
    """The steps of the report's workflow, oldest first, with their actors."""
    return list(
        db.session.scalars(
            select(RediReportEvent)
            .where(RediReportEvent.campaign_id == campaign.id)
            .options(joinedload(RediReportEvent.user))
            .order_by(RediReportEvent.id)
        )
    )


@dataclass
class LineFilters:
    niss: str = ""
    control: str = ""  # "complet" | "incomplet" | ""
    activation: str = ""


def lines_query(campaign: RediCampaign, f: LineFilters) -> Select[RediLine]:
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
    )
    lines: list[Any] = [CalcLine._make(row) for row in rows]  # CalcLine has LineLike's fields
    return summarise_lines(
        campaign.subsidy_amount, lines, campaign.period_start, campaign.period_end
    )


def all_lines_with_results(campaign: RediCampaign) -> list[tuple[RediLine, LineResult]]:
    lines = db.session.scalars(
        select(RediLine).where(RediLine.campaign_id == campaign.id).order_by(RediLine.position)
    ).all()
    return list(zip(lines, compute(lines, campaign.period_start, campaign.period_end), strict=True))
