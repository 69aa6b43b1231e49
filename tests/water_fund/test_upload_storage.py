"""A water-fund file the disk refuses (full, read-only, a file where the folder should be):
a clear message next to the file field, the typed form kept, no row and no file left."""

from __future__ import annotations

import errno
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cpas import uploads
from cpas.extensions import db
from cpas.water_fund.models import WaterFile, WaterRequest
from tests.helpers import page_text
from tests.water_fund.conftest import PDF

MESSAGE = "Le fichier n'a pas pu être enregistré (espace disque ou dossier indisponible)"


def _fat_form(world) -> dict:  # type: ignore[type-arg]
    return {
        "distributor_id": world.dist_x.id,
        "last_name": "Dupont",
        "first_name": "Marie",
        "street": "Rue des Tanneurs",
        "house_number": "17",
        "postal_code": "4000",
        "locality": "Liège",
        "client_number": "CLI-774",
        "contact_name": "Sophie Lambert",
        "contact_phone": "081000000",
        "contact_email": "contact@cpas-a.be",
        "works_type": "fuite",
        "quote_amount": "1.250,00",
        "requested_amount": "980,50",
        "payee": "contractor",
        "contractor_name": "Plomberie Dubois",
        "contractor_iban": "BE68 5390 0754 7034",
        "quote": (BytesIO(PDF), "devis.pdf"),
    }


def _files_on_disk(app) -> list[str]:
    """Every file under the uploads folder, temporary ones (« .x.part ») included."""
    folder = Path(app.instance_path) / "uploads"
    if not folder.is_dir():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _half_then(code: int):
    """A write that puts half the bytes on disk, then fails like a full or read-only disk."""
    real_write = uploads._write

    def write(path, data):
        real_write(path, data[: len(data) // 2])
        raise OSError(code, "No space left on device" if code == errno.ENOSPC else "Read-only")

    return write


def _refuse_rename(*_args):
    raise OSError(errno.EROFS, "Read-only file system")


def _break_storage(app, monkeypatch, how: str) -> None:
    if how == "enospc":
        monkeypatch.setattr(uploads, "_write", _half_then(errno.ENOSPC))
    elif how == "erofs-write":
        monkeypatch.setattr(uploads, "_write", _half_then(errno.EROFS))
    elif how == "erofs-rename":
        monkeypatch.setattr(uploads.os, "replace", _refuse_rename)
    else:  # a file where the folder should be
        folder = Path(app.instance_path) / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "water").write_text("not a folder")


HOW = ["enospc", "erofs-write", "erofs-rename", "file-as-folder"]


@pytest.mark.parametrize("how", HOW)
def test_fat_create_keeps_the_typed_form_and_saves_nothing(
    app, client, login_as, world, monkeypatch, how
):
    login_as(world.user_a)
    _break_storage(app, monkeypatch, how)
    before = _files_on_disk(app)
    response = client.post(
        "/fonds-eau/fat/nouvelle", data=_fat_form(world), content_type="multipart/form-data"
    )
    assert response.status_code == 503
    html = page_text(response)
    # the message sits next to the quote field
    quote_msg = html[html.index('id="quote-msg"') :]
    assert quote_msg.split("</div>", 1)[0].count(MESSAGE) == 1
    for typed in ('value="Rue des Tanneurs"', 'value="CLI-774"', 'value="Plomberie Dubois"'):
        assert typed in html
    assert 'value="980,50"' in html or 'value="980.50"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count(WaterRequest.id))) == 0
        assert db.session.scalar(select(func.count(WaterFile.id))) == 0
    assert _files_on_disk(app) == before  # nothing new: no partial, no temporary file


@pytest.mark.parametrize("how", HOW)
def test_added_file_refused_by_the_disk_leaves_no_row_and_no_file(
    app, client, login_as, world, new_request, monkeypatch, how
):
    request_id = new_request("fse")
    login_as(world.user_a)
    _break_storage(app, monkeypatch, how)
    before = _files_on_disk(app)
    response = client.post(
        f"/fonds-eau/fse/{request_id}/fichiers",
        content_type="multipart/form-data",
        headers={"HX-Request": "true"},
        data={"file_type": "facture", "file": (BytesIO(PDF), "facture.pdf")},
    )
    assert response.status_code == 503
    html = page_text(response)
    assert MESSAGE in html[html.index('id="file-msg"') :].split("</div>", 1)[0]
    assert '<option value="facture" selected>' in html  # the chosen type kept
    with app.app_context():
        assert db.session.scalar(select(func.count(WaterFile.id))) == 0
    assert _files_on_disk(app) == before


def test_a_failed_commit_removes_the_stored_file(app, world, new_request, monkeypatch):
    """The file is written before the commit; a commit that fails takes it away again."""
    from cpas.access.models import User
    from cpas.water_fund import services
    from tests.water_fund.conftest import pdf

    request_id = new_request("fse")
    before = _files_on_disk(app)
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        user = db.session.get(User, world.user_a.id)

        def lost(*_args, **_kwargs):
            raise RuntimeError("database went away")

        monkeypatch.setattr(db.session, "commit", lost)
        with pytest.raises(RuntimeError):
            services.add_file(row, "facture", pdf("facture.pdf"), user)
        monkeypatch.undo()
        db.session.rollback()
        assert db.session.scalar(select(func.count(WaterFile.id))) == 0  # an FSE has no quote
    assert _files_on_disk(app) == before


def test_a_file_missing_on_disk_is_not_found_not_a_500(app, client, login_as, world, new_request):
    from pathlib import Path

    from sqlalchemy import select

    from cpas.extensions import db
    from cpas.water_fund.models import WaterFile

    request_id = new_request("fat")
    with app.app_context():
        stored = db.session.scalars(
            select(WaterFile).where(WaterFile.request_id == request_id)
        ).one()
        (Path(app.instance_path) / "uploads" / "water" / stored.stored_name).unlink()
        file_id = stored.id
    login_as(world.user_a)
    assert client.get(f"/fonds-eau/fichiers/{file_id}").status_code == 404
