"""Exports of the FAT/FSE tables: Excel (streamed, or in the background when large) and PDF."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app, has_request_context
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..access.models import User
from ..documents.xlsx import DATE_FORMAT, EURO_FORMAT, Column, write_workbook
from ..extensions import db
from ..taskqueue import app_context, huey
from ..timeutil import utcnow
from .models import ExportJob, JobStatus
from .queries import ListFilters, export_rows

#: The columns of the Excel export, in the order of ``queries.export_rows``; only the
#: amounts and the creation date carry a number format (the other cells stay plain values).
COLUMNS = (
    Column(_l("ID")),
    Column(_l("Nom")),
    Column(_l("Prénom")),
    Column(_l("Numéro client")),
    Column(_l("CPAS")),
    Column(_l("Distributeur")),
    Column(_l("Montant approuvé / accepté"), EURO_FORMAT),
    Column(_l("Montant demandé"), EURO_FORMAT),
    Column(_l("Date création"), DATE_FORMAT),
    Column(_l("Statut")),
    Column(_l("Action suivante")),
    Column(_l("Fichiers")),
    Column(_l("Référence interne")),
)
SHEET_TITLE = _l("Demandes")


#: Above this many rows, Excel exports run in the background.
BACKGROUND_ROWS = 5000
#: Above this many rows, the PDF is refused (Excel or a narrower filter instead).
PDF_MAX_ROWS = 2000


def export_dir() -> Path:
    folder = Path(current_app.instance_path) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_xlsx(
    path: Path, rows: Iterable[Sequence[Any]], progress: Callable[[int], None] | None = None
) -> int:
    """Write the rows with the one Excel writer, calling ``progress(n)`` every 1000 rows."""
    return write_workbook(path, COLUMNS, rows, SHEET_TITLE, progress=progress)


def start_job(user: User, filters: ListFilters, total: int) -> ExportJob:
    """Queue a background Excel export of the filtered view. Commits."""
    # The file speaks the language of the page it was asked from (headers, status labels);
    # read now: after the commit below, the session must not be touched (see there).
    locale = str(get_locale() or "fr")
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
    run_export_job(job_id, locale)
    return job


# --------------------------------------------------------------------------- the job

#: Why a job failed (``ExportJob.error``) and what the page says after « Échec : ».
FAILURES = {
    "storage": _l("le fichier n'a pas pu être écrit dans le dossier des exports"),
    "interrupted": _l("le traitement s'est interrompu deux fois (service arrêté pendant l'export)"),
    "database": _l("la base de données n'a pas pu enregistrer le résultat"),
    "internal": _l("erreur inattendue pendant la préparation du fichier"),
}
#: A stale job is queued again this many times before it is marked failed.
STALE_RETRIES = 1


class Superseded(Exception):
    """The job was queued again as stale: this run no longer owns it and stops."""


def _record(job_id: int, *where: Any, **values: Any) -> bool:
    """Write the job's state in its own short committed transaction; False if no row matched.

    Never through the task's session: on SQLite its read transaction streams the rows, and
    a write there would have to upgrade a stale snapshot (« database is locked »). Here the
    transaction starts as a write (BEGIN IMMEDIATE) and waits for the lock instead."""
    statement = update(ExportJob).where(ExportJob.id == job_id, *where).values(**values)
    with db.engine.connect() as conn:
        conn.info["force_write"] = True
        try:
            with conn.begin():
                return conn.execute(statement).rowcount == 1
        finally:
            conn.info.pop("force_write", None)


def _failure_of(exc: BaseException) -> str:
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(exc, OSError):
        return "storage"
    if isinstance(exc, SQLAlchemyError):
        return "database"
    return "internal"


@huey.task()
def run_export_job(job_id: int, locale: str | None = None) -> None:
    """Build the workbook of a queued export, recording progress as it goes.

    ``locale``: the language of the page that asked for it; None (a stale job queued again)
    means the job's user's chosen language, French when none."""
    with app_context():
        _run(job_id, locale)


def _run(job_id: int, locale: str | None = None) -> None:
    from .routes.common import filters_from

    job = db.session.get(ExportJob, job_id)
    if job is None:
        return
    attempt, kind, params, user_id = job.attempts, job.kind, job.params, job.user_id
    name = f"{job.token}-{attempt}.xlsx"  # a superseded run never touches the retry's file
    db.session.rollback()  # end the read: state is written by _record only
    # Claim the job: only a queued job of this attempt (not one already run, or re-queued).
    mine = (ExportJob.attempts == attempt, ExportJob.status == JobStatus.RUNNING)
    if not _record(
        job_id,
        ExportJob.status == JobStatus.QUEUED,
        ExportJob.attempts == attempt,
        status=JobStatus.RUNNING,
        done_rows=0,
        heartbeat_at=utcnow(),
    ):
        return
    path = None
    try:
        user = db.session.get(User, user_id)
        if user is None:  # users are never deleted; a job without one is a broken row
            raise LookupError(f"export job {job_id}: user {user_id} not found")
        filters = filters_from(kind, json.loads(params))
        path = export_dir() / name

        def progress(done: int) -> None:
            # Inline in a writing request (immediate mode, tests) the request's session
            # holds the write lock: no one polls meanwhile, so skip.
            if has_request_context():
                return
            if not _record(job_id, *mine, done_rows=done, heartbeat_at=utcnow()):
                raise Superseded

        # headers and status labels in the user's language, not the worker's default
        with force_locale(locale or user.locale or "fr"):
            count = write_xlsx(path, export_rows(user, filters), progress)
        db.session.rollback()  # the rows are read: close the read transaction first
        now = utcnow()
        if not _record(
            job_id,
            *mine,
            status=JobStatus.DONE,
            done_rows=count,
            file_name=name,
            finished_at=now,
            heartbeat_at=now,
        ):
            raise Superseded
    except Superseded:
        db.session.rollback()
        _remove(path)
    except Exception as exc:
        db.session.rollback()
        _remove(path)
        current_app.logger.exception("export job %s failed", job_id)
        _fail(job_id, _failure_of(exc), *mine)


def _remove(path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)


def _fail(job_id: int, reason: str, *where: Any) -> None:
    """Mark the job failed; if even that cannot be written, the stale check will."""
    try:
        _record(job_id, *where, status=JobStatus.FAILED, error=reason, finished_at=utcnow())
    except Exception:
        current_app.logger.exception("export job %s: the failure could not be recorded", job_id)


# --------------------------------------------------------------------------- stale jobs


def is_stale(job: ExportJob) -> bool:
    """A running job without progress for EXPORT_STALE_SECONDS (its consumer is gone)."""
    if job.status != JobStatus.RUNNING:
        return False
    limit = utcnow() - timedelta(seconds=current_app.config["EXPORT_STALE_SECONDS"])
    return job.heartbeat_at is None or job.heartbeat_at < limit


def recover_stale(job: ExportJob) -> bool:
    """Queue a stale job again (once), else mark it failed. Commits; True if it changed.

    Conditional on the state read, so two pollers cannot both queue it."""
    if not is_stale(job):
        return False
    job_id, attempt = job.id, job.attempts
    db.session.commit()  # end the read: the inline (immediate) run must see the new state
    # A run that comes back to life after this finds its attempt gone and stops.
    same = (ExportJob.status == JobStatus.RUNNING, ExportJob.attempts == attempt)
    if attempt >= STALE_RETRIES:
        changed = _record(
            job_id, *same, status=JobStatus.FAILED, error="interrupted", finished_at=utcnow()
        )
    else:
        changed = _record(
            job_id,
            *same,
            status=JobStatus.QUEUED,
            attempts=attempt + 1,
            done_rows=0,
            heartbeat_at=None,
        )
        if changed:
            current_app.logger.warning("export job %s was stale: queued again", job_id)
            run_export_job(job_id)
    db.session.expire_all()
    return changed


def recover_stale_jobs() -> int:
    """Recover every stale running job (at consumer start-up); return how many changed."""
    jobs = db.session.scalars(select(ExportJob).where(ExportJob.status == JobStatus.RUNNING)).all()
    return sum(recover_stale(job) for job in jobs if is_stale(job))


@huey.on_startup()
def _recover_on_startup() -> None:
    """A restarted consumer takes back the jobs its killed predecessor left running."""
    with app_context():
        try:
            recover_stale_jobs()
        except Exception:
            current_app.logger.exception("stale export jobs could not be recovered")
        finally:
            db.session.remove()


def waits_long(job: ExportJob) -> bool:
    """Queued for longer than EXPORT_STALE_SECONDS: no consumer is taking jobs."""
    limit = utcnow() - timedelta(seconds=current_app.config["EXPORT_STALE_SECONDS"])
    return job.status == JobStatus.QUEUED and job.created_at < limit


def poll_seconds(job: ExportJob) -> int:
    """How long the page waits before asking again: 2 s, then slower as the job ages."""
    age = (utcnow() - job.created_at).total_seconds()
    return 2 if age < 30 else 5 if age < 120 else 15
