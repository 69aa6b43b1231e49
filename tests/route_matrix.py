"""What the permission matrices of the domains share (dossiers, aid, inquiry): the routes
of a blueprint from the app's URL map, and the rule a view declares, in the tables' words.
Each matrix keeps its own literal table of expected rules."""

from __future__ import annotations

import tempfile
from typing import Any

from cpas.extensions import db
from cpas.security import access_rule

IGNORED_METHODS = {"HEAD", "OPTIONS"}
#: The ownership rule in the tables' words: any signed-in user of the domain's kinds.
SIGNED_IN = "signed in"


def routes_of(app: Any, prefixes: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(endpoint, rule, method) of every route and method whose endpoint has a prefix."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(prefixes):
            for method in sorted(rule.methods - IGNORED_METHODS):
                found.append((rule.endpoint, rule.rule, method))
    return sorted(found)


def declared_rule(app: Any, endpoint: str) -> str | None:
    """The rule a view declares: its function codes joined by spaces, or its kind."""
    declared = access_rule(app.view_functions[endpoint])
    if declared is None:
        return None
    kind, codes = declared
    if kind == "signed_in":
        return SIGNED_IN
    return " ".join(codes or ()) if kind == "function" else kind


def collect_routes(prefixes: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """The route list at collection time, from an app on an in-memory database."""
    from cpas import create_app

    with tempfile.TemporaryDirectory() as instance:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "collect-routes",
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "INSTANCE_PATH": instance,
            }
        )
        routes = routes_of(app, prefixes)
        with app.app_context():
            db.engine.dispose()
    return routes
