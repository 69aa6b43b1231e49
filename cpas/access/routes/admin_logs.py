"""Admin-Logs: the audit log searched by POST, and its Excel export."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ... import audit
from ...database import reads_only
from ...documents.xlsx import send_xlsx
from ...extensions import db
from ...htmx import render_page_or_fragment
from ...inputs import parse_page
from ...pagination import paginate
from ...security import acting_user, require_function
from ...timeutil import utcnow
from .. import audit_log as audit_log_words
from .. import bp, queries
from ..forms import (
    AuditFilterForm,
)

# --------------------------------------------------------------------------- Admin-Logs


def _audit_filters() -> tuple[AuditFilterForm, dict]:
    form = AuditFilterForm(request.form if request.method == "POST" else None)
    org_id = current_user.organisation_id
    form.user_id.choices = [(0, _("Tous"))] + queries.org_users_for_select(org_id)
    actions = sorted(
        ((code, audit.action_label(code)) for code in queries.audit_actions(org_id)),
        key=lambda choice: choice[1].lower(),
    )
    form.action.choices = [
        ("", _("Toutes")),
        (queries.SECURITY_FILTER, _("Événements de sécurité")),
        *actions,
    ]
    filters: dict = {}
    if request.method == "POST" and form.validate():
        filters = {
            "date_from": form.date_from.data,
            "date_to": form.date_to.data,
            "user_id": form.user_id.data or None,
            "action": form.action.data or None,
            "niss": form.niss.data or None,
        }
    return form, filters


@reads_only
@bp.route("/admin-logs", methods=["GET", "POST"])
@require_function("access.audit")
def audit_log():
    """Search the audit log. A POST search keeps the NISS out of URLs and server logs."""
    form, filters = _audit_filters()
    status = 422 if form.errors else 200
    page_arg = request.form.get("page", "1") if request.method == "POST" else "1"
    page = paginate(
        queries.audit_query(current_user.organisation_id, **filters),
        parse_page(page_arg),
        50,
        scalars=False,
    )
    rows = audit_log_words.describe(page.items, acting_user())
    # The log shows NISS too: each one on screen (and the one searched) is a consultation.
    shown = audit_log_words.shown_niss(rows)
    if filters.get("niss") and filters["niss"] not in shown:
        shown.insert(0, filters["niss"])
    audit.record_views(
        "access.audit_view", shown or [None], details="recherche" if filters else None
    )
    return render_page_or_fragment(
        "access/audit_log.html", "access/_audit_table.html", form=form, page=page, rows=rows
    ), status


@reads_only
@bp.route("/admin-logs/export.xlsx", methods=["POST"])
@require_function("access.audit")
def audit_export():
    form, filters = _audit_filters()
    if form.errors:
        return render_template("access/audit_log.html", form=form, page=None), 422
    # Built before the answer (not streamed): every NISS in the file is logged, and the
    # log is written after the view, before the download starts.
    rows = audit_log_words.describe_all(
        db.session.execute(queries.audit_query(current_user.organisation_id, **filters)),
        acting_user(),
    )
    shown = audit_log_words.shown_niss(rows)
    if filters.get("niss") and filters["niss"] not in shown:
        shown.insert(0, filters["niss"])
    audit.record_views("access.audit_export", shown or [None])
    return send_xlsx(
        f"admin-logs-{utcnow():%Y%m%d}.xlsx",
        [
            _("Date et heure (Bruxelles)"),
            _("Utilisateur"),
            _("Action"),
            _("Objet"),
            _("NISS"),
            _("Résultat"),
            _("IP"),
            _("Code de l'action"),
        ],
        (
            [r.at, r.user, r.action, r.object, r.niss or "", r.outcome, r.entry.ip or "", r.code]
            for r in rows
        ),
        title=_("Admin-Logs"),
    )
