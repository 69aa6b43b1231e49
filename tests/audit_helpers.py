"""Helpers of the NISS-audit tests: the NISS a response shows, the entries a request wrote,
the INSERT statements it sent to the audit table."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, select

from cpas.audit import AuditEntry
from cpas.extensions import db

# A NISS as the screens print it: 85.07.30-033.28 (never inside a longer number).
SHOWN_NISS = re.compile(r"(?<![\d.])(\d{2})\.(\d{2})\.(\d{2})-(\d{3})\.(\d{2})(?![\d.\-])")


HELP_TEXT = re.compile(r'<small class="help">.*?</small>', re.S)


def niss_in(text: str) -> set[str]:
    """Every NISS printed in a page, apart from the examples of help texts."""
    return {"".join(m.groups()) for m in SHOWN_NISS.finditer(HELP_TEXT.sub("", text))}


def last_entry_id(app: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(AuditEntry.id))) or 0


def entries_since(app: Any, mark: int, action: str | None = None) -> list[AuditEntry]:
    """The audit entries written after ``mark`` (optionally of one action), detached."""
    with app.app_context():
        query = select(AuditEntry).where(AuditEntry.id > mark).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        rows = list(db.session.scalars(query))
        for row in rows:
            db.session.expunge(row)
        return rows


@contextmanager
def audit_inserts(app: Any) -> Iterator[list[str]]:
    """Collect the statements that insert into the audit table while the block runs."""
    seen: list[str] = []

    def _listen(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT_ENTRY"):
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", _listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", _listen)


@contextmanager
def statements(app: Any) -> Iterator[list[str]]:
    """Collect every statement sent while the block runs."""
    seen: list[str] = []

    def _listen(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", _listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", _listen)
