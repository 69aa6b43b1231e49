"""Every route declares who may use it; function-guarded routes refuse users without it."""

from __future__ import annotations

import re

import pytest

from cpas.security import access_rule

SAFE = {"GET", "HEAD", "OPTIONS"}


def _rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule, app.view_functions[rule.endpoint]


def _fill(rule) -> str:
    # Any id will do: the access hook answers before the view loads anything.
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule)


def test_every_route_is_public_signed_in_or_function_guarded(app):
    missing = [rule.rule for rule, view in _rules(app) if access_rule(view) is None]
    assert missing == [], f"routes without an access rule: {missing}"


def test_public_routes_are_a_short_known_list(app):
    public = sorted(rule.endpoint for rule, view in _rules(app) if access_rule(view)[0] == "public")
    allowed = {
        "auth.login",
        "auth.forgot_password",
        "auth.reset_password",
        "main.health",
        "access.account_request",
        "main.set_language",
    }
    assert set(public) <= allowed, public


def test_every_function_route_refuses_a_user_without_functions(app, client, make_user, login_as):
    user = make_user()  # signed in, no profile
    login_as(user)
    checked = 0
    for rule, view in _rules(app):
        kind, _codes = access_rule(view)
        if kind != "function":
            continue
        url = _fill(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 403, (method, rule.rule, response.status_code)
            checked += 1
    # Every domain guards its routes with function codes: the sweep must have found them.
    assert checked > 50


def test_every_non_public_route_sends_anonymous_users_to_login(app, client):
    for rule, view in _rules(app):
        if access_rule(view)[0] == "public":
            continue
        url = _fill(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code in (302, 400), (method, rule.rule)
            if method in SAFE:
                assert "/connexion" in response.headers["Location"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_endpoint_without_rule_is_refused(app, client, make_user, login_as, method):
    @app.route("/sans-regle", methods=["GET", "POST"])
    def no_rule():  # pragma: no cover - must never run
        raise AssertionError("the hook should have refused this")

    login_as(make_user(all_access=True))
    assert client.open("/sans-regle", method=method).status_code == 403
