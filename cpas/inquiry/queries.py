"""Reads of the social inquiry: the scoped loaders and a household's inquiry at once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..aid.models import AidRequest
from ..extensions import db
from ..scoping import get_scoped_or_404, scoped_loader
from .models import Expense, FormA, MemberInquiry, Resource


@scoped_loader
def get_resource_or_404(inquiry: MemberInquiry, resource_id: int) -> Resource:
    """A resource of ``inquiry``, else 404 (another CPAS's is logged)."""
    return get_scoped_or_404(Resource, resource_id, same={"inquiry_id": inquiry.id})


@scoped_loader
def get_expense_or_404(inquiry: MemberInquiry, expense_id: int) -> Expense:
    """An expense of ``inquiry``, else 404 (another CPAS's is logged)."""
    return get_scoped_or_404(Expense, expense_id, same={"inquiry_id": inquiry.id})


def household_inquiries(request: AidRequest) -> dict[int, MemberInquiry]:
    """Every member's inquiry of the request with its resources and expenses, by member id
    (three queries whatever the household's size)."""
    rows = db.session.scalars(
        select(MemberInquiry)
        .where(MemberInquiry.request_id == request.id)
        .options(selectinload(MemberInquiry.resources), selectinload(MemberInquiry.expenses))
    ).all()
    return {row.member_id: row for row in rows}


def form_a_of(request: AidRequest) -> FormA | None:
    return db.session.scalar(
        select(FormA).where(FormA.request_id == request.id).options(selectinload(FormA.members))
    )
