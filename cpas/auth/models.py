"""Sign-in throttling and password reset tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..access.models import User
from ..extensions import Model
from ..timeutil import utcnow


class ThrottleScope:
    """What an attempt was for: each scope has its own limits."""

    LOGIN = "login"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a scope name, not a secret
    ACCOUNT_REQUEST = "account_request"


class LoginAttempt(Model):
    """One throttled attempt (sign-in, reset e-mail, account request), counted per scope.

    The account is identified by a salted hash of the email, never the email itself."""

    __table_args__ = (
        Index("ix_login_attempt_scope_account_at", "scope", "account_key", "at"),
        Index("ix_login_attempt_scope_ip_at", "scope", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(
        String(20), default=ThrottleScope.LOGIN, server_default=ThrottleScope.LOGIN
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    account_key: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(45))
    success: Mapped[bool] = mapped_column(default=False)


class PasswordResetToken(Model):
    """A single-use, expiring password reset link; only its SHA-256 is stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
