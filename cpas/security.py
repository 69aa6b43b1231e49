"""Deny by default: every endpoint declares who may use it, a hook enforces it.

* ``@public`` — anyone, signed in or not (login, password reset, account request);
* ``@signed_in`` — any active user; the view itself scopes what it shows to that user
  (home, logout, « Mes accès »): the "ownership" rule;
* ``@require_function("code")`` — the user's profiles must grant that function code.

Besides, every signed-in route belongs to a domain whose blueprint declares the
organisation kinds that use it (``DomainBlueprint(kinds=…)``): other kinds get a 403.

An endpoint with none of these is refused (403) and fails the route sweep test.
Object access goes through ``cpas.scoping.get_scoped_or_404`` so that another organisation's record
is simply not found.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, NoReturn, TypeVar

from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from .domains import kinds_of_endpoint
from .extensions import login_manager
from .htmx import hx_redirect, is_htmx
from .timeutil import utcnow

V = TypeVar("V", bound=Callable[..., Any])

ACCESS_ATTR = "_cpas_access"
#: How stale the « last seen » mark of a session may get before it is rewritten.
SEEN_RESOLUTION_SECONDS = 30
STATIC_ENDPOINTS = {"static"}


def public(view: V) -> V:
    """Mark a view as reachable without signing in."""
    setattr(view, ACCESS_ATTR, ("public", None))
    return view


def signed_in(view: V) -> V:
    """Mark a view as open to any signed-in user; the view scopes its data to that user."""
    setattr(view, ACCESS_ATTR, ("signed_in", None))
    return view


def require_function(*codes: str) -> Callable[[V], V]:
    """Mark a view as needing every one of the given function codes."""
    from .access.functions import FUNCTIONS

    for code in codes:
        if code not in FUNCTIONS:
            raise ValueError(f"unknown function code {code!r}")

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            # Defence in depth: the before_request hook already checked this.
            if not current_user.is_authenticated or not all(
                current_user.has_function(c) for c in codes
            ):
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapper, ACCESS_ATTR, ("function", codes))
        return wrapper  # type: ignore[return-value]

    return decorator


def acting_user() -> Any:
    """The signed-in user as a plain object, to pass as ``by`` to services."""
    return current_user._get_current_object()


def access_rule(view: Callable[..., Any]) -> tuple[str, tuple[str, ...] | None] | None:
    """Return the declared access rule of a view function, if any."""
    return getattr(view, ACCESS_ATTR, None)


def refuse_foreign(obj: Any, *, object_type: str | None = None) -> NoReturn:
    """Answer 404 for a record the user may not reach, and log it as a security event."""
    from .audit import record_security_event

    record_security_event(
        object_type=object_type or type(obj).__name__, object_id=getattr(obj, "id", None)
    )
    abort(404)


def _enforce_access() -> Any:
    endpoint = request.endpoint
    if endpoint is None:
        return None  # 404/405 handled by Flask
    if endpoint in STATIC_ENDPOINTS:
        return None
    view = current_app.view_functions.get(endpoint)
    rule = access_rule(view) if view else None
    if rule is None:
        current_app.logger.error("endpoint %s has no access rule: refused", endpoint)
        abort(403)
    kind, codes = rule
    if kind == "public":
        return None
    if not current_user.is_authenticated:
        return _to_login()
    expired = _session_expired()
    if expired:
        logout_user()
        session.clear()
        flash(expired, "warning")
        return _to_login()
    now = utcnow().timestamp()
    if now - session.get("seen", 0) >= SEEN_RESOLUTION_SECONDS:
        # Rewriting the session cookie on every request costs a signature and a header;
        # the idle timeout counts in minutes, so the mark is refreshed at most this often.
        session["seen"] = now
    kinds = kinds_of_endpoint(current_app, endpoint)
    if kinds is None or current_user.organisation.kind not in kinds:
        # the domain is not for this kind of organisation (or declares no kind: refused),
        # whatever functions a profile such as « Tous les accès » grants
        abort(403)
    if kind == "function" and not all(current_user.has_function(c) for c in codes or ()):
        abort(403)
    return None


def _session_expired() -> str | None:
    now = utcnow().timestamp()
    idle = timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"]).total_seconds()
    absolute = timedelta(hours=current_app.config["ABSOLUTE_SESSION_HOURS"]).total_seconds()
    seen = session.get("seen", 0)
    login_at = session.get("login_at", 0)
    if now - seen > idle:
        return _(
            "Votre session a expiré après une période d'inactivité. Veuillez vous reconnecter."
        )
    if now - login_at > absolute:
        return _("Votre session a atteint sa durée maximale. Veuillez vous reconnecter.")
    return None


def _to_login() -> Any:
    target = url_for("auth.login", next=request.path if request.method == "GET" else None)
    if is_htmx():
        return hx_redirect(target)
    return redirect(target)


SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
        "object-src 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _security_headers(response: Any) -> Any:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    max_age = current_app.config["HSTS_MAX_AGE"]
    if request.is_secure and max_age:
        # Only over HTTPS (behind the proxy: its forwarded scheme): a browser that saw it
        # refuses plain HTTP to this host, which would lock out a plain-HTTP intranet.
        response.headers["Strict-Transport-Security"] = f"max-age={max_age}"
    if request.endpoint not in STATIC_ENDPOINTS:
        # Pages may show personal data: never keep them in a browser or proxy cache.
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


@login_manager.user_loader
def _load_user(user_id: str) -> Any:
    from .access.models import User

    try:
        raw_id, version = user_id.split(":", 1)
        user = User.load_with_function_codes(int(raw_id))
    except (ValueError, TypeError):
        return None
    if user is None or not user.active or str(user.session_version) != version:
        return None  # deactivated or sessions ended: signed out at this request
    return user


def init_app(app: Flask) -> None:
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        # Secure by default; the development server and the tests serve plain HTTP.
        app.config["SESSION_COOKIE_SECURE"] = not (app.debug or app.testing)
    from .accesslog import scrub_werkzeug_log

    scrub_werkzeug_log()  # the development server's access lines: no query, no token
    login_manager.login_view = "auth.login"
    # Flask-Login flashes it into the session: a plain string, translated at request time.
    login_manager.login_message = _l("Veuillez vous connecter pour accéder à cette page.")
    login_manager.localize_callback = str
    login_manager.session_protection = "basic"
    app.before_request(_enforce_access)
    app.after_request(_security_headers)
