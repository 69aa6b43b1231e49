"""Password hashing (argon2) and the password policy."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

MIN_LENGTH = 12
_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so both answers take the same time.

    Made on first use, not at import: an argon2 hash takes 64 MiB, which processes that
    never check a password (export jobs, CLI commands) need not pay."""
    return _hasher.hash("not-a-real-password-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash, spend the same time and fail."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problems(password: str, email: str | None = None) -> list[str]:
    """Return the policy rules the password breaks, as messages for the form field."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_("Le mot de passe doit contenir au moins %(n)s caractères.", n=MIN_LENGTH))
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) < 4:
        problems.append(_("Ce mot de passe est trop courant ; choisissez-en un autre."))
    if email and lowered in {email.lower(), email.split("@")[0].lower()}:
        problems.append(_("Le mot de passe ne peut pas être votre adresse e-mail."))
    return problems
