"""« Demande courante »: the request page, its rapport, proposition and modification, and
the steps of « Autres actions » (seed 001 §6, §13–17; seed 002's request screen).

Every step goes through ``lifecycle.AID`` (or the service that wraps it): the routes parse,
call, and draw the outcome; no rule, commit or audit lives here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from ... import audit
from ...access.audit_log import format_local
from ...concurrency import Conflict, parse_version
from ...dossiers.models import Dossier
from ...dossiers.queries import get_dossier_or_404, remember
from ...dossiers.routes.common import layout
from ...htmx import redirect_after_post
from ...security import acting_user, require_function
from ...workflow import Outcome, Posted
from .. import bp, queries, services
from .. import functions as fn
from ..lifecycle import AID, OTHER_ACTIONS, PATHS, AidRuleError
from ..models import AidRequest
from ..queries import get_request_or_404

View = str | Response | tuple[str, int]

#: The URL segment of a step → the step.
ACTIONS = {segment: action for action, segment in PATHS.items()}

#: The message after a step done (duplicate and revise name the new request).
DONE: dict[str, Any] = {
    "modify": _l("Demande modifiée."),
    "report": _l("Rapport enregistré."),
    "proposal": _l("Proposition enregistrée."),
    "submit": _l("Demande soumise au Conseil."),
    "complete": _l("Enquête sociale rouverte : soumettez à nouveau la demande au Conseil."),
    "duplicate": _l("Demande dupliquée : demande n° %(number)s."),
    "close": _l("Demande clôturée."),
    "revise": _l("Demande révisée : nouvelle demande n° %(number)s."),
    "decide": _l("Décision encodée."),
    "send_form": _l("Formulaire envoyé au SPP IS."),
}

#: The page that draws each step with inputs (its form, its messages).
FORM_PAGES = {
    "report": "aid/report.html",
    "proposal": "aid/proposal.html",
    "modify": "aid/modify.html",
}

#: The rows of each text area: the report and the proposal are long texts.
TEXT_ROWS = {"report": 20, "proposal": 20, "nature": 8}


@bp.app_template_filter("datetime_brussels")
def _datetime_brussels(value: datetime | None) -> str:
    """JJ/MM/AAAA HH:MM in Brussels time (the database keeps naive UTC)."""
    return format_local(value)


# ------------------------------------------------------------------ context


def _load(dossier_id: int, request_id: int) -> tuple[Dossier, AidRequest]:
    dossier = get_dossier_or_404(dossier_id)
    return dossier, get_request_or_404(dossier, request_id)


def request_context(dossier: Dossier, req: AidRequest, **extra: Any) -> dict[str, Any]:
    """What every page of a request draws (also the pages of the domains above it: the
    printing, the social inquiry): the layout, the request, its menu."""
    available = {s.action: s for s in AID.available(req, current_user)}
    ids: dict[str, Any] = {"dossier_id": dossier.id, "request_id": req.id}
    return layout(
        dossier,
        aid_request=req,
        workflow=AID,
        steps=[available[a] for a in OTHER_ACTIONS if a in available],
        can={a: a in available for a in ("report", "proposal", "modify")},
        frozen=services.is_frozen(req),
        print_url=url_for("aid.print", **ids) if current_user.has_function(fn.PRINT) else None,
        step_url=lambda action: url_for("aid.step", action=PATHS[action], **ids),
        **extra,
    )


def _request_page(
    dossier: Dossier, req: AidRequest, outcome: Outcome | None = None, status: int = 200
) -> tuple[str, int]:
    audit.record_view("aid.view", obj=req, niss=dossier.niss)
    remember(dossier)
    context = request_context(
        dossier,
        req,
        outcome=outcome,
        events=queries.events(req),
        origin=queries.origin_of(req),
        warn_dates=req.effective_date < req.request_date,
    )
    return render_template("aid/request.html", **context), status


def _step_form(req: AidRequest, action: str, outcome: Outcome | None = None) -> Any:
    """The step's form, as saved (or its default), or as typed with its messages."""
    step = AID.step(action)
    assert step is not None
    posted = outcome.posted if outcome else None
    if posted is not None and posted.action == action:
        values = dict(posted.values)
        version = posted.version
    else:
        values = {}
        for item in step.inputs:
            saved = item.saved(req) if item.saved else None
            values[item.name] = saved or (item.default(req) if item.default else "") or ""
        version = req.version
    form = AID.form_class(step)(formdata=MultiDict({**values, "version": str(version)}))
    for item in step.inputs:
        field = form[item.name]
        field.errors = []
        if item.name in TEXT_ROWS:
            field.render_kw = {**(field.render_kw or {}), "rows": TEXT_ROWS[item.name]}
        if posted is not None and posted.action == action:
            if posted.errors.get(item.name):
                field.errors = [posted.errors[item.name]]
            field.saved_value = posted.saved.get(item.name)
    form.version.errors = []
    form.conflict = outcome.conflict if outcome else None
    form.general = [
        text
        for name, text in ((posted.errors.items()) if posted and posted.action == action else ())
        if name not in {item.name for item in step.inputs}
    ]
    return form


