"""The « Rapport Unique »: summary, workflow steps (one view per step), PDF and sheet."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, redirect, request, url_for
from flask.typing import ResponseReturnValue

from ... import audit
from ...concurrency import BAD_VERSION, parse_version
from ...documents.pdf import send_pdf
from ...htmx import hx_redirect, is_htmx, render_page_or_fragment
from ...security import acting_user, require_function
from ...timeutil import utcnow
from ...workflow import Outcome
from .. import bp, exporter, queries
from ..models import RediCampaign
from ..workflow import REPORT


def _page(campaign: RediCampaign, outcome: Outcome | None = None) -> ResponseReturnValue:
    """The report page (or, to htmx, its workflow panel) with the steps the user may take."""
    user = acting_user()
    response = render_page_or_fragment(
        "redi/report.html",
        "redi/_workflow_panel.html",
        campaign=campaign,
        s=queries.summary(campaign),
        workflow=REPORT,
        steps=REPORT.available(campaign, user),
        outcome=outcome,
        events=queries.report_events(campaign),
        action_url=lambda action: url_for(f"redi.{action}", campaign_id=campaign.id),
    )
    return response, outcome.status if outcome else 200


@bp.route("/campagnes/<int:campaign_id>/rapport")
@require_function("redi.view")
def report(campaign_id: int) -> ResponseReturnValue:
    return _page(queries.get_campaign_or_404(acting_user(), campaign_id))


def _step(campaign_id: int, action: str) -> ResponseReturnValue:
    """Take one step of the report as posted; the page again when it did not go through."""
    by = acting_user()
    campaign = queries.get_campaign_or_404(by, campaign_id)
    if parse_version(request.form.get("version")) is None:
        abort(400, description=str(BAD_VERSION))  # every step posts the report's version
    outcome = REPORT.submit(campaign, action, by, request.form)
    if outcome.done:
        url = url_for("redi.report", campaign_id=campaign.id)
        return hx_redirect(url) if is_htmx() else redirect(url)
    return _page(campaign, outcome)


@bp.route("/campagnes/<int:campaign_id>/valider", methods=["POST"])
@require_function("redi.validate")
def validate(campaign_id: int) -> ResponseReturnValue:
    return _step(campaign_id, "validate")


@bp.route("/campagnes/<int:campaign_id>/signer-president", methods=["POST"])
@require_function("redi.sign_president")
def sign_president(campaign_id: int) -> ResponseReturnValue:
    return _step(campaign_id, "sign_president")


@bp.route("/campagnes/<int:campaign_id>/signer-directeur", methods=["POST"])
@require_function("redi.sign_director")
def sign_director(campaign_id: int) -> ResponseReturnValue:
    return _step(campaign_id, "sign_director")


@bp.route("/campagnes/<int:campaign_id>/cloturer", methods=["POST"])
@require_function("redi.validate")
def close(campaign_id: int) -> ResponseReturnValue:
    return _step(campaign_id, "close")


@bp.route("/campagnes/<int:campaign_id>/rouvrir", methods=["POST"])
@require_function("access.users", "redi.view")
def reopen(campaign_id: int) -> ResponseReturnValue:
    return _step(campaign_id, "reopen")


@bp.route("/campagnes/<int:campaign_id>/export.xlsx")
@require_function("redi.export")
def export_xlsx(campaign_id: int) -> ResponseReturnValue:
    campaign = queries.get_campaign_or_404(acting_user(), campaign_id)
    lines = queries.all_lines_with_results(campaign)
    audit.record_views("redi.export", [line.niss for line, _ in lines] or [None], obj=campaign)
    return exporter.send(campaign, lines)


@bp.route("/campagnes/<int:campaign_id>/rapport.pdf")
@require_function("redi.export")
def report_pdf(campaign_id: int) -> ResponseReturnValue:
    user = acting_user()
    campaign = queries.get_campaign_or_404(user, campaign_id)
    return send_pdf(
        f"rapport-redi-{campaign.id}.pdf",
        "redi/report_pdf.html",
        campaign=campaign,
        s=queries.summary(campaign),
        now=utcnow(),
        organisation=user.organisation,
        zero=Decimal("0"),
    )
