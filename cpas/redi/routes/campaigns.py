"""REDI campaigns: the list, creating one, the encoding table."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ... import audit
from ...htmx import render_page_or_fragment
from ...inputs import parse_page
from ...niss import normalise_niss
from ...pagination import paginate
from ...security import acting_user, require_function
from .. import bp, queries, services
from ..forms import CampaignForm, FilterForm
from .common import choices


@bp.route("/", methods=["GET"])
@require_function("redi.view")
def index() -> ResponseReturnValue:
    form = CampaignForm(
        formdata=None,
        period_start=date(2023, 5, 1),
        period_end=date(2024, 2, 29),
        report_deadline=date(2024, 4, 30),
    )
    campaigns = queries.campaigns(acting_user())
    return render_template("redi/index.html", campaigns=campaigns, form=form)


@bp.route("/campagnes", methods=["POST"])
@require_function("redi.import")
def campaign_create() -> ResponseReturnValue:
    by = acting_user()
    form = CampaignForm()
    if not form.validate():
        return render_template("redi/index.html", campaigns=queries.campaigns(by), form=form), 422
    data = {k: v for k, v in form.data.items() if k != "csrf_token"}
    campaign = services.create_campaign(by.organisation_id, data, by)
    flash(_("Campagne créée : importez maintenant le tableur REDI."), "success")
    return redirect(url_for("redi.campaign", campaign_id=campaign.id))


@bp.route("/campagnes/<int:campaign_id>", methods=["GET", "POST"])
@require_function("redi.view")
def campaign(campaign_id: int) -> ResponseReturnValue:
    """The encoding table; filters are POSTed so that a NISS never lands in a URL."""
    campaign = queries.get_campaign_or_404(acting_user(), campaign_id)
    filters_form = FilterForm(request.form if request.method == "POST" else None)
    filters = queries.LineFilters()
    status = 200
    if request.method == "POST":
        niss = filters_form.niss.data or ""
        if niss and normalise_niss(niss) is None:
            filters_form.niss.errors = [_("NISS invalide.")]
            status = 422
        for field in (filters_form.control, filters_form.activation):
            if (field.data or "") not in {value for value, _label in field.choices}:
                # a value no option has (a forged post): refused next to the filter
                field.errors = [_("Choisissez une valeur de la liste.")]
                field.data = ""
                status = 422
        filters = queries.LineFilters(
            niss=normalise_niss(niss) or "" if niss else "",
            control=filters_form.control.data or "",
            activation=filters_form.activation.data or "",
        )
    page = paginate(
        queries.lines_query(campaign, filters), parse_page(request.form.get("page")), 50
    )
    results = queries.simulation_results(campaign, page.items)
    # One consultation per NISS in the table; a filter that found nothing logs the NISS typed.
    audit.record_views(
        "redi.campaign_view",
        [line.niss for line in page.items] or [filters.niss or None],
        obj=campaign,
    )
    return render_page_or_fragment(
        "redi/campaign.html",
        "redi/_lines.html",
        campaign=campaign,
        page=page,
        results=results,
        filters=filters_form,
        **choices(),
    ), status