def _form_page(
    dossier: Dossier, req: AidRequest, action: str, outcome: Outcome | None = None
) -> tuple[str, int]:
    """The rapport, proposition or modification page (read-only when the step is closed)."""
    context = request_context(dossier, req, form=_step_form(req, action, outcome), outcome=outcome)
    return render_template(FORM_PAGES[action], **context), outcome.status if outcome else 200


def _done(dossier: Dossier, req: AidRequest, action: str, outcome: Outcome) -> Response:
    """Say what was done and go to the request (the new one after duplicate / revise)."""
    target = outcome.result or req
    message = str(DONE.get(action, DONE["modify"]))
    flash(message % {"number": target.number} if "%(" in message else message, "success")
    return redirect_after_post(url_for("aid.request", dossier_id=dossier.id, request_id=target.id))


def _take(dossier: Dossier, req: AidRequest, action: str) -> View:
    """Post one step; draw its page again with what happened, or go on."""
    by = acting_user()
    if action == "modify":
        outcome = services.modify_request(req, by, request.form)
    else:
        outcome = AID.submit(req, action, by, request.form)
    if outcome.done:
        return _done(dossier, req, action, outcome)
    if action in FORM_PAGES:
        return _form_page(dossier, req, action, outcome)
    return _request_page(dossier, req, outcome, outcome.status)


# ------------------------------------------------------------------ views


@bp.route("/<int:dossier_id>/demandes/<int:request_id>", endpoint="request")
@require_function(fn.LIST)
def request_page(dossier_id: int, request_id: int) -> View:
    dossier, req = _load(dossier_id, request_id)
    return _request_page(dossier, req)


@bp.route("/<int:dossier_id>/demandes/<int:request_id>/modifier", methods=["GET", "POST"])
@require_function(fn.EDIT)
def modify(dossier_id: int, request_id: int) -> View:
    dossier, req = _load(dossier_id, request_id)
    if request.method == "POST":
        return _take(dossier, req, "modify")
    return _form_page(dossier, req, "modify")


@bp.route("/<int:dossier_id>/demandes/<int:request_id>/rapport")
@require_function(fn.LIST)
def report(dossier_id: int, request_id: int) -> View:
    dossier, req = _load(dossier_id, request_id)
    return _form_page(dossier, req, "report")


@bp.route("/<int:dossier_id>/demandes/<int:request_id>/rapport", methods=["POST"])
@require_function(fn.EDIT)
def report_save(dossier_id: int, request_id: int) -> View:
    dossier, req = _load(dossier_id, request_id)
    return _take(dossier, req, "report")


@bp.route("/<int:dossier_id>/demandes/<int:request_id>/proposition")
@require_function(fn.LIST)
def proposal(dossier_id: int, request_id: int) -> View:
    dossier, req = _load(dossier_id, request_id)
    return _form_page(dossier, req, "proposal")


@bp.route("/<int:dossier_id>/demandes/<int:request_id>/proposition", methods=["POST"])
@require_function(fn.EDIT)
def proposal_save(dossier_id: int, request_id: int) -> View:
    dossier, req = _load(dossier_id, request_id)
    return _take(dossier, req, "proposal")


@bp.route("/<int:dossier_id>/demandes/<int:request_id>/etape/<action>", methods=["POST"])
@require_function(fn.LIST)  # then the workflow checks the step's own functions
def step(dossier_id: int, request_id: int, action: str) -> View:
    step_action = ACTIONS.get(action)
    if step_action is None:
        abort(404)
    dossier, req = _load(dossier_id, request_id)
    return _take(dossier, req, step_action)


@bp.route("/<int:dossier_id>/demandes/<int:request_id>/integration", methods=["POST"])
@require_function(fn.CREATE)
def retry_integration(dossier_id: int, request_id: int) -> View:
    dossier, req = _load(dossier_id, request_id)
    version = parse_version(request.form.get("version"))
    try:
        ok = services.retry_integration(req, acting_user(), version=version)
    except Conflict as exc:
        return _request_page(dossier, req, Outcome(status=409, conflict=exc), 409)
    except AidRuleError as exc:
        return _request_page(dossier, req, _refused(req, str(exc)), 422)
    if ok:
        flash(_("Le bénéficiaire est intégré « en enquête » à la BCSS."), "success")
    else:
        flash(_("La BCSS a de nouveau refusé l'intégration « en enquête »."), "error")
    return redirect_after_post(url_for("aid.request", dossier_id=dossier.id, request_id=req.id))


def _refused(req: AidRequest, message: str) -> Outcome:
    return Outcome(
        status=422, posted=Posted("retry_integration", {}, {"form": message}, req.version)
    )
