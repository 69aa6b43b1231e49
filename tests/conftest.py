"""Test bed: real SQLite or PostgreSQL (CPAS_TEST_DB=postgresql), real SMTP on loopback.

Fixtures:
* ``app`` — the app on a fresh database migrated to head (SQLite: a copy of a migrated
  template file; PostgreSQL: a throwaway cluster, tables truncated after each test);
* ``client`` — a test client that sends the CSRF token like the browser (``csrf=False``
  to leave it out);
* ``login_as(user)`` — sign a client in without going through the password form;
* ``make_org``, ``make_user``, ``make_profile`` — factories;
* ``smtp`` — the messages received by the real local SMTP server.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HUEY_IMMEDIATE", "1")  # background jobs run inline in tests

from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import text

from cpas import create_app
from cpas.access.models import Organisation, OrganisationKind, Profile, ProfileFunction, User
from cpas.auth.passwords import hash_password
from cpas.extensions import db
from cpas.timeutil import utcnow

PASSWORD = "Correct-Cheval-Batterie-42"
USE_POSTGRES = os.environ.get("CPAS_TEST_DB", "sqlite") == "postgresql"
META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def pytest_report_header(config: Any) -> str:
    return f"database: {'PostgreSQL (throwaway cluster)' if USE_POSTGRES else 'SQLite'}"


# --------------------------------------------------------------------------- SMTP


class SmtpSink:
    """A real SMTP server on loopback that keeps what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[Message] = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                msg = message_from_bytes(envelope.content)
                msg["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
                sink.messages.append(msg)
                return "250 Message accepted for delivery"

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]

    @staticmethod
    def body(msg: Message) -> str:
        if msg.is_multipart():
            for part in msg.walk():
                if part.get_content_type() == "text/plain":
                    return part.get_payload(decode=True).decode()
        return msg.get_payload(decode=True).decode()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    yield sink
    sink.controller.stop()


@pytest.fixture
def smtp(smtp_server: SmtpSink) -> SmtpSink:
    smtp_server.messages.clear()
    return smtp_server


# --------------------------------------------------------------------------- databases


def migrate_to_head(url: str, instance: Path) -> None:
    """Run the real Alembic migrations on an empty database."""
    from flask_migrate import upgrade

    app = create_app(base_config(url, instance))
    with app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()


def base_config(url: str, instance: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "BASE_URL": "http://intranet.test",
        "INSTANCE_PATH": str(instance),
    }


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Any]:
    if not USE_POSTGRES:
        yield None
        return
    from tests.dbserver import PostgresCluster

    cluster = PostgresCluster()
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory, pg_cluster: Any) -> str:
    """A database migrated to head once per session: a file (SQLite) or a URL (PostgreSQL)."""
    instance = tmp_path_factory.mktemp("template-instance")
    if pg_cluster is not None:
        url = pg_cluster.create_database("cpas_test")
        migrate_to_head(url, instance)
        return url
    path = instance / "template.sqlite"
    migrate_to_head(f"sqlite:///{path}", instance)
    return str(path)


def _truncate_all(app: Any) -> None:
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in db.metadata.sorted_tables]
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def app(
    tmp_path: Path, template_database: str, smtp_server: SmtpSink, monkeypatch: Any
) -> Iterator[Any]:
    instance = tmp_path / "instance"
    instance.mkdir()
    monkeypatch.setenv("CPAS_INSTANCE_PATH", str(instance))
    if USE_POSTGRES:
        url = template_database
    else:
        shutil.copy(template_database, instance / "cpas.sqlite")
        url = f"sqlite:///{instance / 'cpas.sqlite'}"
    config = base_config(url, instance)
    config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_SUPPRESS_SEND=False)
    application = create_app(config)
    application.test_client_class = CsrfClient
    yield application
    if USE_POSTGRES:
        _truncate_all(application)
    else:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


# --------------------------------------------------------------------------- clients


class CsrfClient(FlaskClient):
    """Sends the CSRF token in the X-CSRFToken header on unsafe methods, as htmx does."""

    _token: str | None = None

    def csrf_token(self) -> str:
        response = super().open("/connexion", method="GET", follow_redirects=True)
        match = META_CSRF.search(response.get_data(as_text=True))
        assert match, "no csrf-token meta in the page"
        return match.group(1)

    def open(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        send_csrf = kwargs.pop("csrf", True)
        method = (kwargs.get("method") or "GET").upper()
        if send_csrf and method not in {"GET", "HEAD", "OPTIONS"}:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Any) -> CsrfClient:
    return app.test_client()


@pytest.fixture
def login_as(client: CsrfClient) -> Any:
    """Sign ``client`` in as ``user`` (a fresh session, as after the password form)."""

    def _login(user: User, on: CsrfClient | None = None) -> CsrfClient:
        target = on or client
        now = utcnow().timestamp()
        with target.session_transaction() as session:
            session.clear()
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session["login_at"] = now
            session["seen"] = now
        return target

    return _login


# --------------------------------------------------------------------------- factories


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def make_org(app: Any) -> Any:
    counter = iter(range(1, 10_000))

    def _make(kind: str = OrganisationKind.CPAS, name: str | None = None, **fields: Any):
        n = next(counter)
        with app.app_context():
            org = Organisation(kind=str(kind), name=name or f"Organisation {kind} {n}", **fields)
            db.session.add(org)
            db.session.commit()
            db.session.refresh(org)
            db.session.expunge(org)
        return org

    return _make


@pytest.fixture
def make_profile(app: Any) -> Any:
    def _make(org: Organisation, functions: list[str] | tuple[str, ...] = (), **fields: Any):
        with app.app_context():
            profile = Profile(
                organisation_id=org.id,
                name_fr=fields.pop("name_fr", f"Profil {len(functions)} {utcnow().timestamp()}"),
                name_nl=fields.pop("name_nl", "Profiel"),
                functions=[ProfileFunction(code=c) for c in functions],
                **fields,
            )
            db.session.add(profile)
            db.session.commit()
            db.session.refresh(profile)
            db.session.expunge(profile)
        return profile

    return _make


@pytest.fixture
def make_user(app: Any, make_org: Any, make_profile: Any, password_hash: str) -> Any:
    """Create a user; ``functions`` builds a profile with exactly those function codes."""
    counter = iter(range(1, 10_000))

    def _make(
        org: Organisation | None = None,
        functions: list[str] | tuple[str, ...] | None = None,
        all_access: bool = False,
        **fields: Any,
    ) -> User:
        org = org or make_org()
        n = next(counter)
        profiles = []
        if all_access:
            profiles.append(make_profile(org, (), all_access=True, name_fr=f"Tous les accès {n}"))
        elif functions:
            profiles.append(make_profile(org, functions))
        with app.app_context():
            user = User(
                organisation_id=org.id,
                email=fields.pop("email", f"user{n}.{org.id}@example.test"),
                first_name=fields.pop("first_name", "Prénom"),
                last_name=fields.pop("last_name", f"Nom{n}"),
                password_hash=password_hash,
                **fields,
            )
            user.profiles = [db.session.get(Profile, p.id) for p in profiles]
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            _ = user.organisation
            db.session.expunge(user)
        return user

    return _make
