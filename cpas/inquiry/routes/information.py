"""« Information » of a member's inquiry (seed 001 §9.3, §9.6.1.1): for the main
beneficiary zone 1 identity (read-only), zone 2 the general situation, zone 3 the Loi 65
specifics; for a partner only the fields the seed asks. Other relations have no
information (404). The writes are ``cpas/inquiry/information.py``'s.
"""

from __future__ import annotations

from typing import Any

from flask import flash, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from ... import audit
from ...aid.models import AidRequest
from ...concurrency import Conflict, keep_for_merge
from ...dossiers.models import Dossier, HouseholdMember
from ...dossiers.queries import remember
from ...htmx import redirect_after_post
from ...security import acting_user, require_function
from .. import functions as fn
from .. import information as service
from .. import links
from ..forms_information import INSURERS, PartnerInformationForm, information_form_class, values_of
from ..models import CATEGORIES, HOUSING, INFORMATION, INSURABILITY, RESIDENCE_PERMITS
from ..services import InquiryRuleError, find_inquiry
from . import bp
from .identification import M, load_member

View = str | Response | tuple[str, int]

SAVED = _l("Les données ont été correctement enregistrées.")


def _saved_form(member: HouseholdMember, inquiry: Any) -> PartnerInformationForm:
    """The form as saved; before the first save, the nationality from the register."""
    data: dict[str, Any] = {"version": inquiry.version if inquiry else 0}
    if inquiry is None:
        data["nationality"] = member.nationality
    else:
        for name in service.COLUMNS_BY_RELATION.get(member.relation, ()):
            data[name] = getattr(inquiry, name)
    return information_form_class(member.relation)(formdata=None, **data)


def _page(
    dossier: Dossier,
    req: AidRequest,
    member: HouseholdMember,
    status: int = 200,
    *,
    form: PartnerInformationForm | None = None,
    message: str | None = None,
    conflict: Conflict | None = None,
) -> tuple[str, int]:
    audit.record_view("inquiry.view", obj=req, niss=member.niss)
    remember(dossier)
    context = links.member_layout(dossier, req, member)
    context.update(
        form=form or _saved_form(member, context["inquiry"]),
        is_beneficiary=member.relation == "beneficiary",
        can_edit=current_user.has_function(fn.INFO_EDIT) and not context["frozen"],
        message=message,
        conflict=conflict,
        labels={
            "category": CATEGORIES,
            "housing": HOUSING,
            "residence_permit": RESIDENCE_PERMITS,
            "insurability": INSURABILITY,
            "health_insurer": INSURERS,
        },
    )
    return render_template("inquiry/information.html", **context), status


@bp.route(M + "/information", endpoint="information")
@require_function(fn.INFO_VIEW)
def information(dossier_id: int, request_id: int, member_id: int) -> View:
    dossier, req, member = load_member(dossier_id, request_id, member_id, INFORMATION)
    return _page(dossier, req, member)


@bp.route(M + "/information", methods=["POST"], endpoint="information_save")
@require_function(fn.INFO_EDIT)
def information_save(dossier_id: int, request_id: int, member_id: int) -> View:
    dossier, req, member = load_member(dossier_id, request_id, member_id, INFORMATION)
    form = information_form_class(member.relation)()
    if not form.validate():
        return _page(dossier, req, member, 422, form=form)
    try:
        service.save_information(
            req, member, values_of(form), acting_user(), version=form.version.data
        )
    except Conflict as exc:
        keep_for_merge(form, _saved_form(member, find_inquiry(req, member)), exc)
        return _page(dossier, req, member, 409, form=form, conflict=exc)
    except InquiryRuleError as exc:
        if exc.field and exc.field in form._fields:
            form[exc.field].errors = [str(exc)]
            return _page(dossier, req, member, 422, form=form)
        return _page(dossier, req, member, 422, form=form, message=str(exc))
    flash(SAVED, "success")
    return redirect_after_post(
        url_for(
            "inquiry.information",
            dossier_id=dossier.id,
            request_id=req.id,
            member_id=member.id,
        )
    )
