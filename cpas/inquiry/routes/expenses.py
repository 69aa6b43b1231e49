"""« Dépenses » of a member (seed 001 §9.5): a table whose rows update themselves in place.

htmx: « Ajouter » redraws the table body (the rows and the add row); « Mettre à jour » on a
row fetches the row as a form (``?modifier=1``) and saving swaps the row back; « Supprimer »
removes the row. Without JavaScript the same URLs answer with the whole page (the row in
edit mode for ``?modifier=1``) and a POST redirects back to it. The rules, the freeze, the
event and the audit are the services' (``cpas/inquiry/expenses.py``).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, make_response, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from ... import audit
from ...aid import services as aid_services
from ...aid.models import AidRequest
from ...aid.queries import get_request_or_404
from ...concurrency import Conflict, keep_for_merge, parse_version
from ...confirmation import confirmation_step, is_confirmed
from ...dossiers.models import Dossier, HouseholdMember
from ...dossiers.queries import get_dossier_or_404, get_member_or_404, remember
from ...htmx import is_htmx, redirect_after_post, render_page_or_fragment
from ...security import acting_user, require_function
from .. import expenses as service
from .. import functions as fn
from .. import links
from ..forms_expenses import ExpenseEditForm, ExpenseForm
from ..models import EXPENSE_TYPES, EXPENSES, Expense, MemberInquiry
from ..queries import get_expense_or_404
from ..services import InquiryRuleError, find_inquiry, parts_of
from . import bp

View = str | Response | tuple[str, int]
M = "/<int:dossier_id>/demandes/<int:request_id>/membres/<int:member_id>"

ADDED = _l("Dépense ajoutée.")
UPDATED = _l("Dépense mise à jour.")
DELETED = _l("Dépense supprimée.")
DELETE_QUESTION = _l("Supprimer cette dépense ? Elle disparaît de l'enquête sociale.")
DELETE_LABEL = _l("Supprimer la dépense")

PAGE = "inquiry/expenses.html"
ROW = "inquiry/_expense_row.html"


# ------------------------------------------------------------------ loading and context


def _load(
    dossier_id: int, request_id: int, member_id: int
) -> tuple[Dossier, AidRequest, HouseholdMember]:
    dossier = get_dossier_or_404(dossier_id)
    req = get_request_or_404(dossier, request_id)
    member = get_member_or_404(dossier, member_id)
    if member.removed_at is not None or EXPENSES not in parts_of(member):
        abort(404)
    return dossier, req, member


def _inquiry_or_404(req: AidRequest, member: HouseholdMember) -> MemberInquiry:
    inquiry = find_inquiry(req, member)
    if inquiry is None:
        abort(404)
    return inquiry


def _edit_form(expense: Expense) -> ExpenseEditForm:
    """A row as saved, as the form of « Mettre à jour »."""
    return ExpenseEditForm(formdata=None, obj=expense, prefix=f"e{expense.id}")


def _context(
    dossier: Dossier,
    req: AidRequest,
    member: HouseholdMember,
    *,
    add_form: ExpenseForm | None = None,
    edit_forms: dict[int, ExpenseEditForm] | None = None,
    messages: dict[Any, str] | None = None,
    fragment: str = "body",
    expense: Expense | None = None,
) -> dict[str, Any]:
    inquiry = find_inquiry(req, member)
    frozen = aid_services.is_frozen(req)
    audit.record_view("inquiry.view", obj=req, niss=member.niss)
    return links.member_layout(
        dossier,
        req,
        member,
        inquiry=inquiry,
        expenses=list(inquiry.expenses) if inquiry else [],
        add_form=add_form or ExpenseForm(formdata=None),
        edit_forms=edit_forms or {},
        messages=messages or {},
        can_edit=current_user.has_function(fn.EXPENSES_EDIT) and not frozen,
        expense_types=EXPENSE_TYPES,
        fragment=fragment,
        expense=expense,
        ids={"dossier_id": dossier.id, "request_id": req.id, "member_id": member.id},
    )


def _render(status: int, **context: Any) -> Response:
    """The fragment (``context["fragment"]``: the body or a row) to htmx, the whole page
    otherwise."""
    response = render_page_or_fragment(PAGE, ROW, **context)
    response.status_code = status
    return response


def _to_page(dossier: Dossier, req: AidRequest, member: HouseholdMember) -> Response:
    return redirect_after_post(
        url_for("inquiry.expenses", dossier_id=dossier.id, request_id=req.id, member_id=member.id)
    )


def _data(form: ExpenseForm) -> service.ExpenseData:
    assert form.annual_amount.data is not None  # a validated form has its amount
    return service.ExpenseData(
        kind=form.kind.data,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        annual_amount=form.annual_amount.data,
    )


def _closed(req: AidRequest, member: HouseholdMember) -> str | None:
    """Why no change is possible now (the freeze), before any field is read: a frozen row
    says so rather than what a field lacks."""
    try:
        service.ensure_editable(req, member)
    except InquiryRuleError as exc:
        return str(exc)
    return None


def _refusal(form: ExpenseForm, exc: InquiryRuleError) -> str | None:
    """A rule's message next to its field, or (no field: the freeze…) for the row."""
    if exc.field and exc.field in form._fields:
        form[exc.field].errors = [*form[exc.field].errors, str(exc)]
        return None
    return str(exc)


