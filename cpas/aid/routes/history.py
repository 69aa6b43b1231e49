"""The dossier side of the aid requests: « Historique des demandes d'aide » (filter,
« Anciennes demandes », the moves) and « Nouvelle demande » (seed 001 §6, seed 002).

The routes parse, call one service and draw; the history fragment is the dossier page's
panel (``cpas/aid/panel.py``), redrawn in place for htmx and inside the dossier page
otherwise.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ...concurrency import BAD_VERSION, Conflict, ensure_current, parse_version
from ...dossiers import panels
from ...dossiers import queries as dossier_queries
from ...dossiers.models import Dossier
from ...dossiers.queries import get_dossier_or_404
from ...dossiers.routes.common import layout, view_dossier
from ...htmx import is_htmx, redirect_after_post
from ...security import acting_user, require_function
from .. import bp, panel, services
from .. import functions as fn
from ..forms import NewRequestForm
from ..lifecycle import AidRuleError
from ..queries import get_request_or_404


def _history_response(dossier: Dossier, view: panel.HistoryView, status: int = 200, **extra: Any):
    """The history fragment (htmx), else the dossier page with the history as asked."""
    if is_htmx():
        response = make_response(panel.render_history(dossier, view, **extra), status)
    else:
        view_dossier(dossier)  # the dossier page shows the NISS: a consultation
        page = render_template(
            "dossiers/detail.html",
            **layout(
                dossier,
                main=dossier_queries.main_member(dossier),
                form=None,
                panels=panels.render_panels(dossier),
            ),
        )
        response = make_response(page, status)
    response.headers.add("Vary", "HX-Request")
    return response


@bp.route("/<int:dossier_id>/demandes")
@require_function(fn.LIST)
def history(dossier_id: int):
    """« Sélection type de statut » and « Anciennes demandes » / « Retour à l'historique »."""
    dossier = get_dossier_or_404(dossier_id)
    view = panel.parse_view(request.args)
    return _history_response(dossier, view, 422 if view.error else 200)


def _history_url(dossier: Dossier, archived: bool) -> str:
    if archived:
        return url_for("aid.history", dossier_id=dossier.id, anciennes=1)
    return url_for("dossiers.detail", dossier_id=dossier.id)


def _move(dossier_id: int, request_id: int, archived: bool) -> Response:
    """« Déplacer vers "Anciennes demandes" » or « Replacer dans l'historique »: the panel
    where the button was, again."""
    dossier = get_dossier_or_404(dossier_id)
    aid_request = get_request_or_404(dossier, request_id)
    version = parse_version(request.form.get("version"))
    if version is None:
        abort(400, description=str(BAD_VERSION))
    where = panel.HistoryView(archived=not archived)
    try:
        ensure_current(aid_request, version)  # a stale row changes nothing
    except Conflict as exc:
        if is_htmx():
            return _history_response(dossier, where, 409, notice=exc.short)
        flash(exc.short, "error")
        return redirect(_history_url(dossier, where.archived))
    services.set_archived(aid_request, archived, acting_user())
    if archived:
        message = _(
            "Demande n° %(number)s déplacée vers « Anciennes demandes ».", number=aid_request.number
        )
    else:
        message = _("Demande n° %(number)s replacée dans l'historique.", number=aid_request.number)
    flash(message, "success")
    if is_htmx():
        return _history_response(dossier, where)
    return redirect(_history_url(dossier, where.archived))


@bp.route("/<int:dossier_id>/demandes/<int:request_id>/archiver", methods=["POST"])
@require_function(fn.EDIT)
def archive(dossier_id: int, request_id: int):
    return _move(dossier_id, request_id, True)


@bp.route("/<int:dossier_id>/demandes/<int:request_id>/replacer", methods=["POST"])
@require_function(fn.EDIT)
def unarchive(dossier_id: int, request_id: int):
    return _move(dossier_id, request_id, False)


@bp.route("/<int:dossier_id>/demandes/archiver-cloturees", methods=["POST"])
@require_function(fn.EDIT)
def archive_closed(dossier_id: int):
    """« Déplacer toutes les demandes clôturées vers "Anciennes demandes" »."""
    dossier = get_dossier_or_404(dossier_id)
    moved = services.archive_closed(dossier, acting_user())
    if moved:
        flash(
            _(
                "%(count)s demande(s) clôturée(s) déplacée(s) vers « Anciennes demandes ».",
                count=moved,
            ),
            "success",
        )
    else:
        flash(_("Aucune demande clôturée à déplacer."), "info")
    if is_htmx():
        return _history_response(dossier, panel.HistoryView())
    return redirect(_history_url(dossier, False))


@bp.route("/<int:dossier_id>/demandes/nouvelle", methods=["GET", "POST"])
@require_function(fn.CREATE)
def new(dossier_id: int):
    """« Nouvelle demande » → « Enregistrer »: the request, then the page of the request."""
    dossier = get_dossier_or_404(dossier_id)
    form = NewRequestForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate():
            data = services.NewRequest(
                request_date=form.request_date.data,
                effective_date=form.effective_date.data,
                kind=form.kind.data,
                nature=form.nature.data,
            )
            try:
                created = services.create_request(dossier, data, acting_user())
            except AidRuleError as exc:
                getattr(form, exc.field or "nature").errors.append(str(exc))
            else:
                flash(_("Demande d'aide n° %(number)s créée.", number=created.number), "success")
                if created.integration_ok is False:
                    flash(
                        _(
                            "L'intégration « en enquête » à la BCSS a été refusée : %(message)s",
                            message=created.integration_message or "",
                        ),
                        "error",
                    )
                return redirect_after_post(
                    url_for("aid.request", dossier_id=dossier.id, request_id=created.id)
                )
    return render_template("aid/new.html", **layout(dossier, form=form)), status
