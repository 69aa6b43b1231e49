"""CPAS intranet: application factory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as config_module
from .extensions import babel, csrf, db, login_manager, mail, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then environment, then test_config."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=(test_config or {}).get("INSTANCE_PATH")
        or os.environ.get("CPAS_INSTANCE_PATH")
        or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    from .inputs import BoundedIntConverter

    # Before any route is added: every <int:…> id is bounded (a huge id is a 404, not a 500).
    app.url_map.converters["int"] = BoundedIntConverter
    app.config.from_object(config_module.Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(config_module.from_environment())
    else:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(
            Path(app.instance_path) / "cpas.sqlite"
        )
    _refuse_default_secret(app)
    from .registry.adapters import check_settings

    check_settings(app.config)  # an unknown REGISTER_ADAPTER / BCSS_ADAPTER stops the start

    if app.config["PROXY_FIX_X_FOR"]:
        hops = app.config["PROXY_FIX_X_FOR"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    mail.init_app(app)
    babel.init_app(
        app,
        locale_selector=_select_locale,
        default_translation_directories=str(PROJECT_ROOT / "translations"),
    )

    from . import models  # noqa: F401  (register every model with the metadata)
    from .database import configure_engine

    with app.app_context():
        configure_engine(db.engine)

    from . import errors, security, templating
    from .audit import flush_pending
    from .htmx import toast_oob

    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)

    @app.after_request
    def _after(response):
        # Consultations of a shown page and refused accesses (even on a 404) are written.
        flush_pending(response.status_code)
        return toast_oob(response)

    @app.teardown_request
    def _teardown(exc):
        if exc is not None:
            db.session.rollback()

    # Each domain's routes, by name. They are imported here rather than in the package's
    # __init__: the function tree is collected from every domain's functions.py, which
    # imports the package, and must not pull in the routes (import cycle).
    from .access import routes as access_routes
    from .aid import routes as aid_routes
    from .auth import routes as auth_routes
    from .centre import routes as centre_routes
    from .dossiers import routes as dossiers_routes
    from .inquiry import routes as inquiry_routes
    from .main import routes as main_routes
    from .redi import routes as redi_routes
    from .water_fund import routes as water_fund_routes

    for routes in (
        auth_routes,
        main_routes,
        access_routes,
        centre_routes,
        dossiers_routes,
        aid_routes,
        inquiry_routes,
        water_fund_routes,
        redi_routes,
    ):
        app.register_blueprint(routes.bp)

    from .cli import register_cli

    register_cli(app)
    return app


def _refuse_default_secret(app: Flask) -> None:
    allowed = app.debug or app.testing or os.environ.get("CPAS_ALLOW_DEV_SECRET") == "1"
    if app.config["SECRET_KEY"] == config_module.DEFAULT_SECRET_KEY and not allowed:
        raise RuntimeError(
            "SECRET_KEY is the default development key: set SECRET_KEY in the environment "
            "or in instance/config.py before running in production."
        )


def _select_locale() -> str:
    from flask import has_request_context, session

    if not has_request_context():
        return "fr"  # background jobs, CLI and e-mails sent outside a request: French source
    # The account's choice, then this browser session's (the switch before signing in),
    # then the browser's Accept-Language between fr and nl, then French.
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale:
        return str(current_user.locale)
    chosen = session.get("locale")
    if chosen in ("fr", "nl"):
        return str(chosen)
    return request.accept_languages.best_match(["fr", "nl"]) or "fr"
