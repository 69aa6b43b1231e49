"""BCSS integrations of the household members: integrate, de-integrate, consult."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import render_template
from flask_babel import gettext as _

from ... import audit
from ...database import reads_only
from ...registry.adapters import get_bcss
from ...registry.quality_codes import QUALITY_CODES
from ...security import acting_user, require_function
from .. import bp, queries, services
from ..forms import ConsultForm, DeintegrationForm, IntegrationForm
from ..models import Dossier
from .common import layout


def _integration_forms(dossier: Dossier, members: list) -> dict:
    choices = [(m.id, f"{m.last_name} {m.first_name}") for m in members]
    today = date.today()
    integrate_form = IntegrationForm(prefix="int", data={"start": today})
    deintegrate_form = DeintegrationForm(prefix="des")
    consult_form = ConsultForm(prefix="con", data={"start": today})
    integrate_form.members.choices = choices
    deintegrate_form.members.choices = choices
    consult_form.member.choices = choices
    return {"integrate": integrate_form, "deintegrate": deintegrate_form, "consult": consult_form}


def _integrations_page(dossier: Dossier, status: int = 200, **extra: Any):
    members = queries.current_members(dossier)
    forms = extra.pop("forms", None) or _integration_forms(dossier, members)
    return render_template(
        "dossiers/integrations.html",
        **layout(dossier, members=members, codes=QUALITY_CODES, **forms, **extra),
    ), status


@bp.route("/<int:dossier_id>/integrations")
@require_function("integrations.view")
def integrations(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    queries.remember(dossier)
    return _integrations_page(dossier)


def _selected(members: list, ids: list[int]) -> list:
    return [m for m in members if m.id in set(ids)]


@bp.route("/<int:dossier_id>/integrations/integrer", methods=["POST"])
@require_function("integrations.edit")
def integrate(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    members = queries.current_members(dossier)
    forms = _integration_forms(dossier, members)
    form = forms["integrate"]
    if not form.validate():
        return _integrations_page(dossier, 422, forms=forms)
    results = services.integrate(
        dossier,
        _selected(members, form.members.data),
        form.code.data,
        form.start.data,
        form.end.data,
        acting_user(),
    )
    return _integrations_page(dossier, forms=forms, results=results, results_title=_("Intégration"))


@bp.route("/<int:dossier_id>/integrations/desintegrer", methods=["POST"])
@require_function("integrations.edit")
def deintegrate(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    members = queries.current_members(dossier)
    forms = _integration_forms(dossier, members)
    form = forms["deintegrate"]
    if not form.validate():
        return _integrations_page(dossier, 422, forms=forms)
    results = services.deintegrate(
        dossier,
        _selected(members, form.members.data),
        form.start.data,
        form.end.data,
        acting_user(),
    )
    return _integrations_page(
        dossier, forms=forms, results=results, results_title=_("Désintégration")
    )


@reads_only
@bp.route("/<int:dossier_id>/integrations/consulter", methods=["POST"])
@require_function("integrations.view")
def consult(dossier_id: int):
    dossier = queries.get_dossier_or_404(dossier_id)
    members = queries.current_members(dossier)
    forms = _integration_forms(dossier, members)
    form = forms["consult"]
    if not form.validate():
        return _integrations_page(dossier, 422, forms=forms)
    member = next(m for m in members if m.id == form.member.data)
    periods = get_bcss().consult(
        dossier.organisation_id, member.niss, form.start.data, form.end.data
    )
    audit.record_view("integrations.consult", obj=dossier, niss=member.niss)
    return _integrations_page(dossier, forms=forms, consulted=member, periods=periods)
