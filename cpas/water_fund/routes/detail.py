"""A request's page: its status panel (the steps of its life cycle), its files, its history."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ...htmx import render_page_or_fragment
from ...security import acting_user, require_function, signed_in
from ...uploads import UploadRefused, UploadStorageError, check_upload
from ...workflow import Outcome
from .. import bp, queries, services
from .. import lifecycle as lc
from ..files import FILE_TYPES, UPLOAD_RULE, storage_dir
from ..forms import RECURRENCES, WORKS_TYPES, FileForm
from ..models import WaterRequest
from ..queries import get_file_or_404, get_request_or_404
from .forms import STORAGE_FAILED

View = str | Response | tuple[Response, int]


@bp.route("/fat/<int:request_id>")
@require_function("water.fat.view")
def fat_detail(request_id: int) -> str:
    return _detail(lc.FAT, request_id)


@bp.route("/fse/<int:request_id>")
@require_function("water.fse.view")
def fse_detail(request_id: int) -> str:
    return _detail(lc.FSE, request_id)


@bp.route("/fat/<int:request_id>/action/<action>", methods=["POST"])
@require_function("water.fat.view")
def fat_transition(request_id: int, action: str) -> tuple[Response, int]:
    return _take_step(lc.FAT, request_id, action)


@bp.route("/fse/<int:request_id>/action/<action>", methods=["POST"])
@require_function("water.fse.view")
def fse_transition(request_id: int, action: str) -> tuple[Response, int]:
    return _take_step(lc.FSE, request_id, action)


@bp.route("/fat/<int:request_id>/fichiers", methods=["POST"])
@require_function("water.files")
def fat_add_file(request_id: int) -> tuple[Response, int]:
    return _add_file(lc.FAT, request_id)


@bp.route("/fse/<int:request_id>/fichiers", methods=["POST"])
@require_function("water.files")
def fse_add_file(request_id: int) -> tuple[Response, int]:
    return _add_file(lc.FSE, request_id)


@bp.route("/demandes/<int:request_id>")
@signed_in
def request_detail(request_id: int) -> Response:
    """Stable link used in e-mails: redirects to the request's page (404 if not visible)."""
    row = get_request_or_404(acting_user(), request_id)
    return redirect(url_for(f"water_fund.{row.kind}_detail", request_id=row.id))


@bp.route("/fichiers/<int:file_id>")
@require_function("water.files")
def download_file(file_id: int) -> Response:
    stored = get_file_or_404(acting_user(), file_id)
    path = storage_dir() / stored.stored_name
    if not path.is_file():  # lost on disk (a restore without uploads/): say so, not a 500
        current_app.logger.error("water file %s is missing on disk", stored.id)
        abort(404)
    return send_file(
        path,
        mimetype=stored.mime_type,
        as_attachment=True,
        download_name=stored.original_name,
        max_age=0,
    )


def _detail(kind: str, request_id: int) -> str:
    user = acting_user()
    get_request_or_404(user, request_id, kind)
    row = queries.request_detail(request_id)
    return render_template("water_fund/detail.html", **_detail_context(row, user))


def _take_step(kind: str, request_id: int, action: str) -> tuple[Response, int]:
    """Take the posted step; the panel comes back with what happened (never a rollback:
    a refused step changed nothing)."""
    user = acting_user()
    row = get_request_or_404(user, request_id, kind)
    outcome = services.submit_transition(row, action, user, request.form)
    if outcome.done:
        flash(
            _(
                "Demande n° %(number)s : nouveau statut « %(status)s ».",
                number=row.id,
                status=lc.STATUS_LABELS[row.status],
            ),
            "success",
        )
    row = queries.request_detail(request_id)
    context = _detail_context(row, user, outcome)
    page = render_page_or_fragment(
        "water_fund/detail.html", "water_fund/_status_panel.html", **context
    )
    return page, outcome.status


def _add_file(kind: str, request_id: int) -> tuple[Response, int]:
    user = acting_user()
    row = get_request_or_404(user, request_id, kind)
    form = FileForm()
    form.file_type.choices = list(FILE_TYPES.items())
    error = None
    status = 200
    if row.status in lc.FILES_CLOSED:
        error = _("La demande est clôturée : plus d'ajout de fichier.")
    elif not form.validate():
        error = _("Choisissez un type de fichier.")
    else:
        try:
            checked = check_upload(request.files.get("file"), UPLOAD_RULE)
            services.add_file(row, form.file_type.data, checked, user)
            flash(_("Fichier enregistré."), "success")
        except UploadStorageError:
            current_app.logger.exception("water-fund file could not be stored")
            error = str(STORAGE_FAILED)
            status = 503
        except (UploadRefused, services.WaterRuleError) as exc:  # nothing was changed
            error = str(exc)
    row = queries.request_detail(request_id)
    context = _detail_context(row, user)
    context["file_error"] = error
    context["file_type_posted"] = form.file_type.data  # the chosen type kept on an error
    page = render_page_or_fragment("water_fund/detail.html", "water_fund/_files.html", **context)
    return page, (status if status != 200 else 422 if error else 200)


def _detail_context(row: WaterRequest, user: Any, outcome: Outcome | None = None) -> dict[str, Any]:
    side = lc.side_of(user)
    workflow = lc.WORKFLOWS[row.kind]
    return {
        "row": row,
        "kind": row.kind,
        "label": lc.KIND_LABELS[row.kind],
        "labels": lc.STATUS_LABELS,
        "next_actor": lc.NEXT_ACTOR_LABELS,
        "workflow": workflow,
        "steps": workflow.available(row, user),
        "outcome": outcome,
        "action_url": lambda action: url_for(
            f"water_fund.{row.kind}_transition", request_id=row.id, action=action
        ),
        "can_edit": side == lc.CPAS
        and row.status in lc.EDITABLE
        and user.has_function(f"water.{row.kind}.edit"),
        "can_add_file": user.has_function("water.files") and row.status not in lc.FILES_CLOSED,
        "file_types": FILE_TYPES,
        "works_types": dict(WORKS_TYPES),
        "recurrences": dict(RECURRENCES),
        "file_error": None,
        "file_type_posted": None,
    }
