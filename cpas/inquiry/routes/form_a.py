"""« Formulaire A » (seed 001 §12), a page of the request: its effective date, the main
beneficiary's nationality (« Modifier » → « Enregistrer ») and a line per de facto member
(« bénéficiaire secondaire » oui/non, suffix, status, relation, nationality).

« Modifier » is a plain link (``?modifier=principal`` or ``?modifier=<member id>``) that draws
the same page with that part as a form: it works without JavaScript. The rules, the freeze,
the event and the audit are the services' (``cpas/inquiry/form_a.py``).
"""

from __future__ import annotations

from typing import Any

from flask import flash, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from ... import audit
from ...aid import extend
from ...aid import services as aid_services
from ...aid.models import AidRequest
from ...aid.queries import get_request_or_404
from ...concurrency import Conflict, keep_for_merge
from ...dossiers.models import Dossier, HouseholdMember
from ...dossiers.queries import get_dossier_or_404, get_member_or_404, remember
from ...htmx import redirect_after_post
from ...security import acting_user, require_function
from .. import form_a as service
from .. import functions as fn
from ..forms_expenses import FormAForm, FormAMemberForm
from ..models import FORM_A_RELATIONS, FORM_A_STATUSES, FormA, FormAMember
from ..queries import form_a_of
from ..services import FROZEN, InquiryRuleError, ensure_open
from . import bp

View = str | Response | tuple[str, int]
R = "/<int:dossier_id>/demandes/<int:request_id>"

extend.register_menu_entry(
    extend.MenuEntry(
        "form_a",
        20,
        "inquiry.form_a",
        _l("Formulaire A"),
        fn.FORM_A_VIEW,
        current=("inquiry.form_a", "inquiry.form_a_save", "inquiry.form_a_member_save"),
    )
)

SAVED = _l("Formulaire A enregistré.")
MEMBER_SAVED = _l("Formulaire A : %(name)s enregistré(e).")
ADULT_CHILD_NOTE = _l(
    "Enfant majeur : s'il est à charge, il faut lui ouvrir un dossier particulier (seul un "
    "enfant mineur peut être bénéficiaire secondaire)."
)


# ------------------------------------------------------------------ context


def request_context(dossier: Dossier, req: AidRequest, **extra: Any) -> dict[str, Any]:
    """What a page of the request draws around its content (``aid/_layout.html``), as the
    request page passes it, and the freeze message of the inquiry."""
    from ...aid.routes.request_page import request_context as aid_request_context

    return aid_request_context(dossier, req, frozen_message=FROZEN, **extra)


def _load(dossier_id: int, request_id: int) -> tuple[Dossier, AidRequest]:
    dossier = get_dossier_or_404(dossier_id)
    return dossier, get_request_or_404(dossier, request_id)


def _main_form(req: AidRequest, form: FormA | None) -> FormAForm:
    """The date and nationality as saved (or their defaults: the request's date, the
    register's nationality)."""
    main = next((m for m in req.dossier.members if m.is_main), None)
    data = {
        "effective_date": form.effective_date if form else req.effective_date,
        "main_nationality": (form.main_nationality if form else None)
        or (main.nationality if main else None),
        "version": form.version if form else 0,
    }
    return FormAForm(formdata=None, data=data)


def _line_form(
    member: HouseholdMember, line: FormAMember | None, proposed: int | None
) -> FormAMemberForm:
    """A member's line as saved, or a new line with the suffix the person had before."""
    if line is not None:
        data = {
            "secondary": "oui" if line.secondary else "non",
            "suffix": "" if line.suffix is None else str(line.suffix),
            "status": line.status or "",
            "relation": line.relation or "",
            "nationality": line.nationality or "",
            "version": line.version,
        }
    else:
        data = {
            "secondary": "non",
            "suffix": "" if proposed is None else str(proposed),
            "status": "",
            # the household's relation suggests the form's, when it is one of the two
            "relation": member.relation if member.relation in FORM_A_RELATIONS else "",
            "nationality": member.nationality or "",
            "version": 0,
        }
    return FormAMemberForm(formdata=None, prefix=f"m{member.id}", data=data)


