"""The access log keeps beneficiaries' names (query strings) and reset tokens out.

Real gunicorn with the project's ``gunicorn.conf.py`` on a loopback port, and the
development server's logger.
"""

from __future__ import annotations

import http.client
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from cpas.accesslog import scrub

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, headers: dict | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@pytest.fixture
def gunicorn(app, tmp_path):
    """The real app under gunicorn -c gunicorn.conf.py; yields (port, access log path)."""
    port = _free_port()
    access_log = tmp_path / "access.log"
    env = dict(os.environ)
    env.update(
        CPAS_INSTANCE_PATH=app.instance_path,
        SECRET_KEY="test-secret-key",
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        SESSION_COOKIE_SECURE="0",
    )
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            "gunicorn.conf.py",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(access_log),
            "--error-logfile",
            str(tmp_path / "error.log"),
            "app:app",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(port, "/sante") == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp_path / "error.log").read_text())
            time.sleep(0.2)
        yield port, access_log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _log_text(access_log: Path, expected_lines: int) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        text = access_log.read_text() if access_log.exists() else ""
        if text.count("\n") >= expected_lines:
            return text
        time.sleep(0.1)
    return access_log.read_text()


def test_gunicorn_access_log_has_no_query_string_nor_reset_token(gunicorn):
    port, access_log = gunicorn
    token = secrets.token_urlsafe(32)
    _get(port, "/fonds-eau/ligne/fat?q=DUPONT&annee=2026")
    # a page's assets are fetched with the page (the reset form) as Referer
    _get(port, "/acces/utilisateurs?nom=PEETERS", {"Referer": f"http://x/reinitialiser/{token}"})
    _get(port, f"/reinitialiser/{token}", {"Referer": "http://x/fonds-eau/ligne/fse?q=LAMBERT"})

    # scripts/start's switch for plain HTTP reaches the app: the cookie comes back over HTTP
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/connexion")
    cookie = conn.getresponse().getheader("Set-Cookie")
    conn.close()
    assert "cpas_session=" in cookie and "Secure" not in cookie

    text = _log_text(access_log, 5)  # /sante, the three requests, /connexion
    assert "/fonds-eau/ligne/fat" in text
    assert "/acces/utilisateurs" in text
    assert "/reinitialiser/***" in text
    for secret in ("DUPONT", "PEETERS", "LAMBERT", token, "annee=2026"):
        assert secret not in text


def test_development_server_log_is_scrubbed(app):
    """Flask's development server (werkzeug) logs its request lines through the filter."""
    token = secrets.token_urlsafe(32)
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    logger = logging.getLogger("werkzeug")
    handler, level, disabled = Keep(), logger.level, logger.disabled
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.disabled = False  # Alembic's fileConfig (the template migration) disables it
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        _get(server.server_port, "/acces/utilisateurs?nom=PEETERS")
        _get(server.server_port, f"/reinitialiser/{token}")
    finally:
        server.shutdown()
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.disabled = disabled
    text = "\n".join(lines)
    assert "/acces/utilisateurs" in text and "/reinitialiser/***" in text
    assert "PEETERS" not in text and token not in text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("GET /fonds-eau/ligne/fat?q=DUPONT HTTP/1.1", "GET /fonds-eau/ligne/fat HTTP/1.1"),
        ("GET /reinitialiser/abc-_9XYZ HTTP/1.1", "GET /reinitialiser/*** HTTP/1.1"),
        ("POST /reinitialiser/abc?x=1 HTTP/1.1", "POST /reinitialiser/*** HTTP/1.1"),
        ("GET /dossiers/ HTTP/1.1", "GET /dossiers/ HTTP/1.1"),
    ],
)
def test_scrub(line, expected):
    assert scrub(line) == expected
