"""Inline encoding of the REDI lines: save a row, duplicate it, remove a duplicate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ...concurrency import Conflict, keep_for_merge
from ...security import acting_user, require_function
from .. import bp, queries, services
from ..forms import LineForm
from ..models import RediCampaign, RediLine
from .common import choices


@bp.route("/lignes/<int:line_id>", methods=["POST"])
@require_function("redi.encode")
def line_save(line_id: int) -> ResponseReturnValue:
    """Inline save of a row: the row redraws itself with its computed cells and control."""
    by = acting_user()
    line, campaign = queries.get_line_or_404(by, line_id)
    form = LineForm()
    status = 200
    months_before = line.months
    conflicted = False
    if form.validate():
        try:
            services.save_line(line, campaign, form.values(), by, version=form.version.data)
        except Conflict as exc:
            # nothing changed (or the service rolled the race back): the cells keep what
            # was typed, and each differing one shows the saved value
            keep_for_merge(form, LineForm(formdata=None, obj=line), exc)
            status, conflicted = 409, True
        except services.RediRuleError as exc:
            flash(str(exc), "error")
            status = 409
    else:
        status = 422
    result = queries.simulation_results(campaign, [line])[line.id]
    return render_template(
        "redi/_line_update.html",
        line=line,
        result=result,
        campaign=campaign,
        form=form if status == 422 or conflicted else None,
        proposed_months=months_before is None and line.months is not None and not form.months.data,
        **choices(),
    ), status


def _change_line(
    line_id: int, change: Callable[[RediLine, RediCampaign, Any], object], done: str
) -> ResponseReturnValue:
    """Duplicate or remove a line, then back to the table (a refusal said in a message)."""
    by = acting_user()
    line, campaign = queries.get_line_or_404(by, line_id)
    try:
        change(line, campaign, by)
        flash(done, "success")
    except services.RediRuleError as exc:
        flash(str(exc), "error")
    return redirect(url_for("redi.campaign", campaign_id=campaign.id))


@bp.route("/lignes/<int:line_id>/dupliquer", methods=["POST"])
@require_function("redi.encode")
def line_duplicate(line_id: int) -> ResponseReturnValue:
    return _change_line(
        line_id,
        services.duplicate_line,
        _("Ligne dupliquée : encodez l'autre aide de cette simulation."),
    )


@bp.route("/lignes/<int:line_id>/supprimer", methods=["POST"])
@require_function("redi.encode")
def line_remove(line_id: int) -> ResponseReturnValue:
    return _change_line(line_id, services.remove_line, _("Ligne dupliquée supprimée."))
