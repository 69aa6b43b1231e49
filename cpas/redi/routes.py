"""REDI screens: campaigns, import, inline encoding, « Rapport Unique », exports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from .. import audit
from ..concurrency import (
    BAD_VERSION,
    Conflict,
    check_version,
    conflict_of,
    keep_for_merge,
    parse_version,
)
from ..confirmation import confirmation_step, is_confirmed
from ..documents.pdf import send_pdf
from ..extensions import db
from ..htmx import render_page_or_fragment
from ..inputs import parse_page
from ..niss import normalise_niss
from ..pagination import paginate
from ..security import refuse_foreign, require_function
from ..timeutil import utcnow
from . import bp, exporter, queries, services
from .calc import ACTIVATION_CHOICES, PAYMENT_CHOICES, cents
from .forms import CampaignForm, FilterForm, LineForm, ReasonForm
from .importer import ImportRefused, parse_workbook
from .models import RediImport


def _user():
    return current_user._get_current_object()


@bp.route("/", methods=["GET"])
@require_function("redi.view")
def index():
    form = CampaignForm(
        formdata=None,
        period_start=date(2023, 5, 1),
        period_end=date(2024, 2, 29),
        report_deadline=date(2024, 4, 30),
    )
    return render_template("redi/index.html", campaigns=queries.campaigns(_user()), form=form)


@bp.route("/campagnes", methods=["POST"])
@require_function("redi.import")
def campaign_create():
    form = CampaignForm()
    if not form.validate():
        return render_template(
            "redi/index.html", campaigns=queries.campaigns(_user()), form=form
        ), 422
    data = {k: v for k, v in form.data.items() if k != "csrf_token"}
    campaign = services.create_campaign(_user().organisation_id, data, _user())
    flash("Campagne créée : importez maintenant le tableur REDI.", "success")
    return redirect(url_for("redi.campaign", campaign_id=campaign.id))


@bp.route("/campagnes/<int:campaign_id>", methods=["GET", "POST"])
@require_function("redi.view")
def campaign(campaign_id: int):
    """The encoding table; filters are POSTed so that a NISS never lands in a URL."""
    campaign = queries.get_campaign_or_404(_user(), campaign_id)
    filters_form = FilterForm(request.form if request.method == "POST" else None)
    filters = queries.LineFilters()
    status = 200
    if request.method == "POST":
        niss = filters_form.niss.data or ""
        if niss and normalise_niss(niss) is None:
            filters_form.niss.errors = ["NISS invalide."]
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
        **_choices(),
    ), status


def _is_niss(value: object) -> bool:
    return isinstance(value, str) and len(value) == 11 and value.isascii() and value.isdigit()


def _choices() -> dict:
    return {"activations": ACTIVATION_CHOICES, "payments": PAYMENT_CHOICES, "cents": cents}


@bp.route("/lignes/<int:line_id>", methods=["POST"])
@require_function("redi.encode")
def line_save(line_id: int):
    """Inline save of a row: the row redraws itself with its computed cells and control."""
    line, campaign = queries.get_line_or_404(_user(), line_id)
    form = LineForm()
    status = 200
    months_before = line.months
    conflicted = False
    if form.validate():
        try:
            services.save_line(line, campaign, form.values(), _user(), version=form.version.data)
        except Conflict as exc:
            # the cells keep what was typed; each differing one shows the saved value
            db.session.rollback()
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
        **_choices(),
    ), status


@bp.route("/lignes/<int:line_id>/dupliquer", methods=["POST"])
@require_function("redi.encode")
def line_duplicate(line_id: int):
    line, campaign = queries.get_line_or_404(_user(), line_id)
    try:
        services.duplicate_line(line, campaign, _user())
        flash("Ligne dupliquée : encodez l'autre aide de cette simulation.", "success")
    except services.RediRuleError as exc:
        flash(str(exc), "error")
    return redirect(url_for("redi.campaign", campaign_id=campaign.id))


@bp.route("/lignes/<int:line_id>/supprimer", methods=["POST"])
@require_function("redi.encode")
def line_remove(line_id: int):
    line, campaign = queries.get_line_or_404(_user(), line_id)
    try:
        services.remove_line(line, campaign, _user())
        flash("Ligne dupliquée supprimée.", "success")
    except services.RediRuleError as exc:
        flash(str(exc), "error")
    return redirect(url_for("redi.campaign", campaign_id=campaign.id))


@bp.route("/campagnes/<int:campaign_id>/import", methods=["GET", "POST"])
@require_function("redi.import")
def import_upload(campaign_id: int):
    campaign = queries.get_campaign_or_404(_user(), campaign_id)
    if request.method == "GET":
        return render_template("redi/import.html", campaign=campaign, parsed=None, error=None)
    upload = request.files.get("file")
    try:
        if campaign.locked:
            raise ImportRefused("Le rapport est validé : réouvrez-le avant d'importer.")
        if upload is None or not upload.filename:
            raise ImportRefused("Choisissez le fichier Excel téléchargé depuis REDI.")
        data = upload.read(6 * 1024 * 1024)
        parsed = parse_workbook(data, _user().organisation.ins_code)
    except ImportRefused as exc:
        return render_template(
            "redi/import.html", campaign=campaign, parsed=None, error=str(exc)
        ), 422
    # The preview table shows the first 50 rows' NISS (only well-formed ones are persons).
    audit.record_views(
        "redi.import_preview",
        [r.get("niss") for r in parsed.rows[:50] if _is_niss(r.get("niss"))] or [None],
        obj=campaign,
    )
    token = None
    if not parsed.errors:
        token = services.stage_import(campaign, parsed, upload.filename, _user())
    return render_template(
        "redi/import.html", campaign=campaign, parsed=parsed, token=token, error=None, **_choices()
    ), (422 if parsed.errors else 200)


@bp.route("/imports/<token>/confirmer", methods=["POST"])
@require_function("redi.import")
def import_confirm(token: str):
    pending = db.session.scalar(select(RediImport).where(RediImport.token == token))
    if pending is None:
        abort(404)
    if pending.user_id != _user().id:
        refuse_foreign(pending)  # another user's staged import
    campaign = queries.get_campaign_or_404(_user(), pending.campaign_id)
    try:
        counts = services.confirm_import(pending, campaign, _user())
    except services.RediRuleError as exc:
        flash(str(exc), "error")
        return redirect(url_for("redi.campaign", campaign_id=campaign.id))
    flash(
        f"Import terminé : {counts['added']} ligne(s) ajoutée(s), {counts['updated']} mise(s) à "
        f"jour, {counts['vanished']} simulation(s) absente(s) du nouvel extrait (signalées).",
        "success",
    )
    return redirect(url_for("redi.campaign", campaign_id=campaign.id))


@bp.route("/campagnes/<int:campaign_id>/rapport")
@require_function("redi.view")
def report(campaign_id: int):
    campaign = queries.get_campaign_or_404(_user(), campaign_id)
    return render_template(
        "redi/report.html",
        campaign=campaign,
        s=queries.summary(campaign),
        reason_form=ReasonForm(formdata=None),
        can_reopen=_user().has_function("access.users"),
        confirm=CONFIRM,
    )


#: Irreversible steps of the report: the question (naming the consequence) asked once by
#: the button's dialog, and again by the confirmation step when posted without it.
CONFIRM = {
    "validate": (
        _l("Valider le rapport"),
        _l(
            "Valider le rapport ? L'encodage sera verrouillé : plus aucune ligne ne pourra être "
            "modifiée, sauf si un administrateur rouvre le rapport."
        ),
    ),
    "sign_president": (
        _l("Signer (Président)"),
        _l(
            "Signer le rapport en tant que Président ? La signature est enregistrée à votre nom, "
            "avec la date et l'heure, et ne peut pas être retirée."
        ),
    ),
    "sign_director": (
        _l("Signer (Directeur général)"),
        _l(
            "Signer le rapport en tant que Directeur général ? La signature est enregistrée à "
            "votre nom, avec la date et l'heure, et ne peut pas être retirée."
        ),
    ),
}


def _workflow(campaign_id: int, action, confirm: str | None = None) -> object:
    campaign = queries.get_campaign_or_404(_user(), campaign_id)
    version = parse_version(request.form.get("version"))
    if version is None:  # every workflow button posts the report's version
        abort(400, description=str(BAD_VERSION))
    if confirm and not is_confirmed(request.form):
        # posted without the dialog's confirmation (no JavaScript): ask, change nothing
        label, question = CONFIRM[confirm]
        return confirmation_step(
            str(question),
            str(label),
            request.path,
            url_for("redi.report", campaign_id=campaign.id),
            keep={"version": str(version)},
        )
    try:
        # the report as the user saw it: a step taken meanwhile by someone else refuses this one
        check_version(campaign, version, _user())
        action(campaign)
    except Conflict as exc:
        db.session.rollback()
        flash(f"{exc.short} {_('Vérifiez le rapport affiché avant de recommencer.')}", "error")
    except StaleDataError:
        db.session.rollback()
        exc = conflict_of(campaign)
        flash(f"{exc.short} {_('Vérifiez le rapport affiché avant de recommencer.')}", "error")
    except services.RediRuleError as exc:
        flash(str(exc), "error")
    return redirect(url_for("redi.report", campaign_id=campaign.id))


@bp.route("/campagnes/<int:campaign_id>/valider", methods=["POST"])
@require_function("redi.validate")
def validate(campaign_id: int):
    return _workflow(campaign_id, lambda c: services.validate_report(c, _user()), "validate")


@bp.route("/campagnes/<int:campaign_id>/signer-president", methods=["POST"])
@require_function("redi.sign_president")
def sign_president(campaign_id: int):
    return _workflow(
        campaign_id, lambda c: services.sign_report(c, "president", _user()), "sign_president"
    )


@bp.route("/campagnes/<int:campaign_id>/signer-directeur", methods=["POST"])
@require_function("redi.sign_director")
def sign_director(campaign_id: int):
    return _workflow(
        campaign_id, lambda c: services.sign_report(c, "director", _user()), "sign_director"
    )


@bp.route("/campagnes/<int:campaign_id>/cloturer", methods=["POST"])
@require_function("redi.validate")
def close(campaign_id: int):
    return _workflow(campaign_id, lambda c: services.close_report(c, _user()))


@bp.route("/campagnes/<int:campaign_id>/rouvrir", methods=["POST"])
@require_function("access.users", "redi.view")
def reopen(campaign_id: int):
    reason = request.form.get("reason", "")
    return _workflow(campaign_id, lambda c: services.reopen_report(c, reason, _user()))


@bp.route("/campagnes/<int:campaign_id>/export.xlsx")
@require_function("redi.export")
def export_xlsx(campaign_id: int):
    from flask import Response

    campaign = queries.get_campaign_or_404(_user(), campaign_id)
    rows = queries.all_lines_with_results(campaign)
    audit.record_views("redi.export", [line.niss for line, _ in rows] or [None], obj=campaign)
    data = exporter.build(campaign, rows)
    response = Response(
        data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="redi-{campaign.id}.xlsx"'
    return response


@bp.route("/campagnes/<int:campaign_id>/rapport.pdf")
@require_function("redi.export")
def report_pdf(campaign_id: int):
    campaign = queries.get_campaign_or_404(_user(), campaign_id)
    return send_pdf(
        f"rapport-redi-{campaign.id}.pdf",
        "redi/report_pdf.html",
        campaign=campaign,
        s=queries.summary(campaign),
        now=utcnow(),
        organisation=_user().organisation,
        zero=Decimal("0"),
    )