# ------------------------------------------------------------------ views


@bp.route(f"{M}/depenses", endpoint="expenses")
@require_function(fn.EXPENSES_VIEW)
def expenses(dossier_id: int, request_id: int, member_id: int) -> View:
    dossier, req, member = _load(dossier_id, request_id, member_id)
    remember(dossier)
    return _render(200, **_context(dossier, req, member))


@bp.route(f"{M}/depenses", methods=["POST"], endpoint="expense_add")
@require_function(fn.EXPENSES_EDIT)
def expense_add(dossier_id: int, request_id: int, member_id: int) -> View:
    dossier, req, member = _load(dossier_id, request_id, member_id)
    form = ExpenseForm()
    message = _closed(req, member)
    if message is None and form.validate():
        try:
            service.add_expense(req, member, _data(form), acting_user())
        except InquiryRuleError as exc:
            message = _refusal(form, exc)
        else:
            if not is_htmx():
                flash(str(ADDED), "success")
                return _to_page(dossier, req, member)
            flash(str(ADDED), "success")
            return _render(200, **_context(dossier, req, member))
    messages = {"new": message} if message else {}
    return _render(422, **_context(dossier, req, member, add_form=form, messages=messages))


@bp.route(f"{M}/depenses/<int:expense_id>", endpoint="expense_row")
@require_function(fn.EXPENSES_VIEW)
def expense_row(dossier_id: int, request_id: int, member_id: int, expense_id: int) -> View:
    dossier, req, member = _load(dossier_id, request_id, member_id)
    expense = get_expense_or_404(_inquiry_or_404(req, member), expense_id)
    edit_forms = {}
    if request.args.get("modifier") == "1":
        edit_forms[expense.id] = _edit_form(expense)  # drawn only when the user may edit
    context = _context(dossier, req, member, edit_forms=edit_forms, fragment="row", expense=expense)
    return _render(200, **context)


@bp.route(f"{M}/depenses/<int:expense_id>/modifier", methods=["POST"], endpoint="expense_update")
@require_function(fn.EXPENSES_EDIT)
def expense_update(dossier_id: int, request_id: int, member_id: int, expense_id: int) -> View:
    dossier, req, member = _load(dossier_id, request_id, member_id)
    expense = get_expense_or_404(_inquiry_or_404(req, member), expense_id)
    form = ExpenseEditForm(prefix=f"e{expense.id}")
    status, message = 422, _closed(req, member)
    if message is None and form.validate():
        try:
            service.update_expense(
                req, member, expense, _data(form), acting_user(), version=form.version.data
            )
        except InquiryRuleError as exc:
            message = _refusal(form, exc)
        except Conflict as exc:
            keep_for_merge(form, _edit_form(expense), exc)
            status = 409
        else:
            flash(str(UPDATED), "success")
            if not is_htmx():
                return _to_page(dossier, req, member)
            return _render(200, **_context(dossier, req, member, fragment="row", expense=expense))
    context = _context(
        dossier,
        req,
        member,
        edit_forms={expense.id: form},
        messages={expense.id: message} if message else {},
        fragment="row",
        expense=expense,
    )
    return _render(status, **context)


@bp.route(f"{M}/depenses/<int:expense_id>/supprimer", methods=["POST"], endpoint="expense_delete")
@require_function(fn.EXPENSES_EDIT)
def expense_delete(dossier_id: int, request_id: int, member_id: int, expense_id: int) -> View:
    dossier, req, member = _load(dossier_id, request_id, member_id)
    expense = get_expense_or_404(_inquiry_or_404(req, member), expense_id)
    version = parse_version(request.form.get("version"))
    status, message = 200, None
    try:
        if not is_confirmed(request.form):
            service.ensure_editable(req, member)  # the freeze answers before the question
            back = url_for("inquiry.expenses", **_ids(dossier, req, member))
            action = url_for(
                "inquiry.expense_delete", expense_id=expense.id, **_ids(dossier, req, member)
            )
            return confirmation_step(
                str(DELETE_QUESTION),
                str(DELETE_LABEL),
                action,
                back,
                keep={"version": "" if version is None else str(version)},
            )
        service.delete_expense(req, member, expense, acting_user(), version=version)
    except InquiryRuleError as exc:
        status, message = 422, str(exc)
    except Conflict as exc:
        status, message = 409, exc.short
    else:
        flash(str(DELETED), "success")
        if not is_htmx():
            return _to_page(dossier, req, member)
        return make_response("", 200)  # htmx swaps the row out: it disappears
    context = _context(
        dossier, req, member, messages={expense.id: message}, fragment="row", expense=expense
    )
    return _render(status, **context)


def _ids(dossier: Dossier, req: AidRequest, member: HouseholdMember) -> dict[str, Any]:
    return {"dossier_id": dossier.id, "request_id": req.id, "member_id": member.id}
