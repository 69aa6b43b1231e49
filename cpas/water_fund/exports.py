"""Exports of the FAT/FSE tables: Excel (streamed, or in the background when large) and PDF."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from flask import current_app, has_request_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import update

from ..access.models import User
from ..documents.xlsx import DATE_FORMAT, EURO_FORMAT, safe_value
from ..extensions import db
from ..jobs import app_context, huey
from ..timeutil import utcnow
from .models import ExportJob
from .queries import ListFilters, export_rows

HEADERS = [
    "ID",
    "Nom",
    "Prénom",
    "Numéro client",
    "CPAS",
    "Distributeur",
    "Montant approuvé / accepté",
    "Montant demandé",
    "Date création",
    "Statut",
    "Action suivante",
    "Fichiers",
    "Référence interne",
]
#: Columns with a number format: the amounts (euros) and the creation date.
FORMATTED_COLUMNS = ((6, EURO_FORMAT), (7, EURO_FORMAT), (8, DATE_FORMAT))
#: Above this many rows, Excel exports run in the background.
BACKGROUND_ROWS = 5000
#: Above this many rows, the PDF is refused (Excel or a narrower filter instead).
PDF_MAX_ROWS = 2000


def export_dir() -> Path:
    folder = Path(current_app.instance_path) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_xlsx(path: Path, rows, progress=None) -> int:  # type: ignore[no-untyped-def]
    """Write the rows to a write-only workbook, calling ``progress(n)`` every 1000 rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Demandes")
    bold = Font(bold=True)
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    count = 0
    for row in rows:
        # Plain values where no number format is needed: a styled cell object per value
        # costs time and memory on large exports.
        cells = [safe_value(v) if isinstance(v, str) else v for v in row]
        for index, number_format in FORMATTED_COLUMNS:
            if cells[index] is not None:
                cell = WriteOnlyCell(ws, value=cells[index])
                cell.number_format = number_format
                cells[index] = cell
        ws.append(cells)
        count += 1
        if progress and count % 1000 == 0:
            progress(count)
    wb.save(str(path))
    return count


def start_job(user: User, filters: ListFilters, total: int) -> ExportJob:
    """Queue a background Excel export of the filtered view. Commits."""
    job = ExportJob(
        token=secrets.token_urlsafe(16),
        user_id=user.id,
        organisation_id=user.organisation_id,
        kind=filters.kind,
        params=json.dumps(filters.args),
        total_rows=total,
    )
    db.session.add(job)
    db.session.flush()
    job_id = job.id
    db.session.commit()
    # Touch nothing of the session before queuing: on SQLite a refresh here would open a
    # write transaction (this is a POST) that an inline (immediate) task would wait on.
    run_export_job(job_id)
    return job


@huey.task()
def run_export_job(job_id: int) -> None:
    """Build the workbook of a queued export, recording progress as it goes."""
    with app_context():
        from .routes import filters_from

        job = db.session.get(ExportJob, job_id)
        user = db.session.get(User, job.user_id)
        job.status = "running"
        db.session.commit()
        try:
            filters = filters_from(job.kind, json.loads(job.params))
            name = f"{job.token}.xlsx"

            def progress(done: int) -> None:
                if has_request_context():  # immediate mode (tests): no concurrent reader
                    return
                # own connection: the session's cursor is still streaming the rows
                with db.engine.begin() as conn:
                    conn.execute(
                        update(ExportJob).where(ExportJob.id == job_id).values(done_rows=done)
                    )

            job.done_rows = write_xlsx(export_dir() / name, export_rows(user, filters), progress)
            job.file_name = name
            job.status = "done"
        except Exception:
            db.session.rollback()
            job.status = "failed"
            current_app.logger.exception("export job %s failed", job_id)
        job.finished_at = utcnow()
        db.session.commit()
