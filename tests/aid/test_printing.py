"""« Impression » of an aid request for the Council (seed 001 §17.4, issue 14 §9): the parts
all ticked, some unticked, the HTML preview and the PDF (logo and address of the CPAS,
dossier and request numbers, « Confidentiel », « Page X / Y », the date printed), audited
with the NISS, rendered in a child bounded in time and memory."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from cpas.audit import AuditEntry
from cpas.extensions import db
from tests.conftest import USE_POSTGRES
from tests.helpers import page_text
from tests.helpers import pdf_text as _pdf_text

ALL_PARTS = ["demande", "rapport", "proposition", "menage", "integrations"]
REPORT = "Madame DUPONT a perdu son emploi en janvier et ne peut plus payer son loyer."
LONG_REPORT = "\n\n".join(f"Paragraphe {n} : " + "situation détaillée. " * 60 for n in range(40))
PROPOSAL = "Octroyer une aide financière ponctuelle de 750 EUR pour les arriérés de loyer."


@pytest.fixture
def printable(app, aid_world, make_request):
    """CPAS A's request n° 1 of DUPONT Marie with a report and a proposal (« en cours »)."""
    from cpas.aid.lifecycle import AID
    from cpas.aid.models import AidRequest
    from cpas.dossiers.models import Dossier

    made = make_request(aid_world.dossier_a, aid_world.social_a, date.today(), report=REPORT)
    with app.app_context():
        req = db.session.get(AidRequest, made.id)
        actor = db.session.get(type(aid_world.social_a), aid_world.social_a.id)
        assert req is not None
        AID.fire(
            req,
            "proposal",
            actor,
            req.version,
            {"proposal": PROPOSAL, "meeting_date": date.today()},
        )
        dossier_number = db.session.get(Dossier, aid_world.dossier_a.id).dossier_number
    made.dossier_number = dossier_number
    return made


def pdf_text(data: bytes) -> str:
    """``tests.helpers.pdf_text``, sure to read every page: its pattern takes a stream's
    last byte for the ``\\r`` of ``\\r\\n`` when the compressed data ends with ``\\r`` (one
    stream in 256), and that page's text is lost. WeasyPrint ends a stream with ``\\n``
    only, so a ``\\r`` before ``endstream`` is data: give it back its line end."""
    return _pdf_text(data.replace(b"\r\nendstream", b"\r\n\nendstream"))


def urls(dossier, req) -> dict[str, str]:
    base = f"/dossiers/{dossier.id}/demandes/{req.id}/impression"
    return {"print": base, "preview": f"{base}/apercu", "pdf": f"{base}/pdf"}


def preview_url(dossier, req, parts: list[str]) -> str:
    return urls(dossier, req)["preview"] + "?" + "&".join(f"partie={p}" for p in parts)


def post_pdf(client, dossier, req, parts: list[str], **extra: str):
    return client.post(urls(dossier, req)["pdf"], data={"partie": parts, **extra})


