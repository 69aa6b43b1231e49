"""« Fiche signalétique » and « Assistants sociaux »: forms, inline lists, logo, isolation."""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
from sqlalchemy import select

from cpas.access.models import Organisation, OrganisationKind, Profile
from cpas.centre.models import CentrePhone, CentreProfile, OfficeHour, SocialWorker
from cpas.extensions import db
from tests.helpers import page_text, register_person_url

PROFILE = {
    "name": "CPAS de Test",
    "ins_code": "62063",
    "email": "accueil@cpas-test.be",
    "street": "Rue de la Loi",
    "house_number": "16",
    "box": "",
    "postal_code": "4000",
    "locality": "Liège",
    "version": "0",  # no fiche saved yet
}


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    raw = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


@pytest.fixture
def cpas(make_org, make_user):
    a = make_org(OrganisationKind.CPAS, name="CPAS A")
    b = make_org(OrganisationKind.CPAS, name="CPAS B")
    return a, b, make_user(a, all_access=True), make_user(b, all_access=True)


def test_save_profile_and_messages_next_to_fields(app, client, login_as, cpas):
    a, _b, user_a, _ = cpas
    login_as(user_a)
    bad = client.post("/centre/fiche", data={**PROFILE, "ins_code": "12", "postal_code": "40"})
    text = page_text(bad)
    assert bad.status_code == 422
    assert "5 chiffres" in text and "4 chiffres" in text
    ok = client.post("/centre/fiche", data=PROFILE)
    assert ok.status_code == 302
    with app.app_context():
        org = db.session.get(Organisation, a.id)
        assert (org.name, org.ins_code) == ("CPAS de Test", "62063")
        profile = db.session.scalar(select(CentreProfile))
        assert (profile.street, profile.locality) == ("Rue de la Loi", "Liège")
    assert 'value="Rue de la Loi"' in page_text(client.get("/centre/fiche"))


def test_phone_added_and_removed_inline(app, client, login_as, cpas):
    login_as(cpas[2])
    htmx = {"HX-Request": "true"}
    added = client.post(
        "/centre/fiche/numeros",
        data={"tel-kind": "fax", "tel-number": "04 220 00 01", "tel-holder": "Secrétariat"},
        headers=htmx,
    )
    assert added.status_code == 200
    text = page_text(added)
    assert text.lstrip().startswith('<div id="centre-phones"')
    assert "Fax" in text and "04 220 00 01" in text
    refused = client.post(
        "/centre/fiche/numeros", data={"tel-kind": "telephone", "tel-number": "abc"}, headers=htmx
    )
    assert refused.status_code == 422 and "Numéro invalide" in page_text(refused)
    with app.app_context():
        phone_id = db.session.scalar(select(CentrePhone.id))
    removed = client.post(f"/centre/fiche/numeros/{phone_id}/retirer", headers=htmx)
    assert "04 220 00 01" not in page_text(removed) and "Aucun numéro" in page_text(removed)


