"""Uploads: the detected content decides the type and the stored extension."""

from __future__ import annotations

import io
import zipfile

import pytest

from cpas.uploads import detect_kind, name_with_extension


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\n", ("application/pdf", ".pdf")),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ("image/png", ".png")),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", ("image/jpeg", ".jpg")),
        (
            _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"}),
            ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
        ),
        (
            _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<w/>"}),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
        ),
        (
            _zip({"mimetype": b"application/vnd.oasis.opendocument.text"}),
            ("application/vnd.oasis.opendocument.text", ".odt"),
        ),
    ],
)
def test_detect_kind_from_content(data: bytes, expected: tuple[str, str]) -> None:
    assert tuple(detect_kind(data)) == expected


@pytest.mark.parametrize(
    "data", [b"<html><script>alert(1)</script>", b"PK\x03\x04garbage", b"", b"GIF89a"]
)
def test_unaccepted_content_has_no_kind(data: bytes) -> None:
    assert detect_kind(data) is None


def test_download_name_takes_the_detected_extension() -> None:
    assert name_with_extension("y.html", ".pdf") == "y.pdf"
    assert name_with_extension("devis", ".pdf") == "devis.pdf"
    assert name_with_extension(".html", ".pdf") == "fichier.pdf"