def _page(
    dossier: Dossier,
    req: AidRequest,
    *,
    status: int = 200,
    editing: str | None = None,
    main_form: FormAForm | None = None,
    line_forms: dict[int, FormAMemberForm] | None = None,
    general: str | None = None,
) -> tuple[str, int]:
    form = form_a_of(req)
    members = service.secondary_candidates(req)
    lines = {line.member_id: line for line in (form.members if form else [])}
    earlier = service.earlier_suffixes(req, [m.niss for m in members])
    line_forms = dict(line_forms or {})
    for member in members:
        if member.id not in line_forms:
            line_forms[member.id] = _line_form(
                member, lines.get(member.id), earlier.get(member.niss)
            )
    on = form.effective_date if form else req.effective_date
    can_edit = current_user.has_function(fn.FORM_A_EDIT) and not aid_services.is_frozen(req)
    # Each NISS the page shows is a consultation of that person.
    audit.record_view("inquiry.view", obj=req, niss=dossier.niss)
    audit.record_views("inquiry.view", (m.niss for m in members), obj=req)
    remember(dossier)
    context = request_context(
        dossier,
        req,
        form_a=form,
        effective_date=on,
        main=next((m for m in dossier.members if m.is_main), None),
        members=members,
        lines=lines,
        earlier=earlier,
        main_form=main_form or _main_form(req, form),
        line_forms=line_forms,
        editing=editing if can_edit else None,
        can_edit=can_edit,
        general=general,
        adult_children={
            m.id for m in members if m.relation == "first_degree" and service.is_adult(m, on)
        },
        adult_child_note=ADULT_CHILD_NOTE,
        warnings=service.integration_warnings(form, req),
        statuses=FORM_A_STATUSES,
        relations=FORM_A_RELATIONS,
        can_integrate=current_user.has_function("integrations.view"),
    )
    return render_template("inquiry/form_a.html", **context), status


def _closed(req: AidRequest) -> str | None:
    """Why formulaire A cannot change now (the freeze), before any field is read."""
    try:
        ensure_open(req)
    except InquiryRuleError as exc:
        return str(exc)
    return None


def _field_error(form: Any, exc: InquiryRuleError) -> str | None:
    """Put a rule's message next to its field; return it when it belongs to no field."""
    if exc.field and exc.field in form._fields and exc.field != "version":
        form[exc.field].errors = [*form[exc.field].errors, str(exc)]
        return None
    return str(exc)


def _back(dossier: Dossier, req: AidRequest) -> Response:
    return redirect_after_post(url_for("inquiry.form_a", dossier_id=dossier.id, request_id=req.id))


# ------------------------------------------------------------------ views


@bp.route(f"{R}/formulaire-a", endpoint="form_a")
@require_function(fn.FORM_A_VIEW)
def form_a(dossier_id: int, request_id: int) -> View:
    dossier, req = _load(dossier_id, request_id)
    return _page(dossier, req, editing=request.args.get("modifier"))


@bp.route(f"{R}/formulaire-a", methods=["POST"], endpoint="form_a_save")
@require_function(fn.FORM_A_EDIT)
def form_a_save(dossier_id: int, request_id: int) -> View:
    dossier, req = _load(dossier_id, request_id)
    form = FormAForm()
    closed = _closed(req)
    if closed:
        return _page(dossier, req, status=422, general=closed)
    if not form.validate():
        return _page(dossier, req, status=422, editing="principal", main_form=form)
    try:
        service.save_form(
            req,
            form.effective_date.data,
            form.main_nationality.data,
            acting_user(),
            version=form.version.data,
        )
    except InquiryRuleError as exc:
        general = _field_error(form, exc)
        return _page(dossier, req, status=422, editing="principal", main_form=form, general=general)
    except Conflict as exc:
        saved = _main_form(req, form_a_of(req))
        keep_for_merge(form, saved, exc)
        return _page(dossier, req, status=409, editing="principal", main_form=form)
    flash(str(SAVED), "success")
    return _back(dossier, req)


@bp.route(
    f"{R}/formulaire-a/membres/<int:member_id>", methods=["POST"], endpoint="form_a_member_save"
)
@require_function(fn.FORM_A_EDIT)
def form_a_member_save(dossier_id: int, request_id: int, member_id: int) -> View:
    dossier, req = _load(dossier_id, request_id)
    member = get_member_or_404(dossier, member_id)
    form = FormAMemberForm(prefix=f"m{member.id}")
    editing = str(member.id)
    closed = _closed(req)
    if closed:
        return _page(dossier, req, status=422, general=closed)
    if not form.validate():
        return _page(dossier, req, status=422, editing=editing, line_forms={member.id: form})
    data = service.FormAMemberData(
        secondary=form.secondary.data == "oui",
        suffix=form.suffix_value,
        status=form.status.data or None,
        relation=form.relation.data or None,
        nationality=form.nationality.data,
    )
    try:
        service.save_member(req, member, data, acting_user(), version=form.version.data)
    except InquiryRuleError as exc:
        general = _field_error(form, exc)
        return _page(
            dossier, req, status=422, editing=editing, line_forms={member.id: form}, general=general
        )
    except Conflict as exc:
        saved_form = form_a_of(req)
        lines = saved_form.members if saved_form else []
        line = next((m for m in lines if m.member_id == member.id), None)
        saved = _line_form(member, line, None)
        keep_for_merge(form, saved, exc)
        return _page(dossier, req, status=409, editing=editing, line_forms={member.id: form})
    flash(str(MEMBER_SAVED) % {"name": f"{member.last_name} {member.first_name}"}, "success")
    return _back(dossier, req)
