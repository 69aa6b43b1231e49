"""Exports of the FAT/FSE tables: Excel (direct, or a background job when large) and PDF."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from ...documents.pdf import send_pdf
from ...extensions import db
from ...htmx import render_page_or_fragment
from ...pagination import paginate
from ...security import acting_user, refuse_foreign, require_function
from ...timeutil import utcnow
from .. import bp, exports, queries
from .. import lifecycle as lc
from ..models import ExportJob, JobStatus
from .common import filters_from


@bp.route("/fat/export.xlsx", methods=["GET", "POST"])
@require_function("water.export")
def fat_export_xlsx() -> Response | str:
    return _export_xlsx(lc.FAT)


@bp.route("/fse/export.xlsx", methods=["GET", "POST"])
@require_function("water.export")
def fse_export_xlsx() -> Response | str:
    return _export_xlsx(lc.FSE)


@bp.route("/fat/export.pdf")
@require_function("water.export")
def fat_export_pdf() -> Response:
    return _export_pdf(lc.FAT)


@bp.route("/fse/export.pdf")
@require_function("water.export")
def fse_export_pdf() -> Response:
    return _export_pdf(lc.FSE)


@bp.route("/exports/<token>")
@require_function("water.export")
def export_job(token: str) -> Response:
    job = _job_or_404(token)
    # The poll is what notices a job whose consumer died (no progress for too long).
    if exports.recover_stale(job):
        job = _job_or_404(token)
    return render_page_or_fragment(
        "water_fund/export_job.html",
        "water_fund/_export_job.html",
        job=job,
        jobs=JobStatus,
        poll_seconds=exports.poll_seconds(job),
        waits_long=exports.waits_long(job),
        failure=exports.FAILURES.get(job.error or "", exports.FAILURES["internal"]),
    )


@bp.route("/exports/<token>/fichier")
@require_function("water.export")
def export_download(token: str) -> Response:
    job = _job_or_404(token)
    if job.status != JobStatus.DONE or not job.file_name:
        abort(404)
    path = exports.export_dir() / job.file_name
    if not path.is_file():  # removed from the exports folder since
        abort(404)
    return send_file(
        path,
        as_attachment=True,
        download_name=f"demandes-{job.kind}.xlsx",
        max_age=0,
    )


def _export_xlsx(kind: str) -> Response | str:
    user = acting_user()
    filters = filters_from(kind, request.values)
    listing = queries.list_query(user, filters)
    total = paginate(listing.statement, 1, 1, scalars=False, params=listing.params).total
    if total > exports.BACKGROUND_ROWS or request.method == "POST":
        if request.method == "GET":
            return render_template(
                "water_fund/export_confirm.html",
                kind=kind,
                label=lc.KIND_LABELS[kind],
                f=filters,
                total=total,
            )
        job = exports.start_job(user, filters, total)
        return redirect(url_for("water_fund.export_job", token=job.token))
    path = exports.export_dir() / f"direct-{utcnow():%Y%m%d%H%M%S%f}.xlsx"
    exports.write_xlsx(path, queries.export_rows(user, filters))
    response = send_file(
        path,
        as_attachment=True,
        download_name=f"demandes-{kind}-{filters.year}.xlsx",
        max_age=0,
    )
    response.call_on_close(lambda: path.unlink(missing_ok=True))
    return response


def _export_pdf(kind: str) -> Response:
    user = acting_user()
    filters = filters_from(kind, request.args)
    limit = max(exports.PDF_MAX_ROWS, 1)
    listing = queries.list_query(user, filters)
    page = paginate(listing.statement, 1, limit, scalars=False, params=listing.params)
    if page.total > exports.PDF_MAX_ROWS:
        flash(
            _(
                "Trop de lignes pour un PDF (%(total)s > %(limit)s) : exportez en Excel ou "
                "affinez le filtre.",
                total=page.total,
                limit=exports.PDF_MAX_ROWS,
            ),
            "error",
        )
        return redirect(url_for(f"water_fund.{kind}_list", **filters.args))
    return send_pdf(
        f"demandes-{kind}-{filters.year}.pdf",
        "water_fund/export_pdf.html",
        kind=kind,
        label=lc.KIND_LABELS[kind],
        rows=page.items,
        f=filters,
        labels=lc.STATUS_LABELS,
        next_actor=lc.NEXT_ACTOR_LABELS,
        now=utcnow(),
    )


def _job_or_404(token: str) -> ExportJob:
    """The signed-in user's own export job, else 404 (another user's: a security event)."""
    job = db.session.scalar(select(ExportJob).where(ExportJob.token == token))
    if job is None:
        abort(404)
    if job.user_id != acting_user().id:
        refuse_foreign(job)  # another user's export
    return job
