"""The logo on printed documents comes through ``documents.branding``: a CPAS's water and
REDI PDFs show its logo; a distributor's PDF has none, and prints without error."""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest

from cpas.access.models import OrganisationKind
from cpas.documents import branding
from tests.helpers import page_text
from tests.redi.conftest import redi  # noqa: F401  (the REDI world: a CPAS and its campaign)

#: How WeasyPrint (pydyf) writes an embedded picture: an image XObject.
IMAGE = re.compile(rb"/Subtype\s*/Image")


def big_png(size: int = 64) -> bytes:
    """A real RGB PNG of ``size``×``size`` pixels (large enough to stay an image XObject)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + bytes((x * 4 % 256, 80, 160)) * size for x in range(size))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _upload_logo(client) -> None:
    response = client.post(
        "/centre/fiche/logo",
        data={"logo": (io.BytesIO(big_png()), "logo.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, page_text(response)


def _images(pdf: bytes) -> int:
    assert pdf.startswith(b"%PDF"), pdf[:200]
    return len(IMAGE.findall(pdf))


@pytest.fixture
def water_users(make_org, make_user):
    cpas = make_org(OrganisationKind.CPAS, name="CPAS Logo")
    dist = make_org(OrganisationKind.DISTRIBUTOR, name="Distributeur Logo")
    return make_user(cpas, all_access=True), make_user(dist, all_access=True)


def test_water_pdf_of_a_cpas_shows_its_logo(client, login_as, water_users):
    login_as(water_users[0])
    before = client.get("/fonds-eau/fse/export.pdf")
    assert before.status_code == 200 and _images(before.data) == 0
    _upload_logo(client)
    after = client.get("/fonds-eau/fse/export.pdf")
    assert after.status_code == 200 and _images(after.data) == 1


def test_water_pdf_of_a_distributor_has_no_logo(client, login_as, water_users):
    login_as(water_users[0])
    _upload_logo(client)  # a CPAS has a logo; the distributor prints without one
    login_as(water_users[1])
    response = client.get("/fonds-eau/fse/export.pdf")
    assert response.status_code == 200 and _images(response.data) == 0


def test_redi_pdf_shows_the_cpas_logo(client, login_as, make_user, redi):  # noqa: F811
    login_as(make_user(redi.cpas, all_access=True))
    url = f"/redi/campagnes/{redi.campaign_id}/rapport.pdf"
    assert _images(client.get(url).data) == 0
    _upload_logo(client)
    assert _images(client.get(url).data) == 1


def test_no_provider_means_no_logo_and_no_error(app, client, login_as, water_users, monkeypatch):
    """Documents know no domain: without the centre's provider the header has no image."""
    login_as(water_users[0])
    _upload_logo(client)
    monkeypatch.setattr(branding, "_PROVIDERS", [])
    response = client.get("/fonds-eau/fse/export.pdf")
    assert response.status_code == 200 and _images(response.data) == 0


def test_documents_depend_on_no_domain():
    """The print header and cpas/documents name no domain (the centre registers itself)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    header = (root / "templates" / "_print_header.html").read_text()
    assert "logo_data_url(" in header and not re.search(r"centre\w*\(", header)
    for module in (root / "cpas" / "documents").glob("*.py"):
        source = module.read_text()
        assert not re.search(
            r"(from|import)\s+(cpas|\.\.)\.?(centre|dossiers|water_fund|redi)", source
        ), module
