"""Import of the REDI spreadsheet: upload and preview, then « Confirmer l'import »."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ... import audit
from ...niss import NISS_DIGITS
from ...security import acting_user, require_function
from ...uploads import XLSX, UploadRefused, UploadRule, check_upload
from .. import bp, queries, services
from ..importer import MAX_BYTES, ImportRefused, parse_workbook
from .common import choices

#: The one upload check (size, a file at all, xlsx content), before the archive checks.
UPLOAD = UploadRule(
    max_bytes=MAX_BYTES,
    mimes=frozenset({XLSX}),
    missing=_l("Choisissez le fichier Excel téléchargé depuis REDI."),
    too_big=_l("Le fichier dépasse 5 Mo."),
    wrong_kind=_l("Ce n'est pas un classeur Excel (.xlsx)."),
)


def _is_niss(value: object) -> bool:
    return isinstance(value, str) and NISS_DIGITS.fullmatch(value) is not None


@bp.route("/campagnes/<int:campaign_id>/import", methods=["GET", "POST"])
@require_function("redi.import")
def import_upload(campaign_id: int) -> ResponseReturnValue:
    by = acting_user()
    campaign = queries.get_campaign_or_404(by, campaign_id)
    if request.method == "GET":
        return render_template("redi/import.html", campaign=campaign, parsed=None, error=None)
    try:
        if campaign.locked:
            raise ImportRefused(_("Le rapport est validé : réouvrez-le avant d'importer."))
        upload = check_upload(request.files.get("file"), UPLOAD)
        parsed = parse_workbook(upload.data, by.organisation.ins_code)
    except (ImportRefused, UploadRefused) as exc:
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
        token = services.stage_import(campaign, parsed, upload.original_name, by)
    return render_template(
        "redi/import.html", campaign=campaign, parsed=parsed, token=token, error=None, **choices()
    ), (422 if parsed.errors else 200)


@bp.route("/imports/<token>/confirmer", methods=["POST"])
@require_function("redi.import")
def import_confirm(token: str) -> ResponseReturnValue:
    by = acting_user()
    pending = queries.get_pending_import_or_404(by, token)
    campaign = queries.get_campaign_or_404(by, pending.campaign_id)
    try:
        counts = services.confirm_import(pending, campaign, by)
    except services.RediRuleError as exc:
        flash(str(exc), "error")
        return redirect(url_for("redi.campaign", campaign_id=campaign.id))
    flash(
        _(
            "Import terminé : %(added)s ligne(s) ajoutée(s), %(updated)s mise(s) à jour, "
            "%(vanished)s simulation(s) absente(s) du nouvel extrait (signalées).",
            **counts,
        ),
        "success",
    )
    return redirect(url_for("redi.campaign", campaign_id=campaign.id))
