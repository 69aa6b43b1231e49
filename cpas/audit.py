"""Append-only audit log: who did what, when, on which record, about which person.

Services call ``record()`` in the same transaction as the change they log. Views of
personal data made during a GET go through ``record_view()``, written in a transaction of
their own after the page is built. Updates and deletes on the table are refused by a
database trigger (see the migration that creates it).
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .timeutil import utcnow


class AuditEntry(db.Model):
    __table_args__ = (
        Index("ix_audit_entry_at", "at"),
        Index("ix_audit_entry_user_at", "user_id", "at"),
        Index("ix_audit_entry_org_at", "organisation_id", "at"),
        Index("ix_audit_entry_niss_at", "niss", "at"),
        Index("ix_audit_entry_action_at", "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str | None] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(60))
    niss: Mapped[str | None] = mapped_column(String(11))
    outcome: Mapped[str] = mapped_column(String(20), default="success")
    ip: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[str | None] = mapped_column(Text)


def record(
    action: str,
    *,
    obj: object | None = None,
    object_type: str | None = None,
    object_id: object | None = None,
    niss: str | None = None,
    outcome: str = "success",
    user: object | None = None,
    organisation_id: int | None = None,
    details: str | None = None,
) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits)."""
    actor = user if user is not None else _current_actor()
    if obj is not None:
        object_type = object_type or type(obj).__name__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    entry = AuditEntry(
        user_id=getattr(actor, "id", None),
        organisation_id=organisation_id
        if organisation_id is not None
        else getattr(actor, "organisation_id", None),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        niss=niss,
        outcome=outcome,
        ip=request.remote_addr if has_request_context() else None,
        details=details,
    )
    db.session.add(entry)
    return entry


def record_view(action: str, **kwargs: object) -> None:
    """Log a consultation made during a GET; written after the response is built."""
    g.setdefault("pending_views", []).append((action, kwargs))


def flush_pending_views() -> None:
    """Write the consultations queued by ``record_view`` in their own write transaction."""
    pending = g.pop("pending_views", None)
    if not pending:
        return
    from .database import write_transaction

    # Read the actor now: the write transaction starts with a commit that expires the
    # signed-in user, and reloading it there would hold SQLite's write lock for a SELECT.
    actor = _current_actor()
    snapshot = _Actor(getattr(actor, "id", None), getattr(actor, "organisation_id", None))
    with write_transaction():
        for action, kwargs in pending:
            kwargs.setdefault("user", snapshot)
            record(action, **kwargs)  # type: ignore[arg-type]


class _Actor(NamedTuple):
    id: int | None
    organisation_id: int | None


def _current_actor() -> object | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()  # type: ignore[attr-defined]
    return None
