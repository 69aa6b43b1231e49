"""Writes of « Dépenses » (seed 001 §9.5, optional, every member): add a row, update it in
place, delete it. Each write checks the freeze and the member's parts first, then changes
the row and calls ``services.changed`` (event « Enrichissement de la demande », audit with
the member's NISS, one commit; a stale version is a ``Conflict``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from ..access.models import User
from ..aid.models import AidRequest
from ..concurrency import check_version
from ..dossiers.models import HouseholdMember
from ..extensions import db
from ..templating import format_money
from .models import EXPENSE_TYPES, EXPENSES, Expense
from .services import InquiryRuleError, changed, ensure_open, ensure_part, inquiry_for

#: An expense is a yearly amount of a household: more than a million is a typing error.
EXPENSE_MAX = Decimal("1000000")

UNKNOWN_TYPE = _l("Choisissez un type de dépense de la liste.")
END_BEFORE_START = _l("La date de fin ne peut pas précéder la date de début.")
NOT_POSITIVE = _l("Le montant annuel doit être supérieur à zéro.")
TOO_HIGH = _l("Montant trop élevé : %(max)s au plus.")

ADD = "inquiry.expense_add"
UPDATE = "inquiry.expense_update"
DELETE = "inquiry.expense_delete"


@dataclass(frozen=True)
class ExpenseData:
    """What a row of « Dépenses » holds: type, optional dates, annual amount."""

    kind: str
    start_date: date | None
    end_date: date | None
    annual_amount: Decimal


def check_expense(data: ExpenseData) -> None:
    """The rules of a row (the form says the same next to each field; a tampered POST
    meets them here)."""
    if data.kind not in EXPENSE_TYPES:
        raise InquiryRuleError(UNKNOWN_TYPE, field="kind")
    if data.start_date and data.end_date and data.end_date < data.start_date:
        raise InquiryRuleError(END_BEFORE_START, field="end_date")
    if data.annual_amount <= 0:
        raise InquiryRuleError(NOT_POSITIVE, field="annual_amount")
    if data.annual_amount > EXPENSE_MAX:
        raise InquiryRuleError(
            str(TOO_HIGH) % {"max": format_money(EXPENSE_MAX)}, field="annual_amount"
        )


def _details(expense: Expense) -> str:
    return f"{expense.kind} {expense.annual_amount:.2f}"


def ensure_editable(request: AidRequest, member: HouseholdMember) -> None:
    """Refuse any change of this member's expenses now (the freeze, a removed member)."""
    ensure_open(request)
    ensure_part(member, EXPENSES)


def add_expense(
    request: AidRequest, member: HouseholdMember, data: ExpenseData, by: User
) -> Expense:
    """« Ajouter »: a new row of the member's expenses (the inquiry made on first use)."""
    ensure_editable(request, member)
    check_expense(data)
    inquiry = inquiry_for(request, member, by)
    expense = Expense(
        inquiry_id=inquiry.id,
        kind=data.kind,
        start_date=data.start_date,
        end_date=data.end_date,
        annual_amount=data.annual_amount,
    )
    db.session.add(expense)  # ``changed`` stamps it and commits: inserted at version 1
    changed(request, ADD, by, niss=member.niss, record=expense, details=_details(expense))
    return expense


def update_expense(
    request: AidRequest,
    member: HouseholdMember,
    expense: Expense,
    data: ExpenseData,
    by: User,
    *,
    version: int | None,
) -> Expense:
    """« Mettre à jour » on a row: checked against the version the row was drawn with."""
    ensure_editable(request, member)
    check_expense(data)
    check_version(expense, version, by)
    expense.kind = data.kind
    expense.start_date = data.start_date
    expense.end_date = data.end_date
    expense.annual_amount = data.annual_amount
    changed(request, UPDATE, by, niss=member.niss, record=expense, details=_details(expense))
    return expense


def delete_expense(
    request: AidRequest,
    member: HouseholdMember,
    expense: Expense,
    by: User,
    *,
    version: int | None,
) -> None:
    """« Supprimer »: the row goes (refused if someone changed it since it was drawn)."""
    ensure_editable(request, member)
    check_version(expense, version, by)
    details = _details(expense)
    db.session.delete(expense)
    changed(request, DELETE, by, niss=member.niss, record=None, details=details)
