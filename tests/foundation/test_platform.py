"""Configuration, mail outbox, demo data, backups, SQLite settings and documents."""

from __future__ import annotations

import email
import multiprocessing
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text

from cpas import create_app
from cpas.access.models import Organisation, User
from cpas.cli import make_backup
from cpas.documents.xlsx import safe_value, write_workbook
from cpas.extensions import db
from cpas.mailer import send_mail
from cpas.templating import format_date, format_money
from tests.conftest import USE_POSTGRES


def test_refuses_default_secret_outside_debug(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("CPAS_ALLOW_DEV_SECRET", raising=False)
    monkeypatch.setenv("CPAS_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "a-real-secret")
    assert create_app().config["SECRET_KEY"] == "a-real-secret"


def test_config_layers_instance_then_environment(monkeypatch, tmp_path):
    (tmp_path / "config.py").write_text("SECRET_KEY = 'from-instance'\nBASE_URL = 'https://i'\n")
    monkeypatch.setenv("CPAS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("BASE_URL", "https://from-env")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@h/db")
    from cpas.config import from_environment

    env = from_environment()
    assert env["BASE_URL"] == "https://from-env"
    assert env["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@h/db"
    monkeypatch.delenv("DATABASE_URL")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-instance"
    assert app.config["BASE_URL"] == "https://from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("cpas.sqlite")


def test_outbox_without_smtp(app):
    app.config["MAIL_SERVER"] = None
    with app.app_context():
        send_mail("anne@cpas.test", "Sujet", "Corps du message")
    files = list(Path(app.instance_path, "outbox").glob("*.eml"))
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes())
    assert message["To"] == "anne@cpas.test" and message["Subject"] == "Sujet"
    assert "Corps du message" in message.get_payload(decode=True).decode()


def test_mail_through_real_smtp(app, smtp):
    with app.app_context():
        send_mail(["a@cpas.test", "b@cpas.test"], "Bonjour", "Texte")
    # one message per recipient: nobody sees who else was told (issue 11, item 7)
    assert sorted(m["X-Envelope-To"] for m in smtp.messages) == ["a@cpas.test", "b@cpas.test"]
    assert [m["To"] for m in smtp.to("b@cpas.test")] == ["b@cpas.test"]
    assert smtp.to("b@cpas.test")[0]["Subject"] == "Bonjour"


def test_seed_demo_is_idempotent(app):
    from cpas.demo import USERS, seed_demo

    with app.app_context():
        first = seed_demo()
        second = seed_demo()
        assert all(created for _, created in first)
        assert not any(created for _, created in second)
        assert db.session.scalar(select(func.count(User.id))) == len(USERS)
        demoville = db.session.scalar(
            select(Organisation).where(Organisation.name == "CPAS de Demoville")
        )
        assert len(demoville.distributors) == 2
        admin = db.session.scalar(select(User).where(User.email == "admin@cpas-demoville.be"))
        assert admin.has_function("access.profiles")


@pytest.mark.skipif(USE_POSTGRES, reason="the built-in backup is for SQLite")
def test_backup_while_writing_is_verified(app, tmp_path):
    with app.app_context():
        db.session.add(Organisation(kind="cpas", name="Avant sauvegarde"))
        db.session.commit()
        (Path(app.instance_path) / "uploads").mkdir()
        (Path(app.instance_path) / "uploads" / "piece.pdf").write_bytes(b"%PDF-1.4")
        # a writer holds an open write transaction while the backup runs
        writer = sqlite3.connect(db.engine.url.database, timeout=30)
        writer.execute(
            "INSERT INTO organisation (kind, name, created_at) VALUES ('cpas', 'Pendant', '2026-01-01')"
        )
        folder = make_backup(tmp_path / "backups")
        writer.commit()
        writer.close()
    copy = sqlite3.connect(folder / "cpas.sqlite")
    names = {n for (n,) in copy.execute("SELECT name FROM organisation")}
    assert "Avant sauvegarde" in names
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert (folder / "uploads" / "piece.pdf").read_bytes() == b"%PDF-1.4"


@pytest.mark.skipif(USE_POSTGRES, reason="SQLite connection settings")
def test_sqlite_pragmas(app):
    with app.app_context(), db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 15000


def _concurrent_writer(url: str, worker: int, rounds: int, errors) -> None:  # pragma: no cover
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    try:
        for n in range(rounds):
            with app.test_request_context("/", method="POST"):
                # read, then write: the pattern that fails with "database is locked"
                # under deferred transactions when another process wrote in between
                db.session.scalar(select(func.count(Organisation.id)))
                db.session.add(Organisation(kind="cpas", name=f"W{worker}-{n}"))
                db.session.commit()
    except Exception as exc:  # noqa: BLE001
        errors.append(repr(exc))


@pytest.mark.skipif(USE_POSTGRES, reason="SQLite locking")
def test_concurrent_write_requests_never_fail_with_database_locked(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with multiprocessing.Manager() as manager:
        errors = manager.list()
        procs = [
            multiprocessing.get_context("fork").Process(
                target=_concurrent_writer, args=(url, w, 40, errors)
            )
            for w in range(4)
        ]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert list(errors) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(Organisation.id))) == 160


def test_money_and_dates_belgian_format():
    from datetime import date

    assert format_money(Decimal("1000")) == "1.000,00 €"
    assert format_money(Decimal("1234567.895")) == "1.234.567,90 €"
    assert format_money(Decimal("-5.5")) == "-5,50 €"
    assert format_date(date(2024, 2, 29)) == "29/02/2024"


def test_xlsx_neutralises_formulas(tmp_path):
    path = tmp_path / "x.xlsx"
    rows = [["=1+1", "+32 470", "-2", "@SUM(A1)", "Dupont", Decimal("12.50")]]
    write_workbook(str(path), ["a", "b", "c", "d", "e", "f"], rows)
    ws = load_workbook(path).active
    values = [c.value for c in ws[2]]
    assert values[:5] == ["'=1+1", "'+32 470", "'-2", "'@SUM(A1)", "Dupont"]
    assert ws[2][5].value == 12.5 and "€" in ws[2][5].number_format
    assert safe_value(3) == 3


def test_pdf_fetcher_refuses_external_resources(app):
    from cpas.documents.pdf import local_fetcher

    with app.app_context():
        fetch = local_fetcher()
        assert fetch("http://localhost/static/css/app.css").read().startswith(b"/*")
        assert fetch("data:text/plain,bonjour").read() == b"bonjour"
        for refused in (
            "https://example.com/tracker.png",
            "http://example.com/static/css/app.css",
            "http://localhost/static/../cpas/config.py",
            "file:///etc/passwd",
        ):
            with pytest.raises(ValueError):
                fetch(refused)


def test_render_pdf_with_static_css(app):
    from cpas.documents.pdf import render_pdf

    with app.test_request_context():
        pdf = render_pdf("errors/error.html", code=200, title="Essai", message="Bonjour")
    assert pdf.startswith(b"%PDF")
