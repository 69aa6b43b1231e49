"""The dashboard, « Informations générales » (drawing rights), notification settings,
the glossary and the « + » of a multi-valued field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response

from ...access.models import Organisation, OrganisationKind, User
from ...concurrency import keep_for_merge
from ...extensions import db
from ...htmx import render_page_or_fragment
from ...security import acting_user, require_function
from .. import bp, notifications, queries, rights
from .. import lifecycle as lc
from ..forms import DrawingRightForm
from ..models import DrawingRight
from .common import year_from


@bp.route("/fat/notifications", methods=["GET", "POST"])
@require_function("water.notifications")
def fat_notifications() -> Response:
    return _notifications(lc.FAT)


@bp.route("/fse/notifications", methods=["GET", "POST"])
@require_function("water.notifications")
def fse_notifications() -> Response:
    return _notifications(lc.FSE)


def _notifications(kind: str) -> Response:
    user = acting_user()
    label = lc.KIND_LABELS[kind]
    if request.method == "POST":
        kept = {s for s in request.form.getlist("statuses") if s in lc.STATUSES[kind]}
        notifications.save_notification_settings(user, kind, kept)
        flash(_("Notifications %(kind)s enregistrées.", kind=label), "success")
    off = notifications.opted_out(user.id, kind)
    return render_page_or_fragment(
        "water_fund/notifications.html",
        "water_fund/_notifications_form.html",
        kind=kind,
        label=label,
        statuses=lc.STATUSES[kind],
        labels=lc.STATUS_LABELS,
        off=off,
    )


@bp.route("/ligne/<line_type>")
@require_function("water.fse.create")
def line_input(line_type: str) -> str:
    """One more input for a multi-valued field (htmx « + »)."""
    if line_type not in ("contract_accounts", "invoice_numbers"):
        abort(404)
    return render_template("water_fund/_line.html", name=line_type, value="")


@bp.route("/glossaire")
@require_function("water.dashboard")
def glossary() -> str:
    return render_template("water_fund/glossary.html")


@bp.route("/")
@require_function("water.dashboard")
def dashboard() -> str:
    user = acting_user()
    year = year_from(request.args)
    figures = queries.dashboard(user, year)
    return render_template(
        "water_fund/dashboard.html",
        d=figures,
        year=year,
        years=sorted({*queries.years(user), date.today().year}, reverse=True),
        chart=chart(figures.monthly_fse),
    )


MONTHS = [
    _l("janv."),
    _l("févr."),
    _l("mars"),
    _l("avr."),
    _l("mai"),
    _l("juin"),
    _l("juil."),
    _l("août"),
    _l("sept."),
    _l("oct."),
    _l("nov."),
    _l("déc."),
]


def chart(values: list[Decimal]) -> dict[str, Any]:
    """Bar geometry of the monthly chart, computed server-side (SVG, labelled values)."""
    top = max(values) if any(values) else 1
    width, height, left, bottom = 720, 220, 40, 30
    bar = (width - left) / 12
    bars = []
    for index, value in enumerate(values):
        h = float(value) / float(top) * (height - bottom - 20) if top else 0
        bars.append(
            {
                "x": left + index * bar + 6,
                "y": height - bottom - h,
                "w": bar - 12,
                "h": h,
                "month": str(MONTHS[index]),
                "value": value,
                "label_x": left + index * bar + bar / 2,
            }
        )
    return {"width": width, "height": height, "bars": bars, "base": height - bottom}


@bp.route("/informations", methods=["GET", "POST"])
@require_function("water.rights.view")
def information() -> Response | tuple[str, int]:
    """« Informations générales »: the organisation, and per linked distributor the rights."""
    user = acting_user()
    year = year_from(request.values)
    may_edit = lc.side_of(user) == lc.FUND_MANAGER and user.has_function("water.rights.edit")
    form = DrawingRightForm()
    status = 200
    if request.method == "POST":
        if not may_edit:
            abort(403)
        cpas_id, distributor_id = form.cpas_id.data, form.distributor_id.data
        amounts = (form.initial.data, form.complementary.data, form.fat_funds.data)
        if form.validate():
            # InputRequired on each: none of them is None once the form validated
            initial, complementary, fat_funds = (a or Decimal(0) for a in amounts)
            try:
                rights.save_drawing_right(
                    int(cpas_id or 0),
                    int(distributor_id or 0),
                    year,
                    initial,
                    complementary,
                    fat_funds,
                    user,
                    version=form.version.data,
                )
            except rights.Conflict as exc:
                # changed meanwhile: the typed amounts stay, the saved ones beside them
                right = queries.drawing_right(form.cpas_id.data, form.distributor_id.data, year)
                saved = _right_form(right, form.cpas_id.data, form.distributor_id.data)
                keep_for_merge(form, saved, exc)
                status = 409
            except rights.WaterRuleError as exc:  # a pair that is not linked
                flash(str(exc), "error")
                status = 422
            else:
                flash(_("Droits de tirage enregistrés."), "success")
                return redirect(url_for("water_fund.information", annee=year))
        else:
            status = 422
            flash(" ".join(str(e) for errs in form.errors.values() for e in errs), "error")
    saved_rights = queries.rights(user, year)
    links = _links(user)
    by_pair = {(r.cpas_id, r.distributor_id): r for r in saved_rights}
    # one form per linked pair, showing what is saved; the posted pair keeps what was typed
    right_forms: dict[tuple[Any, Any], DrawingRightForm] = {
        (c.id, d.id): _right_form(by_pair.get((c.id, d.id)), c.id, d.id) for c, d in links
    }
    if request.method == "POST" and (form.cpas_id.data, form.distributor_id.data) in right_forms:
        right_forms[(form.cpas_id.data, form.distributor_id.data)] = form
    return render_template(
        "water_fund/information.html",
        year=year,
        rights=saved_rights,
        organisation=user.organisation,
        can_edit=may_edit,
        links=links,
        right_forms=right_forms,
    ), status


def _right_form(right: DrawingRight | None, cpas_id: Any, distributor_id: Any) -> DrawingRightForm:
    """The drawing-rights form of one pair as saved (version 0: nothing saved yet)."""
    return DrawingRightForm(
        formdata=None,
        cpas_id=cpas_id,
        distributor_id=distributor_id,
        version=right.version if right else 0,
        initial=right.initial if right else None,
        complementary=right.complementary if right else None,
        fat_funds=right.fat_funds if right else None,
    )


def _links(user: User) -> list[tuple[Organisation, Organisation]]:
    """CPAS × distributor links the fund manager can set rights for."""
    if lc.side_of(user) != lc.FUND_MANAGER:
        return []
    cpas_list = db.session.scalars(
        select(Organisation).where(Organisation.kind == OrganisationKind.CPAS.value)
    )
    return [(c, d) for c in cpas_list for d in c.distributors]
