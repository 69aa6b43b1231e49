"""One upload check, one Excel writer, and no copies of them; routes never commit.

``check_upload`` decides by size and by content (never by the name the sender chose);
``write_workbook`` / ``send_xlsx`` write formula-safe, formatted sheets and leave no
temporary file. A scan of ``cpas/`` fails when a module does the same work by itself, or
when a routes module commits or writes the audit log (a service does).
"""

from __future__ import annotations

import ast
import io
import os
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from PIL import Image
from werkzeug.datastructures import FileStorage

from cpas import uploads
from cpas.documents import xlsx
from cpas.documents.xlsx import DATE_FORMAT, EURO_FORMAT, Column, send_xlsx, write_workbook
from cpas.uploads import JPEG, PDF, PNG, UploadRefused, UploadRule, check_upload

ROOT = Path(__file__).resolve().parents[2]
CPAS = ROOT / "cpas"


# --------------------------------------------------------------------------- uploads


def _pdf(padding: int = 0) -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
        + b" " * padding
        + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def _png(size: tuple[int, int] = (4, 3)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(out, format="PNG")
    return out.getvalue()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (10, 10, 200)).save(out, format="JPEG")
    return out.getvalue()


def _file(data: bytes, name: str = "piece.pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


RULE = UploadRule(
    max_bytes=len(_pdf(200)),
    mimes=frozenset({PDF, PNG}),
    missing="Choisissez un fichier.",
    too_big="Fichier trop volumineux.",
    wrong_kind="Type de fichier non admis.",
    unreadable="Fichier illisible.",
    empty="Fichier vide.",
)


def _refusal(storage, rule=RULE) -> str:
    with pytest.raises(UploadRefused) as raised:
        check_upload(storage, rule)
    return str(raised.value)


def test_a_file_of_exactly_the_limit_is_accepted_one_byte_more_is_too_big():
    exact = _pdf(200)
    assert len(exact) == RULE.max_bytes
    assert check_upload(_file(exact), RULE).data == exact
    assert _refusal(_file(exact + b"\n")) == "Fichier trop volumineux."


def test_at_most_the_limit_plus_one_byte_is_read():
    class Counting(io.BytesIO):
        asked: list[int | None] = []

        def read(self, size=-1):
            self.asked.append(size)
            return super().read(size)

    stream = Counting(_pdf(200) + b" " * 10_000_000)
    assert _refusal(FileStorage(stream=stream, filename="gros.pdf")) == "Fichier trop volumineux."
    assert stream.asked == [RULE.max_bytes + 1]


def test_a_missing_or_empty_file_is_refused_with_its_message():
    assert _refusal(None) == "Choisissez un fichier."
    assert _refusal(_file(b"", name="")) == "Choisissez un fichier."
    assert _refusal(_file(b"", name="vide.pdf")) == "Fichier vide."
    without_empty_message = RULE._replace(empty=None)
    assert _refusal(_file(b"", name="vide.pdf"), without_empty_message) == (
        "Type de fichier non admis."
    )


def test_a_known_kind_that_the_domain_does_not_take_is_refused():
    roomy = RULE._replace(max_bytes=100_000)
    assert _refusal(_file(_jpeg(), "photo.jpg"), roomy) == "Type de fichier non admis."
    assert check_upload(_file(_jpeg(), "photo.jpg"), roomy._replace(mimes=None)).mime_type == JPEG


def test_html_renamed_as_pdf_is_refused():
    html = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
    assert _refusal(_file(html, "facture.pdf")) == "Type de fichier non admis."


def test_a_pdf_header_on_text_is_unreadable():
    assert _refusal(_file(b"%PDF-1.4\nbonjour\n", "faux.pdf")) == "Fichier illisible."


def test_a_truncated_png_is_unreadable():
    whole = _png((64, 64))
    assert check_upload(_file(whole, "image.png"), RULE).mime_type == PNG
    assert _refusal(_file(whole[: len(whole) // 2], "image.png")) == "Fichier illisible."
    zero_filled = whole[:60] + b"\0" * (len(whole) - 60)
    assert _refusal(_file(zero_filled, "image.png")) == "Fichier illisible."


def test_the_extension_comes_from_the_content_not_the_name():
    checked = check_upload(_file(_png(), "../../etc/rapport.pdf"), RULE)
    assert (checked.mime_type, checked.ext) == (PNG, ".png")
    assert checked.original_name == "etc_rapport.png"  # no path, the real extension
    pdf = check_upload(_file(_pdf(), "scan"), RULE)
    assert (pdf.ext, pdf.original_name) == (".pdf", "scan.pdf")


def test_the_stored_name_is_generated(tmp_path):
    with uploads.store_upload(tmp_path, _pdf(), ".pdf") as name:
        assert re.fullmatch(r"[0-9a-f]{32}\.pdf", name)
    assert (tmp_path / name).read_bytes() == _pdf()
    assert not list(tmp_path.glob(".*.part"))


# --------------------------------------------------------------------------- Excel


def _sheet(target):
    return load_workbook(target).active


def test_cells_that_a_spreadsheet_would_run_are_neutralised(tmp_path):
    path = tmp_path / "x.xlsx"
    evil = ["=1+1", "+32 2 123", "-cmd", "@SUM(A1)", "\tx", "\rx"]
    write_workbook(path, [f"C{i}" for i in range(len(evil) + 1)], [[*evil, -3]])
    values = [c.value for c in _sheet(path)[2]]
    assert values[:-1] == ["'" + v for v in evil]
    assert values[-1] == -3  # a number stays a number
    assert all(c.data_type != "f" for c in _sheet(path)[2])


def test_headers_are_written_as_given_in_bold(tmp_path, app):
    path = tmp_path / "x.xlsx"
    with app.test_request_context("/"):
        write_workbook(path, [Column(_l("Montant demandé")), "Nom", Column("Date")], [])
    header = _sheet(path)[1]
    assert [c.value for c in header] == ["Montant demandé", "Nom", "Date"]
    assert all(c.font.bold for c in header)


def test_amounts_get_the_euro_format_and_dates_the_belgian_one(tmp_path):
    path = tmp_path / "x.xlsx"
    rows = [[Decimal("1234.5"), date(2026, 3, 9), datetime(2026, 3, 9, 14, 5), "texte", 7]]
    write_workbook(path, ["Montant", "Date", "Moment", "Texte", "Nombre"], rows)
    amount, day, moment, text, number = _sheet(path)[2]
    assert amount.value == 1234.5 and amount.number_format == EURO_FORMAT
    assert day.number_format == DATE_FORMAT and day.value.date() == date(2026, 3, 9)
    assert moment.number_format == DATE_FORMAT
    assert text.number_format == "General" and number.number_format == "General"


def test_a_declared_format_and_grey_columns(tmp_path):
    path = tmp_path / "x.xlsx"
    columns = [Column("Code", number_format="0000"), Column("Calculé", grey=True), "Libre"]
    write_workbook(path, columns, [[12, Decimal("3.10"), None], [13, None, "y"]])
    sheet = _sheet(path)
    assert sheet["A2"].number_format == "0000"
    for cell in ("B1", "B2", "B3"):
        assert sheet[cell].fill.fgColor.rgb.endswith(xlsx.GREY), cell
    for cell in ("A1", "A2", "C1", "C2"):
        assert not sheet[cell].fill.fgColor.rgb.endswith(xlsx.GREY), cell
    assert sheet["B2"].number_format == EURO_FORMAT


def test_preamble_rows_come_before_the_headers(tmp_path):
    path = tmp_path / "x.xlsx"
    count = write_workbook(
        path, ["Nom"], [["Dupont"]], "Rapport REDI", preamble=[["Rapport 2026"], [], ["=danger"]]
    )
    sheet = _sheet(path)
    assert count == 1
    assert sheet.title == "Rapport REDI"
    assert [r[0].value if r else None for r in sheet.iter_rows()] == [
        "Rapport 2026",
        None,
        "'=danger",
        "Nom",
        "Dupont",
    ]


def test_progress_is_reported_every_thousand_rows(tmp_path):
    calls: list[int] = []
    count = write_workbook(
        tmp_path / "x.xlsx", ["N"], ([n] for n in range(2500)), progress=calls.append
    )
    assert (count, calls) == (2500, [1000, 2000])


def test_a_long_title_is_cut_to_the_sheet_name_limit(tmp_path):
    path = tmp_path / "x.xlsx"
    write_workbook(path, ["N"], [], "Un titre beaucoup trop long pour une feuille Excel")
    assert len(_sheet(path).title) == 31


@pytest.fixture
def temporaries(monkeypatch):
    """The temporary files send_xlsx creates."""
    made: list[str] = []
    real = xlsx.tempfile.NamedTemporaryFile

    def tracking(*args, **kwargs):
        handle = real(*args, **kwargs)
        made.append(handle.name)
        return handle

    monkeypatch.setattr(xlsx.tempfile, "NamedTemporaryFile", tracking)
    return made


def test_send_xlsx_streams_the_workbook_and_deletes_its_temporary_file(app, temporaries):
    with app.test_request_context("/"):
        response = send_xlsx("liste.xlsx", [Column("Nom")], [["=x"], ["Dupont"]], "Liste")
    assert response.is_streamed
    assert response.mimetype == xlsx.XLSX_MIME
    assert response.headers["Content-Disposition"] == 'attachment; filename="liste.xlsx"'
    (temporary,) = temporaries
    assert os.path.exists(temporary)  # written before the first byte is sent
    body = b"".join(response.response)
    response.close()
    assert not os.path.exists(temporary)
    sheet = _sheet(io.BytesIO(body))
    assert [c.value for c in sheet["A"]] == ["Nom", "'=x", "Dupont"]


def test_send_xlsx_deletes_its_temporary_file_when_writing_fails(app, temporaries):
    def rows():
        yield ["un"]
        raise OSError(28, "No space left on device")

    from openpyxl.worksheet._writer import ALL_TEMP_FILES

    before = set(ALL_TEMP_FILES)
    with app.test_request_context("/"), pytest.raises(OSError):
        send_xlsx("liste.xlsx", ["Nom"], rows())
    (temporary,) = temporaries
    assert not os.path.exists(temporary)
    # nor the sheet's own temporary file, which openpyxl would keep until the process exits
    assert set(ALL_TEMP_FILES) == before


# --------------------------------------------------------------------------- no copies

UPLOAD_CHECK = re.compile(r"\b(?:detect_kind|decodes)\(")
WORKBOOK = re.compile(r"\bWorkbook\(")


def _modules() -> list[Path]:
    return sorted(CPAS.rglob("*.py"))


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_only_the_upload_module_inspects_file_content():
    copies = [
        _relative(p)
        for p in _modules()
        if _relative(p) != "cpas/uploads.py" and UPLOAD_CHECK.search(p.read_text("utf-8"))
    ]
    assert copies == [], f"modules checking uploads by themselves (use check_upload): {copies}"


def test_only_the_excel_module_creates_workbooks():
    copies = [
        _relative(p)
        for p in _modules()
        if _relative(p) != "cpas/documents/xlsx.py" and WORKBOOK.search(p.read_text("utf-8"))
    ]
    assert copies == [], f"modules writing workbooks by themselves (use write_workbook): {copies}"


def _is_routes_module(path: Path) -> bool:
    parts = path.relative_to(CPAS).parts
    return "routes" in parts or path.stem == "routes" or path.stem.startswith("views_")


def _writes(tree: ast.AST) -> list[str]:
    """``db.session.commit()``, ``audit.record()`` or a ``record``/``commit`` imported from
    ``cpas.audit``/``cpas.concurrency``, called in ``tree``."""
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] in (
            "audit",
            "concurrency",
        ):
            imported |= {a.asname or a.name for a in node.names if a.name in ("record", "commit")}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        text = ast.unparse(node.func)
        if text in ("db.session.commit", "audit.record", "concurrency.commit") or (
            isinstance(node.func, ast.Name) and node.func.id in imported
        ):
            found.append(f"{text}() line {node.lineno}")
    return found


def test_routes_never_commit_nor_write_the_audit_log():
    routes = [p for p in _modules() if _is_routes_module(p)]
    assert len(routes) >= 7  # every domain has its routes
    offenders = {
        _relative(p): calls for p in routes if (calls := _writes(ast.parse(p.read_text("utf-8"))))
    }
    assert offenders == {}, f"routes that commit or audit (a service does): {offenders}"


@pytest.mark.parametrize(
    "source, caught",
    [
        ("db.session.commit()", True),
        ("audit.record('x.y', user=by)", True),
        ("from ..audit import record\nrecord('x.y')", True),
        ("from ..concurrency import commit as save\nsave(obj)", True),
        ("services.approve(obj, by)\ndb.session.rollback()", False),
    ],
)
def test_the_routes_scan_sees_commits_and_audit_writes(source, caught):
    assert bool(_writes(ast.parse(source))) is caught


def test_the_copy_scans_see_copies():
    assert UPLOAD_CHECK.search("kind = detect_kind(data)")
    assert UPLOAD_CHECK.search("if not uploads.decodes(kind, data):")
    assert WORKBOOK.search("wb = Workbook(write_only=True)")
    assert not WORKBOOK.search("load_workbook(path)")
