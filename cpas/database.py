"""Engine tuning: SQLite pragmas and write transactions that never hit "database is locked".

With several gunicorn workers on SQLite, a transaction that reads and then writes can fail
at once with SQLITE_BUSY when another worker wrote in between (the busy timeout does not
apply to a lock upgrade). So a transaction that may write starts with BEGIN IMMEDIATE:
every request with an unsafe method, and any work wrapped in ``write_transaction()``.
Plain reads start deferred and never block, thanks to WAL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
READS_ONLY_ATTR = "_cpas_reads_only"


def reads_only(view):
    """Mark a POST view that only reads (searches posted to keep NISS out of URLs): its
    transaction starts deferred, like a GET, instead of taking the write lock. Audit entries
    it queues with ``record_view`` are written in their own transaction afterwards."""
    setattr(view, READS_ONLY_ATTR, True)
    return view


def configure_engine(engine: Engine) -> None:
    """Attach the SQLite pragmas and the transaction mode; no-op on PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy emit BEGIN itself (pysqlite's own handling is off).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write(conn) else "BEGIN")


def _wants_write(conn) -> bool:
    if conn.info.get("force_write"):
        return True
    if db.session.info.get("write"):
        return True
    if not has_request_context() or request.method in SAFE_METHODS:
        return False
    from flask import current_app

    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, READS_ONLY_ATTR, False)


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run the block in its own write transaction (for writes made during a GET)."""
    session = db.session
    session.commit()  # close the read transaction so the write one starts fresh
    session.info["write"] = True
    try:
        yield
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.info.pop("write", None)