def audit_rows(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# ------------------------------------------------------------------ access


def test_without_the_print_function_every_print_route_is_refused(
    client, login_as, aid_world, printable
):
    login_as(aid_world.viewer_a)
    u = urls(aid_world.dossier_a, printable)
    assert client.get(u["print"]).status_code == 403
    assert client.get(preview_url(aid_world.dossier_a, printable, ALL_PARTS)).status_code == 403
    assert post_pdf(client, aid_world.dossier_a, printable, ALL_PARTS).status_code == 403


def test_the_print_function_is_the_rule_of_the_three_routes(app):
    from cpas.security import access_rule

    for endpoint in ("aid.print", "aid.print_preview", "aid.print_pdf"):
        assert access_rule(app.view_functions[endpoint]) == ("function", ("aid.print",)), endpoint


def test_another_cpas_request_is_not_found(client, login_as, aid_world, printable):
    login_as(aid_world.director_b)
    u = urls(aid_world.dossier_a, printable)
    assert client.get(u["print"]).status_code == 404
    assert client.get(preview_url(aid_world.dossier_a, printable, ALL_PARTS)).status_code == 404
    assert post_pdf(client, aid_world.dossier_a, printable, ALL_PARTS).status_code == 404
    # nor through one of its own dossiers
    own = urls(aid_world.dossier_b, printable)
    assert client.get(own["print"]).status_code == 404
    assert not audit_rows(client.application, "aid.print")


# ------------------------------------------------------------------ the selection


def test_the_print_page_lists_every_part_all_ticked(client, login_as, aid_world, printable):
    from cpas.aid.printing import parts

    login_as(aid_world.social_a)
    response = client.get(urls(aid_world.dossier_a, printable)["print"])
    assert response.status_code == 200
    html = page_text(response)
    ticked = re.findall(r'<input type="checkbox" name="partie" value="(\w+)" checked>', html)
    # every registered part (the inquiry adds its own after these), all ticked
    assert ticked == [p.code for p in parts()]
    assert ticked[:5] == ALL_PARTS
    for label in ("Demande", "Rapport", "Proposition", "Composition de ménage", "Intégrations"):
        assert f"> {label}</label>" in html, label
    assert "Prévisualiser l'impression" in html and "Imprimer (PDF)" in html
    assert 'aria-current="page">Impression</a>' in html  # the request menu says where we are


def test_no_part_ticked_is_refused_next_to_the_list(client, login_as, aid_world, printable):
    login_as(aid_world.social_a)
    message = "Cochez au moins une partie à imprimer."
    for response in (
        post_pdf(client, aid_world.dossier_a, printable, []),
        client.get(urls(aid_world.dossier_a, printable)["preview"]),
    ):
        assert response.status_code == 422
        html = page_text(response)
        assert message in html
        assert 'value="demande" checked' not in html  # nothing ticked behind their back
    assert not audit_rows(client.application, "aid.print")
    assert not audit_rows(client.application, "aid.print_preview")


def test_an_unknown_part_is_refused(client, login_as, aid_world, printable):
    login_as(aid_world.social_a)
    for response in (
        post_pdf(client, aid_world.dossier_a, printable, ["demande", "salaire"]),
        client.get(preview_url(aid_world.dossier_a, printable, ["demande", "<script>"])),
    ):
        assert response.status_code == 422
        assert "Cette partie n'existe pas" in page_text(response)
        assert response.mimetype == "text/html"


def test_the_preview_button_goes_to_a_url_of_part_codes_only(
    client, login_as, aid_world, printable
):
    login_as(aid_world.social_a)
    response = post_pdf(
        client, aid_world.dossier_a, printable, ["menage", "demande"], action="apercu"
    )
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.endswith(
        f"/dossiers/{aid_world.dossier_a.id}/demandes/{printable.id}/impression/apercu"
        "?partie=demande&partie=menage"
    ), location
    assert "csrf" not in location and aid_world.dossier_a.niss not in location


# ------------------------------------------------------------------ the preview


def test_the_preview_shows_the_ticked_parts_only(app, client, login_as, aid_world, printable):
    login_as(aid_world.social_a)
    response = client.get(preview_url(aid_world.dossier_a, printable, ["demande", "menage"]))
    assert response.status_code == 200
    html = page_text(response)
    assert "Aperçu de l'impression" in html and "Confidentiel" in html
    assert f"Dossier n° {printable.dossier_number} — Demande d'aide n° 1" in html
    assert "Aide sociale financière : arriérés de loyer." in html  # the nature (Demande)
    assert "LEFEBVRE" in html and "Lucas" in html  # de facto and official household
    assert REPORT not in html and PROPOSAL not in html
    assert 'id="partie-rapport"' not in html
    # the PDF form of the preview posts the same parts; « Retour » keeps them ticked
    assert re.findall(r'<input type="hidden" name="partie" value="(\w+)">', html) == [
        "demande",
        "menage",
    ]
    back = re.search(r'href="([^"]*impression\?[^"]*)">Retour<', html)
    assert back, "no « Retour »"
    again = page_text(client.get(back.group(1).replace("&amp;", "&")))
    assert re.findall(r'value="(\w+)" checked>', again) == ["demande", "menage"]
    rows = audit_rows(app, "aid.print_preview")
    assert [(r.niss, r.details) for r in rows] == [(aid_world.dossier_a.niss, "demande, menage")]


def test_the_preview_of_every_part(client, login_as, aid_world, printable):
    login_as(aid_world.social_a)
    html = page_text(client.get(preview_url(aid_world.dossier_a, printable, ALL_PARTS)))
    assert REPORT in html and PROPOSAL in html
    assert f"Date prévue de réunion :</strong> {date.today():%d/%m/%Y}" in html
    # the integration « en enquête » (001) made when the request was created
    assert "001" in html and "Aucune intégration sur cette période." in html  # Jean: none
    order = [html.index(f'id="partie-{code}"') for code in ALL_PARTS]
    assert order == sorted(order)


def test_a_part_with_nothing_saved_says_so(client, login_as, aid_world, make_request):
    bare = make_request(aid_world.dossier_a2, aid_world.social_a)
    login_as(aid_world.social_a)
    html = page_text(client.get(preview_url(aid_world.dossier_a2, bare, ALL_PARTS)))
    assert "Aucun rapport enregistré." in html
    assert "Aucune proposition enregistrée." in html


# ------------------------------------------------------------------ the PDF


def test_the_pdf_has_the_ticked_parts_and_the_council_header(
    app, client, login_as, aid_world, printable
):
    login_as(aid_world.social_a)
    response = post_pdf(client, aid_world.dossier_a, printable, ALL_PARTS)
    assert response.status_code == 200, page_text(response)
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    assert REPORT in text and PROPOSAL in text
    assert "LEFEBVRE" in text and "Jean" in text and "Lucas" in text
    assert "Confidentiel" in text and "Page 1 / " in text
    assert f"Dossier n° {printable.dossier_number} — Demande d'aide n° 1" in text
    assert f"Imprimé le {date.today():%d/%m/%Y} à " in text
    assert "CPAS A" in text
    rows = audit_rows(app, "aid.print")
    assert [(r.niss, r.details) for r in rows] == [(aid_world.dossier_a.niss, ", ".join(ALL_PARTS))]


def test_unticked_parts_are_not_in_the_pdf(client, login_as, aid_world, printable):
    login_as(aid_world.social_a)
    response = post_pdf(client, aid_world.dossier_a, printable, ["demande", "proposition"])
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert PROPOSAL in text
    assert REPORT not in text
    assert "LEFEBVRE" not in text  # no household
    assert "Composition de ménage" not in text


def test_confidential_and_the_page_number_on_every_page(
    app, client, login_as, aid_world, make_request
):
    req = make_request(aid_world.dossier_a2, aid_world.social_a, report=LONG_REPORT)
    login_as(aid_world.social_a)
    response = post_pdf(client, aid_world.dossier_a2, req, ["rapport"])
    assert response.status_code == 200
    text = pdf_text(response.data)
    found = re.search(r"Page 1 / (\d+)", text)
    assert found, text[-2000:]
    pages = int(found.group(1))
    assert pages >= 3
    assert text.count("Confidentiel") == pages
    for page in range(1, pages + 1):
        assert f"Page {page} / {pages}" in text


def test_the_pdf_prints_the_centre_address_and_logo(app, client, login_as, aid_world, printable):
    from cpas.centre.models import CentreProfile

    with app.app_context():
        db.session.add(
            CentreProfile(
                organisation_id=aid_world.cpas_a.id,
                street="Rue de l'Hôtel de Ville",
                house_number="7",
                postal_code="4000",
                locality="Liège",
            )
        )
        db.session.commit()
    login_as(aid_world.social_a)
    text = pdf_text(post_pdf(client, aid_world.dossier_a, printable, ["demande"]).data)
    assert "Rue de l'Hôtel de Ville 7" in text and "4000 Liège" in text


def test_the_pdf_in_dutch(client, login_as, aid_world, printable):
    login_as(aid_world.social_a)
    assert client.post("/langue", data={"locale": "nl", "next": "/"}).status_code == 302
    text = pdf_text(post_pdf(client, aid_world.dossier_a, printable, ALL_PARTS).data)
    assert "Vertrouwelijk" in text and "Pagina 1 / " in text
    assert f"Dossier nr. {printable.dossier_number} — Hulpaanvraag nr. 1" in text
    assert f"Afgedrukt op {date.today():%d/%m/%Y} om " in text
    assert "Verslag" in text and "Voorstel" in text and "Gezinssamenstelling" in text
    assert "Confidentiel" not in text and "Imprimé le" not in text


# ------------------------------------------------------------------ bounded


def _children() -> list[int]:
    """The live (non-zombie included) child processes of this test process."""
    me = str(os.getpid())
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == me:
            found.append(int(status.parent.name))
    return found


def test_a_pdf_over_its_time_limit_answers_503_and_leaves_no_child(
    app, client, login_as, aid_world, printable
):
    before = _children()
    app.config["AID_PDF_TIME_LIMIT"] = 0.01
    login_as(aid_world.social_a)
    response = post_pdf(client, aid_world.dossier_a, printable, ALL_PARTS)
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert (
        "L'impression a pris trop de temps ; réessayez ou imprimez moins de parties."
        in page_text(response)
    )
    assert _children() == before
    app.config["AID_PDF_TIME_LIMIT"] = 20
    assert post_pdf(client, aid_world.dossier_a, printable, ALL_PARTS).status_code == 200
    assert _children() == before


def test_a_pdf_over_its_memory_limit_answers_503(
    app, client, login_as, aid_world, printable, monkeypatch
):
    """The child may map AID_PDF_MEMORY_LIMIT_MB more than the worker, no more: a render
    that needs 200 MB fails under a 32 MB limit and passes under the default."""
    import weasyprint

    def greedy(self, *args, **kwargs):
        ballast = bytearray(200 * 1024 * 1024)  # what a huge document would take
        return b"%PDF-1.7 fake " + bytes(ballast[:1])

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", greedy)  # inherited by the fork
    login_as(aid_world.social_a)
    app.config["AID_PDF_MEMORY_LIMIT_MB"] = 32
    response = post_pdf(client, aid_world.dossier_a, printable, ALL_PARTS)
    assert response.status_code == 503
    assert "L'impression a pris trop de temps" in page_text(response)
    assert _children() == []
    app.config["AID_PDF_MEMORY_LIMIT_MB"] = 768
    response = post_pdf(client, aid_world.dossier_a, printable, ALL_PARTS)
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF-1.7 fake")


def test_render_pdf_bounded_stops_a_slow_render(app, monkeypatch):
    """The parent waits at most the limit: a child that never answers is killed."""
    import time

    from cpas.documents import pdf

    def never(*_args):
        time.sleep(60)

    monkeypatch.setattr(pdf, "_render_in_child", never)
    with app.test_request_context():
        started = time.monotonic()
        with pytest.raises(pdf.PdfTooSlow):
            # a template of macros only: an empty page, never rendered (the child sleeps)
            pdf.render_pdf_bounded("_print_header.html", 0.5, 768)
        assert time.monotonic() - started < 5
    assert _children() == []


# ------------------------------------------------------------------ the registry


def test_a_part_registered_by_another_module_is_offered_and_printed(
    client, login_as, aid_world, printable, monkeypatch
):
    from cpas.aid import printing

    monkeypatch.setattr(printing, "_PARTS", list(printing._PARTS))
    printing.register_part(
        printing.PrintPart("annexe_test", "Annexe de test", "aid/_print_parts.html", lambda r: {}),
        after="menage",
    )
    codes = [p.code for p in printing.parts()]
    assert codes[codes.index("menage") + 1] == "annexe_test"
    assert codes.index("annexe_test") < codes.index("integrations")
    login_as(aid_world.social_a)
    html = page_text(client.get(urls(aid_world.dossier_a, printable)["print"]))
    assert 'value="annexe_test" checked' in html
    preview = page_text(client.get(preview_url(aid_world.dossier_a, printable, ["annexe_test"])))
    assert 'id="partie-annexe_test"' in preview and "Annexe de test" in preview


@pytest.mark.skipif(USE_POSTGRES, reason="SQLite's read-then-write snapshot rule")
def test_the_preview_is_logged_even_when_a_colleague_wrote_meanwhile(
    app, client, login_as, aid_world, printable, monkeypatch
):
    """A GET reads in a deferred transaction: had the audit entry been written in it after
    another connection's write, SQLite would refuse it (a 500); it gets its own."""
    import sqlite3

    from cpas.aid import printing

    database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    original = printing.document

    def document_then_a_colleague_writes(*args, **kwargs):
        doc = original(*args, **kwargs)
        other = sqlite3.connect(database)
        other.execute("UPDATE organisation SET name = name")
        other.commit()
        other.close()
        return doc

    monkeypatch.setattr(printing, "document", document_then_a_colleague_writes)
    login_as(aid_world.social_a)
    response = client.get(preview_url(aid_world.dossier_a, printable, ["demande"]))
    assert response.status_code == 200
    assert len(audit_rows(app, "aid.print_preview")) == 1


@pytest.mark.skipif(USE_POSTGRES, reason="SQLite's single writer")
def test_colleagues_can_write_while_a_pdf_renders(
    app, client, login_as, aid_world, printable, monkeypatch
):
    """The PDF view holds no write lock while WeasyPrint runs (up to its time limit)."""
    import sqlite3

    from cpas.aid.routes import printing as printing_routes

    database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    real = printing_routes.render_pdf_bounded
    written = []

    def a_colleague_writes_meanwhile(*args, **kwargs):
        other = sqlite3.connect(database, timeout=0.5)
        try:
            other.execute("UPDATE organisation SET name = name")
            other.commit()
            written.append(True)
        finally:
            other.close()
        return real(*args, **kwargs)

    monkeypatch.setattr(printing_routes, "render_pdf_bounded", a_colleague_writes_meanwhile)
    login_as(aid_world.social_a)
    response = post_pdf(client, aid_world.dossier_a, printable, ["demande"])
    assert response.status_code == 200
    assert written == [True]
    assert len(audit_rows(app, "aid.print")) == 1


def test_the_print_page_and_preview_in_dutch(client, login_as, aid_world, printable):
    login_as(aid_world.social_a)
    assert client.post("/langue", data={"locale": "nl", "next": "/"}).status_code == 302
    html = page_text(client.get(urls(aid_world.dossier_a, printable)["print"]))
    for dutch in (
        "Af te drukken onderdelen voor de Raad",
        "Afdrukvoorbeeld bekijken",
        "Afdrukken (PDF)",
        "> Verslag</label>",
        "> Integraties</label>",
    ):
        assert dutch in html, dutch
    refused = page_text(post_pdf(client, aid_world.dossier_a, printable, []))
    assert "Vink minstens één af te drukken onderdeel aan." in refused
    preview = page_text(client.get(preview_url(aid_world.dossier_a, printable, ALL_PARTS)))
    for dutch in ("Afdrukvoorbeeld", "Vertrouwelijk", "Feitelijk gezin", "Afgedrukt op"):
        assert dutch in preview, dutch
    assert "Confidentiel" not in preview and "Ménage de fait" not in preview
