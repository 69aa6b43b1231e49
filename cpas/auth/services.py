"""Sign-in, throttling and password reset: the only place that changes auth state."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user
from sqlalchemy import func, select, update

from .. import audit
from ..access.models import User
from ..extensions import db
from ..mailer import send_localised
from ..templating import current_locale
from ..timeutil import utcnow
from .models import LoginAttempt, PasswordResetToken, ThrottleScope
from .passwords import hash_password, needs_rehash, verify_password

INVALID_CREDENTIALS = _l("Adresse e-mail ou mot de passe incorrect.")
DEACTIVATED = _l(
    "Ce compte est désactivé. Contactez l'administrateur de votre organisation pour le réactiver."
)


@dataclass
class LoginResult:
    user: User | None
    error: str | None


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def account_key(email: str) -> str:
    """Identify an account in the throttle table without storing the email itself."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hashlib.sha256(secret + normalise_email(email).encode()).hexdigest()


def _recent_attempts(
    scope: str, column, value: str, minutes: int, *, failures_only: bool = False
) -> int:
    since = utcnow() - timedelta(minutes=minutes)
    query = select(func.count(LoginAttempt.id)).where(
        LoginAttempt.scope == scope, column == value, LoginAttempt.at >= since
    )
    if failures_only:
        query = query.where(LoginAttempt.success.is_(False))
    return db.session.scalar(query) or 0


def _recent_failures(column, value: str) -> int:
    minutes = current_app.config["LOGIN_WINDOW_MINUTES"]
    return _recent_attempts(ThrottleScope.LOGIN, column, value, minutes, failures_only=True)


#: scope -> (window, max per account, max per IP) config keys; every attempt counts.
_LIMITS = {
    ThrottleScope.PASSWORD_RESET: (
        "PASSWORD_RESET_WINDOW_MINUTES",
        "PASSWORD_RESET_MAX_PER_ACCOUNT",
        "PASSWORD_RESET_MAX_PER_IP",
    ),
    ThrottleScope.ACCOUNT_REQUEST: (
        "ACCOUNT_REQUEST_WINDOW_MINUTES",
        "ACCOUNT_REQUEST_MAX_PER_ACCOUNT",
        "ACCOUNT_REQUEST_MAX_PER_IP",
    ),
}


def count_attempt(scope: str, email: str, ip: str) -> bool:
    """Count one attempt under ``scope``; return whether it is within the limits. Commits.

    Every attempt is counted, allowed or not, valid or not: the limit holds against a
    robot that keeps trying, and a known e-mail counts exactly like an unknown one."""
    window, per_account, per_ip = (current_app.config[k] for k in _LIMITS[scope])
    key = account_key(email or "")
    allowed = (
        _recent_attempts(scope, LoginAttempt.account_key, key, window) < per_account
        and _recent_attempts(scope, LoginAttempt.ip, ip, window) < per_ip
    )
    db.session.add(LoginAttempt(scope=scope, account_key=key, ip=ip, success=allowed))
    if not allowed:
        audit.record(f"auth.{scope}_throttled", outcome="refused", details="throttled")
    db.session.commit()
    return allowed


def authenticate(email: str, password: str, ip: str) -> LoginResult:
    """Check the credentials under the throttle; sign in on success. Commits."""
    email = normalise_email(email)
    key = account_key(email)
    cfg = current_app.config
    if (
        _recent_failures(LoginAttempt.account_key, key) >= cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        or _recent_failures(LoginAttempt.ip, ip) >= cfg["LOGIN_MAX_FAILURES_PER_IP"]
    ):
        db.session.add(LoginAttempt(account_key=key, ip=ip, success=False))
        audit.record("auth.login_throttled", outcome="refused", details="throttled")
        db.session.commit()
        return LoginResult(
            None,
            _(
                "Trop de tentatives de connexion. Réessayez dans %(minutes)s minutes.",
                minutes=cfg["LOGIN_WINDOW_MINUTES"],
            ),
        )

    user = db.session.scalar(select(User).where(User.email == email))
    if not verify_password(user.password_hash if user else None, password) or user is None:
        db.session.add(LoginAttempt(account_key=key, ip=ip, success=False))
        audit.record(
            "auth.login_failed",
            obj=user,
            object_type="User",
            outcome="failure",
            user=user,
            organisation_id=user.organisation_id if user else None,
        )
        db.session.commit()
        return LoginResult(None, str(INVALID_CREDENTIALS))
    if not user.active:
        db.session.add(LoginAttempt(account_key=key, ip=ip, success=False))
        audit.record("auth.login_refused_inactive", obj=user, user=user, outcome="refused")
        db.session.commit()
        return LoginResult(None, str(DEACTIVATED))

    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.add(LoginAttempt(account_key=key, ip=ip, success=True))
    audit.record("auth.login", obj=user, user=user)
    db.session.commit()
    start_session(user)
    return LoginResult(user, None)


def start_session(user: User) -> None:
    """Sign the user in with a brand-new session (no fixation)."""
    session.clear()
    login_user(user)
    now = utcnow().timestamp()
    session["login_at"] = now
    session["seen"] = now
    session.permanent = False


def sign_out(user: User) -> None:
    """End every session of the user on the server, then clear this browser's. Commits.

    The cookie is signed, not stored: bumping ``session_version`` is what makes a copy of
    it useless (the user loader already compares the version, so no extra query)."""
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    )
    audit.record("auth.logout", obj=user, user=user)
    db.session.commit()
    logout_user()
    session.clear()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_password_reset(email: str, ip: str) -> None:
    """Email a single-use reset link if an active account has this email. Commits.

    Throttled per account and per IP like sign-in (over the limit: no e-mail). The caller
    answers the same way whether or not the account exists or the limit is reached.
    """
    if not count_attempt(ThrottleScope.PASSWORD_RESET, email, ip):
        return
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active:
        audit.record("auth.password_reset_requested", outcome="unknown_account")
        db.session.commit()
        return
    token = secrets.token_urlsafe(32)
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    db.session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=_token_hash(token),
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    audit.record("auth.password_reset_requested", obj=user, user=user)
    db.session.commit()
    link = current_app.config["BASE_URL"].rstrip("/") + url_for("auth.reset_password", token=token)

    def compose() -> tuple[str, str]:
        return _("Réinitialisation de votre mot de passe – Intranet CPAS"), _(
            "Bonjour,\n\n"
            "Une réinitialisation du mot de passe de votre compte a été demandée.\n"
            "Ouvrez ce lien dans l'heure pour choisir un nouveau mot de passe :\n%(link)s\n\n"
            "Le lien ne fonctionne qu'une seule fois. Si vous n'êtes pas à l'origine de cette "
            "demande, ignorez ce message : votre mot de passe reste inchangé.\n",
            link=link,
        )

    # The account's language; not chosen yet: the language of the page it was asked from.
    send_localised([(user.email, user.locale or current_locale())], compose)


def find_valid_token(token: str) -> PasswordResetToken | None:
    """Return the unexpired, unused token record for this link, if any."""
    record = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _token_hash(token))
    )
    if record is None or record.used_at is not None or record.expires_at < utcnow():
        return None
    if not record.user.active:
        return None
    return record


def reset_password(record: PasswordResetToken, new_password: str) -> None:
    """Set the new password, burn every open token of the user, end the user's sessions."""
    user = record.user
    now = utcnow()
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    audit.record("auth.password_reset", obj=user, user=user)
    db.session.commit()
