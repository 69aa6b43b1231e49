"""« Impression » of a request for the Council: choose the parts, preview, PDF (seed 001
§17.4). The URL carries part codes only; the PDF is rendered in a bounded child process."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ... import audit
from ...database import reads_only, write_transaction
from ...documents.pdf import PdfFailed, PdfTooSlow, render_pdf_bounded
from ...dossiers.models import Dossier
from ...dossiers.queries import get_dossier_or_404
from ...htmx import render_page_or_fragment
from ...security import acting_user, require_function
from .. import bp, printing, services
from ..functions import PRINT
from ..models import AidRequest
from ..queries import get_request_or_404
from .request_page import request_context

#: Defaults of the bounded PDF (config AID_PDF_TIME_LIMIT, AID_PDF_MEMORY_LIMIT_MB).
TIME_LIMIT = 20.0
MEMORY_LIMIT_MB = 768


def _load(dossier_id: int, request_id: int) -> tuple[Dossier, AidRequest]:
    dossier = get_dossier_or_404(dossier_id)
    return dossier, get_request_or_404(dossier, request_id)


def _selection_page(
    dossier: Dossier,
    aid_request: AidRequest,
    ticked: set[str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The list of parts, all ticked unless ``ticked`` says otherwise, with ``error`` next
    to it (no part, an unknown part, a PDF that took too long)."""
    all_parts = printing.parts()
    audit.record_view("aid.view", obj=aid_request, niss=dossier.niss)
    page = render_template(
        "aid/print.html",
        **request_context(
            dossier,
            aid_request,
            parts=all_parts,
            ticked=ticked if ticked is not None else {p.code for p in all_parts},
            error=error,
        ),
    )
    return page, status


def _chosen(codes: list[str]) -> list[printing.PrintPart]:
    """The parts asked for; raises ``UnknownPart``; an empty list when none is ticked."""
    return printing.select_parts(code for code in codes if code)


def _document(dossier: Dossier, aid_request: AidRequest, chosen: list, *, preview: bool) -> Any:
    """Read the parts and log the printing: the beneficiary's NISS with the printing, the
    other people shown as consultations of the household (as its page logs them)."""
    doc = printing.document(aid_request, chosen)
    # Both views read in a deferred transaction (the PDF view is ``reads_only``: no write
    # lock held while WeasyPrint runs, up to its time limit); turning it into a write one
    # fails on SQLite once another connection wrote, so the entry gets its own.
    with write_transaction():
        services.record_print(aid_request, doc.codes, acting_user(), preview=preview)
    for niss in doc.people:
        audit.record_view("household.view", obj=dossier, niss=niss)
    return doc


@bp.route("/<int:dossier_id>/demandes/<int:request_id>/impression", endpoint="print")
@require_function(PRINT)
def print_page(dossier_id: int, request_id: int):
    dossier, aid_request = _load(dossier_id, request_id)
    codes = request.args.getlist("partie")
    if not codes:
        return _selection_page(dossier, aid_request)
    known = {p.code for p in printing.parts()}
    return _selection_page(dossier, aid_request, ticked={c for c in codes if c in known})


def _refused(dossier: Dossier, aid_request: AidRequest, codes: list[str]) -> Any:
    """The selection page again when the parts asked for cannot be printed (422), or None."""
    try:
        chosen = _chosen(codes)
    except printing.UnknownPart:
        known = {p.code for p in printing.parts()}
        message = _("Cette partie n'existe pas : choisissez dans la liste.")
        return _selection_page(dossier, aid_request, {c for c in codes if c in known}, message, 422)
    if not chosen:
        message = _("Cochez au moins une partie à imprimer.")
        return _selection_page(dossier, aid_request, set(), message, 422)
    return None


@bp.route("/<int:dossier_id>/demandes/<int:request_id>/impression/apercu")
@require_function(PRINT)
def print_preview(dossier_id: int, request_id: int):
    dossier, aid_request = _load(dossier_id, request_id)
    codes = request.args.getlist("partie")
    refused = _refused(dossier, aid_request, codes)
    if refused is not None:
        return refused
    doc = _document(dossier, aid_request, _chosen(codes), preview=True)
    response = render_page_or_fragment(
        "aid/print_preview.html",
        "aid/_print_parts.html",
        **request_context(dossier, aid_request, doc=doc),
    )
    return response


@reads_only
@bp.route("/<int:dossier_id>/demandes/<int:request_id>/impression/pdf", methods=["POST"])
@require_function(PRINT)
def print_pdf(dossier_id: int, request_id: int):
    dossier, aid_request = _load(dossier_id, request_id)
    codes = request.form.getlist("partie")
    refused = _refused(dossier, aid_request, codes)
    if refused is not None:
        return refused
    if request.form.get("action") == "apercu":
        # « Prévisualiser l'impression » of the selection form: the preview is a GET that
        # carries part codes only (not the form's CSRF token).
        return redirect(
            url_for(
                "aid.print_preview",
                dossier_id=dossier.id,
                request_id=aid_request.id,
                partie=[p.code for p in _chosen(codes)],
            ),
            303,
        )
    doc = _document(dossier, aid_request, _chosen(codes), preview=False)
    config = current_app.config
    try:
        pdf = render_pdf_bounded(
            "aid/print_pdf.html",
            float(config.get("AID_PDF_TIME_LIMIT", TIME_LIMIT)),
            int(config.get("AID_PDF_MEMORY_LIMIT_MB", MEMORY_LIMIT_MB)),
            dossier=dossier,
            aid_request=aid_request,
            doc=doc,
        )
    except (PdfTooSlow, PdfFailed):
        current_app.logger.warning("aid PDF of request %s not rendered", aid_request.id)
        message = _("L'impression a pris trop de temps ; réessayez ou imprimez moins de parties.")
        return _selection_page(dossier, aid_request, set(doc.codes), message, 503)
    response = Response(pdf, mimetype="application/pdf")
    filename = f"dossier-{dossier.dossier_number}-demande-{aid_request.number}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
