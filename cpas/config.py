"""Configuration: defaults, then instance/config.py, then environment variables."""

from __future__ import annotations

import os

DEFAULT_SECRET_KEY = "dev-only-change-me"  # noqa: S105 - refused outside debug/testing


class Defaults:
    SECRET_KEY = DEFAULT_SECRET_KEY
    SQLALCHEMY_DATABASE_URI: str | None = None  # computed from the instance path
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    BASE_URL = "http://127.0.0.1:5000"
    # Sessions
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # None: on unless DEBUG or TESTING (resolved in security.init_app). A plain-HTTP
    # intranet sets SESSION_COOKIE_SECURE=0, else the browser never sends the cookie back.
    SESSION_COOKIE_SECURE: bool | None = None
    # Strict-Transport-Security on HTTPS responses (0 leaves the header out)
    HSTS_MAX_AGE = 365 * 24 * 3600
    SESSION_COOKIE_NAME = "cpas_session"
    IDLE_TIMEOUT_MINUTES = 30
    # How long a search result's link to a register person stays valid (session_refs)
    SESSION_REF_MINUTES = 30
    ABSOLUTE_SESSION_HOURS = 10
    # Login throttling (stored in the database, so it holds across workers)
    LOGIN_WINDOW_MINUTES = 15
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_IP = 30
    PASSWORD_RESET_HOURS = 1
    # Reset e-mails and public account requests: every attempt counts, per account and IP
    PASSWORD_RESET_WINDOW_MINUTES = 60
    PASSWORD_RESET_MAX_PER_ACCOUNT = 3
    PASSWORD_RESET_MAX_PER_IP = 20
    ACCOUNT_REQUEST_WINDOW_MINUTES = 60
    ACCOUNT_REQUEST_MAX_PER_ACCOUNT = 3
    ACCOUNT_REQUEST_MAX_PER_IP = 5
    # Mail: no MAIL_SERVER means .eml files in instance/outbox/
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "intranet@cpas.local"
    # i18n
    BABEL_DEFAULT_LOCALE = "fr"
    LANGUAGES = ("fr", "nl")
    # Uploads
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # tied to the session lifetime instead
    # Behind a reverse proxy: number of trusted proxies (X-Forwarded-For/Proto)
    PROXY_FIX_X_FOR = 0
    PAGE_SIZE = 25
    # Background exports: a running job with no progress for this long lost its consumer
    # (kill -9, crash); it is queued again once, then marked failed.
    EXPORT_STALE_SECONDS = 300
    # Backups (flask backup / restore): a folder outside instance/ survives its loss;
    # None means instance/backups.
    BACKUP_DIR: str | None = None
    # National Register and BCSS adapters (cpas/registry/adapters.py); "local", over the
    # fictitious persons, is the only one shipped: another name fails at first use.
    REGISTER_ADAPTER = "local"
    BCSS_ADAPTER = "local"
    # The Council PDF of an aid request renders in a forked child: killed after this many
    # seconds (the page says so, 503), and allowed this much memory above the worker's size.
    AID_PDF_TIME_LIMIT = 20
    AID_PDF_MEMORY_LIMIT_MB = 768


ENV_KEYS = (
    "SECRET_KEY",
    "BASE_URL",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USE_TLS",
    "MAIL_USE_SSL",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER",
    "IDLE_TIMEOUT_MINUTES",
    "ABSOLUTE_SESSION_HOURS",
    "SESSION_COOKIE_SECURE",
    "PROXY_FIX_X_FOR",
    "HSTS_MAX_AGE",
    "EXPORT_STALE_SECONDS",
    "BACKUP_DIR",
    "REGISTER_ADAPTER",
    "BCSS_ADAPTER",
    "AID_PDF_TIME_LIMIT",
    "AID_PDF_MEMORY_LIMIT_MB",
)
INT_KEYS = {
    "MAIL_PORT",
    "IDLE_TIMEOUT_MINUTES",
    "ABSOLUTE_SESSION_HOURS",
    "PROXY_FIX_X_FOR",
    "HSTS_MAX_AGE",
    "EXPORT_STALE_SECONDS",
    "AID_PDF_TIME_LIMIT",
    "AID_PDF_MEMORY_LIMIT_MB",
}
BOOL_KEYS = {"MAIL_USE_TLS", "MAIL_USE_SSL", "SESSION_COOKIE_SECURE"}


def from_environment() -> dict:
    """Read the supported environment variables, typed."""
    values: dict = {}
    for key in ENV_KEYS:
        raw = os.environ.get(key)
        if raw is None or raw == "":
            continue
        if key in INT_KEYS:
            values[key] = int(raw)
        elif key in BOOL_KEYS:
            values[key] = raw.lower() in {"1", "true", "yes", "on"}
        else:
            values[key] = raw
    if os.environ.get("DATABASE_URL"):
        values["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
    return values


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgres URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
