"""Backups taken while users write, restored into a fresh instance: every file row has its file."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from cpas import create_app
from cpas.access.models import Organisation, OrganisationKind, User
from cpas.cli import make_backup
from cpas.extensions import db
from cpas.water_fund import services
from cpas.water_fund.files import CheckedFile
from cpas.water_fund.models import WaterRequest
from tests.conftest import USE_POSTGRES, base_config

pytestmark = pytest.mark.skipif(
    USE_POSTGRES, reason="the built-in backup is SQLite's; PostgreSQL backups are pg_dump's job"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def water_request(app, make_org, make_user):
    cpas = make_org(OrganisationKind.CPAS, name="CPAS Sauvegarde")
    dist = make_org(OrganisationKind.DISTRIBUTOR, name="Distributeur Sauvegarde")
    user = make_user(cpas, all_access=True)
    with app.app_context():
        db.session.get(Organisation, cpas.id).distributors = [db.session.get(Organisation, dist.id)]
        db.session.info["write"] = True
        request_id = db.session.execute(
            insert(WaterRequest).returning(WaterRequest.id),
            [
                {
                    "kind": "fse",
                    "cpas_id": cpas.id,
                    "distributor_id": dist.id,
                    "year": date.today().year,
                    "status": "SOUMISE",
                    "version": 1,
                    "last_name": "Sauvegarde",
                    "first_name": "Test",
                    "street": "Rue",
                    "house_number": "1",
                    "postal_code": "4000",
                    "locality": "Liège",
                    "client_number": "C1",
                    "name_key": "sauvegarde",
                    "first_key": "test",
                    "client_key": "c1",
                    "ref_key": "",
                    "requested_amount": Decimal("10.00"),
                    "recurrence": "ponctuelle",
                    "billing_different": False,
                }
            ],
        ).scalar_one()
        db.session.commit()
        db.session.info.pop("write", None)
    return request_id, user.id


def _writer(app, request_id: int, user_id: int, stop: threading.Event, written: list, errors):
    """Upload files through the real service, as fast as it goes, until told to stop."""
    try:
        with app.app_context():
            while not stop.is_set():
                db.session.info["write"] = True
                row = db.session.get(WaterRequest, request_id)
                user = db.session.get(User, user_id)
                n = len(written)
                data = PDF + f"% file {n}\n".encode()
                checked = CheckedFile(
                    data=data, mime_type="application/pdf", original_name=f"f{n}.pdf", ext=".pdf"
                )
                stored = services.add_file(row, "courrier", checked, user)
                written.append((stored.stored_name, data))
                db.session.info.pop("write", None)
                db.session.remove()
    except Exception as exc:  # pragma: no cover - reported by the test
        errors.append(exc)


def _file_rows(database: Path) -> list[str]:
    with sqlite3.connect(database) as conn:
        return [name for (name,) in conn.execute("SELECT stored_name FROM water_file")]


def _fresh_instance(tmp_path: Path, name: str):
    folder = tmp_path / name
    folder.mkdir()
    return create_app(base_config(f"sqlite:///{folder / 'cpas.sqlite'}", folder)), folder


def test_a_backup_taken_under_writes_restores_every_file_row_with_its_file(
    app, tmp_path, water_request
):
    request_id, user_id = water_request
    stop, written, errors = threading.Event(), [], []
    writer = threading.Thread(
        target=_writer, args=(app, request_id, user_id, stop, written, errors)
    )
    writer.start()
    try:
        while len(written) < 150 and not errors and writer.is_alive():
            threading.Event().wait(0.05)
        with app.app_context():
            folder = make_backup(tmp_path / "backups")  # the writer keeps going meanwhile
        after = len(written)
        while len(written) < after + 5 and not errors and writer.is_alive():
            threading.Event().wait(0.05)
    finally:
        stop.set()
        writer.join(timeout=60)
    assert not errors, errors
    assert len(written) > after  # it did write during and after the backup

    fresh, instance = _fresh_instance(tmp_path, "fresh")
    result = fresh.test_cli_runner().invoke(args=["restore", str(folder)])
    assert result.exit_code == 0, result.output
    restored = _file_rows(instance / "cpas.sqlite")
    assert len(restored) >= 150
    contents = dict(written)
    for name in restored:  # every file row of the restored database has its file, whole
        assert (instance / "uploads" / "water" / name).read_bytes() == contents[name]
    with sqlite3.connect(instance / "cpas.sqlite") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        heads = {v for (v,) in conn.execute("SELECT version_num FROM alembic_version")}
    with app.app_context():
        migrated = {
            v for (v,) in db.session.execute(db.text("SELECT version_num FROM alembic_version"))
        }
    assert heads == migrated  # restored, then upgraded to the code's heads

    # The restored instance serves: its rows are readable through the app.
    with fresh.app_context():
        assert db.session.scalar(select(WaterRequest.last_name)) == "Sauvegarde"
        db.engine.dispose()


def test_restore_refuses_a_non_empty_instance_without_force(app, tmp_path, water_request):
    with app.app_context():
        folder = make_backup(tmp_path / "backups")
    fresh, instance = _fresh_instance(tmp_path, "fresh")
    runner = fresh.test_cli_runner()
    assert runner.invoke(args=["restore", str(folder)]).exit_code == 0
    again = runner.invoke(args=["restore", str(folder)])
    assert again.exit_code != 0 and "--force" in again.output
    forced = runner.invoke(args=["restore", str(folder), "--force"])
    assert forced.exit_code == 0, forced.output
    assert list(instance.glob("cpas.sqlite.before-restore-*"))  # the replaced one is kept aside


def test_restore_refuses_a_corrupt_copy_and_changes_nothing(app, tmp_path, water_request):
    with app.app_context():
        folder = make_backup(tmp_path / "backups")
    copy = folder / "cpas.sqlite"
    data = bytearray(copy.read_bytes())
    data[4096:8192] = b"\xff" * 4096  # a page of garbage
    copy.write_bytes(bytes(data))
    fresh, instance = _fresh_instance(tmp_path, "fresh")
    result = fresh.test_cli_runner().invoke(args=["restore", str(folder)])
    assert result.exit_code != 0 and "corrompue" in result.output
    assert not (instance / "cpas.sqlite").exists()


def test_the_backup_folder_may_live_outside_the_instance(app, tmp_path, water_request):
    elsewhere = tmp_path / "mnt" / "backups"
    app.config["BACKUP_DIR"] = str(elsewhere)
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    (folder,) = elsewhere.iterdir()
    assert (folder / "cpas.sqlite").is_file()
    assert not (Path(app.instance_path) / "backups").exists()


def test_uploads_being_written_are_left_out_and_a_vanishing_file_is_no_error(
    app, tmp_path, water_request, monkeypatch
):
    water = Path(app.instance_path) / "uploads" / "water"
    water.mkdir(parents=True, exist_ok=True)
    (water / ".0f49610f.pdf.part").write_bytes(b"%PDF-1.4 half written")
    (water / "kept.pdf").write_bytes(b"%PDF-1.4 stored")
    (water / "removed.pdf").write_bytes(b"%PDF-1.4 about to be removed")
    real_copy = shutil.copy2

    def copy_while_a_failed_upload_is_removed(source, target, **kwargs):
        if Path(source).name == "removed.pdf":
            Path(source).unlink()  # its commit failed: the writer removes it meanwhile
        return real_copy(source, target, **kwargs)

    monkeypatch.setattr(shutil, "copy2", copy_while_a_failed_upload_is_removed)
    with app.app_context():
        folder = make_backup()
    copied = {p.name for p in (folder / "uploads" / "water").iterdir()}
    assert copied == {"kept.pdf"}