def test_logo_checked_by_content_and_shown_on_printed_documents(app, client, login_as, cpas):
    login_as(cpas[2])
    fake = client.post(
        "/centre/fiche/logo",
        data={"logo": (io.BytesIO(b"not an image at all"), "logo.png")},
        content_type="multipart/form-data",
    )
    assert fake.status_code == 422 and "pas une image PNG ou JPEG" in page_text(fake)
    big = client.post(
        "/centre/fiche/logo",
        data={"logo": (io.BytesIO(png_bytes() + b"\0" * 1_100_000), "logo.png")},
        content_type="multipart/form-data",
    )
    assert big.status_code == 422 and "1 Mo" in page_text(big)
    ok = client.post(
        "/centre/fiche/logo",
        data={"logo": (io.BytesIO(png_bytes()), "logo.png")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    served = client.get("/centre/fiche/logo")
    assert served.status_code == 200 and served.data == png_bytes()
    assert served.mimetype == "image/png"
    with app.app_context():
        stored = db.session.scalar(select(CentreProfile.logo_name))
        profile_id = db.session.scalar(select(Profile.id))
    assert stored and "logo" not in stored  # generated name, outside static/
    printed = page_text(client.get(f"/acces/profils/{profile_id}/imprimer"))
    assert re.search(
        r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="Logo du CPAS"', printed
    )
    client.post("/centre/fiche/logo/supprimer")
    assert client.get("/centre/fiche/logo").status_code == 404
    assert "Logo du CPAS" not in page_text(client.get(f"/acces/profils/{profile_id}/imprimer"))


@pytest.mark.parametrize(
    "upload,message",
    [
        (None, "Choisissez un fichier image (PNG ou JPEG)."),
        ((b"", "vide.png"), "Ce fichier n'est pas une image PNG ou JPEG."),
        ((b"GIF89a" + b"\0" * 64, "logo.gif"), "Ce fichier n'est pas une image PNG ou JPEG."),
        ((b"%PDF-1.4\n" + b"\0" * 64, "logo.pdf"), "Ce fichier n'est pas une image PNG ou JPEG."),
        (
            (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "logo.png"),
            "Cette image est illisible ou endommagée.",
        ),
        ((png_bytes() + b"\0" * (1024 * 1024), "logo.png"), "Le logo dépasse 1 Mo."),
    ],
    ids=["missing", "empty", "gif", "pdf", "zero-filled png", "over 1 Mo"],
)
def test_logo_refused_with_its_message_and_nothing_stored(
    app, client, login_as, cpas, upload, message
):
    login_as(cpas[2])
    data = {} if upload is None else {"logo": (io.BytesIO(upload[0]), upload[1])}
    response = client.post("/centre/fiche/logo", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in page_text(response).replace("&#39;", "'")
    with app.app_context():
        assert db.session.scalar(select(CentreProfile.logo_name)) is None


def test_a_jpeg_logo_is_accepted_whatever_its_name(app, client, login_as, cpas):
    from PIL import Image

    login_as(cpas[2])
    jpeg = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(jpeg, "JPEG")
    response = client.post(
        "/centre/fiche/logo",
        data={"logo": (io.BytesIO(jpeg.getvalue()), "photo.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    served = client.get("/centre/fiche/logo")
    assert served.mimetype == "image/jpeg" and served.data == jpeg.getvalue()


def test_logo_of_another_cpas_is_never_served(app, client, login_as, cpas):
    login_as(cpas[2])
    client.post(
        "/centre/fiche/logo",
        data={"logo": (io.BytesIO(png_bytes()), "logo.png")},
        content_type="multipart/form-data",
    )
    login_as(cpas[3])
    assert client.get("/centre/fiche/logo").status_code == 404


def test_workers_create_office_hours_archive_and_reactivate(app, client, login_as, cpas):
    login_as(cpas[2])
    missing = client.post("/centre/assistants/nouveau", data={"last_name": "", "first_name": ""})
    assert missing.status_code == 422 and "obligatoire" in page_text(missing)
    created = client.post(
        "/centre/assistants/nouveau",
        data={"last_name": "Lambert", "first_name": "Sophie", "email": "s@cpas-a.be"},
    )
    worker_id = int(created.headers["Location"].split("/")[-1])
    htmx = {"HX-Request": "true"}
    wrong = client.post(
        f"/centre/assistants/{worker_id}/permanences",
        data={
            "perm-weekday": "0",
            "perm-start_time": "12:00",
            "perm-end_time": "09:00",
            "perm-place": "Siège",
        },
        headers=htmx,
    )
    assert wrong.status_code == 422 and "doit suivre" in page_text(wrong)
    added = client.post(
        f"/centre/assistants/{worker_id}/permanences",
        data={
            "perm-weekday": "3",
            "perm-start_time": "09:00",
            "perm-end_time": "12:00",
            "perm-place": "Antenne Nord",
        },
        headers=htmx,
    )
    assert "Jeudi" in page_text(added) and "Antenne Nord" in page_text(added)
    with app.app_context():
        hour_id = db.session.scalar(select(OfficeHour.id))
    assert "Jeudi 09:00–12:00" in page_text(client.get("/centre/assistants"))
    removed = client.post(
        f"/centre/assistants/{worker_id}/permanences/{hour_id}/supprimer", headers=htmx
    )
    assert "Aucune permanence" in page_text(removed)
    client.post(f"/centre/assistants/{worker_id}/archiver")
    assert "<td>Lambert</td>" not in page_text(client.get("/centre/assistants"))
    assert "<td>Lambert</td>" in page_text(client.get("/centre/assistants?inactifs=1"))
    client.post(f"/centre/assistants/{worker_id}/reactiver")
    with app.app_context():
        assert db.session.get(SocialWorker, worker_id).active is True


def test_a_worker_can_be_assigned_to_a_dossier(app, client, login_as, cpas):
    """The dossier references offer the CPAS's active workers (not another CPAS's)."""
    from datetime import date

    from tests.dossiers.conftest import ADDRESS, add_person

    with app.app_context():
        person = add_person("DURAND", "Léa", "F", date(1990, 1, 2), 2)
        db.session.commit()
        ref = person.id
        for org, name in ((cpas[0], "Visible"), (cpas[1], "Autrecpas")):
            db.session.add(SocialWorker(organisation_id=org.id, last_name=name, first_name="A"))
        db.session.commit()
    login_as(cpas[2])
    created = client.post(register_person_url(client, ref), data={"action": "x", **ADDRESS})
    dossier_id = created.headers["Location"].split("/")[-1]
    form = page_text(client.get(f"/dossiers/{dossier_id}/references/modifier"))
    assert "A Visible" in form and "Autrecpas" not in form
    with app.app_context():
        worker_id = db.session.scalar(
            select(SocialWorker.id).where(SocialWorker.last_name == "Visible")
        )
        other_id = db.session.scalar(
            select(SocialWorker.id).where(SocialWorker.last_name == "Autrecpas")
        )
    saved = client.post(
        f"/dossiers/{dossier_id}/references/modifier",
        data={
            "dossier_number": "X1",
            "opened_on": "01/01/2026",
            "social_worker_id": str(worker_id),
            "version": "1",
        },
    )
    assert saved.status_code == 200 and "A Visible" in page_text(saved)
    refused = client.post(
        f"/dossiers/{dossier_id}/references/modifier",
        data={
            "dossier_number": "X1",
            "opened_on": "01/01/2026",
            "social_worker_id": str(other_id),
            "version": "2",
        },
    )
    assert refused.status_code == 422


def test_refused_number_without_javascript_keeps_the_saved_fiche(app, client, login_as, cpas):
    login_as(cpas[2])
    client.post("/centre/fiche", data=PROFILE)
    refused = client.post("/centre/fiche/numeros", data={"tel-kind": "fax", "tel-number": "abc"})
    text = page_text(refused)
    assert refused.status_code == 422 and "Numéro invalide" in text
    assert 'value="Rue de la Loi"' in text and 'value="62063"' in text


def test_view_only_user_sees_the_fiche_without_the_form(app, client, login_as, cpas, make_user):
    login_as(cpas[2])
    client.post("/centre/fiche", data=PROFILE)
    login_as(make_user(cpas[0], functions=["centre.view"]))
    text = page_text(client.get("/centre/fiche"))
    assert "Rue de la Loi" in text and "Enregistrer" not in text
    assert client.post("/centre/fiche", data=PROFILE).status_code == 403
