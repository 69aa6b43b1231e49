"""HTTPS: HSTS on secure responses, a Secure session cookie by default outside debug/tests."""

from __future__ import annotations

import re
from pathlib import Path

from cpas import create_app

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HSTS = "Strict-Transport-Security"


def _production_app(app, **overrides):
    """The same database and instance, configured like production (no TESTING)."""
    config = {
        "SECRET_KEY": "a-real-secret-for-this-test",
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "INSTANCE_PATH": app.instance_path,
        **overrides,
    }
    return create_app(config)


def _session_cookie_header(application, base_url="http://localhost"):
    response = application.test_client().get("/connexion", base_url=base_url)
    return next(
        v for k, v in response.headers.items() if k == "Set-Cookie" and "cpas_session=" in v
    )


def test_hsts_only_over_https(client):
    assert HSTS not in client.get("/connexion").headers
    secure = client.get("/connexion", base_url="https://localhost")
    assert re.fullmatch(r"max-age=\d{7,}", secure.headers[HSTS])


def test_hsts_behind_the_proxy_follows_the_forwarded_scheme(app):
    proxied = _production_app(app, PROXY_FIX_X_FOR=1)
    answer = proxied.test_client().get("/connexion", headers={"X-Forwarded-Proto": "https"})
    assert HSTS in answer.headers
    # Without a trusted proxy the header is the client's word: not believed.
    direct = _production_app(app).test_client()
    assert HSTS not in direct.get("/connexion", headers={"X-Forwarded-Proto": "https"}).headers


def test_session_cookie_is_secure_by_default_outside_tests(app):
    assert "; Secure" in _session_cookie_header(_production_app(app), "https://localhost")


def test_session_cookie_not_secure_in_tests_and_debug(app):
    assert "Secure" not in _session_cookie_header(app)
    assert "Secure" not in _session_cookie_header(_production_app(app, DEBUG=True))


def test_plain_http_switch_from_the_environment(app, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-for-this-test")
    monkeypatch.setenv("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("CPAS_INSTANCE_PATH", app.instance_path)
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "0")
    assert create_app().config["SESSION_COOKIE_SECURE"] is False
    monkeypatch.delenv("SESSION_COOKIE_SECURE")
    assert create_app().config["SESSION_COOKIE_SECURE"] is True


def test_scripts_start_serves_plain_http_with_the_switch():
    """scripts/start serves http://127.0.0.1:5000: its gunicorn must run with the switch."""
    script = (PROJECT_ROOT / "scripts" / "start").read_text()
    command = script[script.rindex("\n", 0, script.index(".venv/bin/gunicorn")) :]
    assert re.search(
        r'SESSION_COOKIE_SECURE="\$\{SESSION_COOKIE_SECURE:-0\}" \.venv/bin/gunicorn', command
    )
    assert "-c gunicorn.conf.py" in command
