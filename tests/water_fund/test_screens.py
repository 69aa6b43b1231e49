"""Water fund screens: permissions, isolation, forms, files, notifications, exports."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from cpas.access.models import User
from cpas.extensions import db
from cpas.water_fund import lifecycle as lc
from cpas.water_fund.models import DrawingRight, NotificationOptOut, WaterFile, WaterRequest
from tests.helpers import page_text
from tests.water_fund.conftest import PDF


def _status(app, request_id):
    with app.app_context():
        return db.session.get(WaterRequest, request_id).status


# --------------------------------------------------------------------------- permissions


OBJECT_ROUTES = [
    ("GET", "/fonds-eau/{kind}/{id}"),
    ("GET", "/fonds-eau/{kind}/{id}/editer"),
    ("POST", "/fonds-eau/{kind}/{id}/editer"),
    ("POST", "/fonds-eau/{kind}/{id}/action/cancel"),
    ("POST", "/fonds-eau/{kind}/{id}/fichiers"),
    ("GET", "/fonds-eau/demandes/{id}"),
]


@pytest.mark.parametrize("kind", ["fat", "fse"])
@pytest.mark.parametrize("method,template", OBJECT_ROUTES)
def test_other_cpas_and_other_distributor_get_404(
    client, login_as, world, new_request, kind, method, template
):
    request_id = new_request(kind)  # CPAS A → distributor X
    url = template.format(kind=kind, id=request_id)
    for outsider in (world.user_b, world.user_y):
        login_as(outsider)
        assert client.open(url, method=method).status_code == 404, (outsider.email, url)


def test_file_download_isolated(app, client, login_as, world, new_request):
    request_id = new_request("fat")
    with app.app_context():
        file_id = db.session.scalar(select(WaterFile.id).where(WaterFile.request_id == request_id))
    for insider in (world.user_a, world.user_x, world.user_spge):
        login_as(insider)
        response = client.get(f"/fonds-eau/fichiers/{file_id}")
        assert response.status_code == 200 and response.data == PDF
        assert "attachment" in response.headers["Content-Disposition"]
    for outsider in (world.user_b, world.user_y):
        login_as(outsider)
        assert client.get(f"/fonds-eau/fichiers/{file_id}").status_code == 404


def test_lists_show_only_own_requests(client, login_as, world, new_request):
    mine = new_request("fse", last_name="Alpha")
    other_dist = new_request("fse", distributor=world.dist_y, last_name="Bravo")
    other_cpas = new_request("fse", cpas=world.cpas_b, by=world.user_b, last_name="Charlie")
    expectations = {
        world.user_a: {"Alpha", "Bravo"},
        world.user_b: {"Charlie"},
        world.user_x: {"Alpha", "Charlie"},
        world.user_y: {"Bravo"},
        world.user_spge: {"Alpha", "Bravo", "Charlie"},
    }
    assert mine and other_dist and other_cpas
    for user, names in expectations.items():
        login_as(user)
        html = page_text(client.get("/fonds-eau/fse"))
        for name in ("Alpha", "Bravo", "Charlie"):
            assert (f"<td>{name}</td>" in html) == (name in names), (user.email, name)


def test_without_function_403_with_function_200(client, login_as, make_user, world):
    login_as(make_user(world.cpas_a, functions=["water.fse.view"]))
    assert client.get("/fonds-eau/fse").status_code == 200
    assert client.get("/fonds-eau/fat").status_code == 403
    assert client.get("/fonds-eau/fse/nouvelle").status_code == 403
    assert client.get("/fonds-eau/").status_code == 403


def test_distributor_cannot_create(client, login_as, world):
    login_as(world.user_x)
    assert client.get("/fonds-eau/fse/nouvelle").status_code == 403


# --------------------------------------------------------------------------- forms


def _fse_form(world, **overrides):
    data = {
        "distributor_id": world.dist_x.id,
        "last_name": "Dupont",
        "first_name": "Marie",
        "street": "Rue Haute",
        "house_number": "1",
        "postal_code": "4000",
        "locality": "Liège",
        "client_number": "C-9",
        "requested_amount": "1.234,56",
        "recurrence": "mensuelle",
        "contract_accounts": ["CA-1", "CA-2"],
        "invoice_numbers": ["F-1"],
    }
    data.update(overrides)
    return data


def test_create_fse_through_the_form(app, client, login_as, world, smtp):
    login_as(world.user_a)
    response = client.post("/fonds-eau/fse/nouvelle", data=_fse_form(world))
    assert response.status_code == 302
    with app.app_context():
        row = db.session.scalar(select(WaterRequest))
        assert row.requested_amount == Decimal("1234.56") and row.status == lc.SUBMITTED
        assert row.values("contract_account") == ["CA-1", "CA-2"]
        assert row.cpas_id == world.cpas_a.id and row.distributor_id == world.dist_x.id
    assert smtp.to("agent@dist-x.be"), "the distributor is notified"


def test_bad_input_messages_and_values_kept(app, client, login_as, world):
    login_as(world.user_a)
    response = client.post(
        "/fonds-eau/fse/nouvelle",
        data=_fse_form(
            world, last_name="", postal_code="40", requested_amount="abc", contract_accounts=[""]
        ),
    )
    text = page_text(response)
    assert response.status_code == 422
    assert "Ce champ est obligatoire." in text and "4 chiffres." in text
    assert "Montant invalide" in text and "Indiquez au moins un compte de contrat." in text
    assert 'value="Rue Haute"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(WaterRequest.id)) is None


def test_fat_form_requires_a_quote_file_by_content(app, client, login_as, world):
    login_as(world.user_a)
    data = {
        "distributor_id": world.dist_x.id,
        "last_name": "D",
        "first_name": "M",
        "street": "R",
        "house_number": "1",
        "postal_code": "4000",
        "locality": "L",
        "client_number": "C",
        "contact_name": "S",
        "contact_phone": "0",
        "contact_email": "s@cpas-a.be",
        "works_type": "fuite",
        "payee": "cpas",
        "cpas_iban": "BE71 0961 2345 6769",
    }
    missing = client.post("/fonds-eau/fat/nouvelle", data=data, content_type="multipart/form-data")
    assert "Devis : Choisissez un fichier." in page_text(missing)
    fake = client.post(
        "/fonds-eau/fat/nouvelle",
        content_type="multipart/form-data",
        data={**data, "quote": (BytesIO(b"MZ\x90\x00 not a pdf"), "devis.pdf")},
    )
    assert "Type de fichier non accepté" in page_text(fake)
    ok = client.post(
        "/fonds-eau/fat/nouvelle",
        content_type="multipart/form-data",
        data={**data, "quote": (BytesIO(PDF), "devis.pdf")},
    )
    assert ok.status_code == 302
    with app.app_context():
        row = db.session.scalar(select(WaterRequest))
        assert row.payee == "cpas" and row.cpas_iban == "BE71096123456769"
        assert [f.file_type for f in row.files] == ["devis"]


def real_png() -> bytes:
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    return out.getvalue()


def test_file_size_and_type_refusals(app, client, login_as, world, new_request):
    request_id = new_request("fse")
    login_as(world.user_a)
    url = f"/fonds-eau/fse/{request_id}/fichiers"
    big = client.post(
        url,
        content_type="multipart/form-data",
        data={
            "file_type": "courrier",
            "file": (BytesIO(b"%PDF-" + b"0" * (10 * 1024 * 1024)), "gros.pdf"),
        },
    )
    assert big.status_code == 422 and "10 Mo" in page_text(big)
    html_file = client.post(
        url,
        content_type="multipart/form-data",
        data={"file_type": "courrier", "file": (BytesIO(b"<html><script>"), "x.pdf")},
    )
    assert html_file.status_code == 422 and "non accepté" in page_text(html_file)
    png = client.post(
        url,
        content_type="multipart/form-data",
        headers={"HX-Request": "true"},
        data={
            "file_type": "courrier",
            # a real image: a PNG header followed by garbage is refused (it does not decode)
            "file": (BytesIO(real_png()), "../../photo.png"),
        },
    )
    assert png.status_code == 200 and "<html" not in png.get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalars(
            select(WaterFile).where(WaterFile.request_id == request_id)
        ).all()
        assert [(f.mime_type, f.original_name) for f in stored] == [("image/png", "photo.png")]
        assert "/" not in stored[0].stored_name and "photo" not in stored[0].stored_name


def test_transition_through_htmx_redraws_the_panel(app, client, login_as, world, new_request):
    request_id = new_request("fse")
    with app.app_context():
        version = db.session.get(WaterRequest, request_id).version
    login_as(world.user_x)
    response = client.post(
        f"/fonds-eau/fse/{request_id}/action/validate",
        data={"amount": "300,00", "version": version},
        headers={"HX-Request": "true"},
    )
    html = page_text(response)
    assert 'id="status-panel"' in html and "<html" not in html
    assert "EN ATTENTE DE PAIEMENT" in html and 'hx-swap-oob="true"' in html  # toast
    assert _status(app, request_id) == lc.PAYMENT_PENDING


def test_stale_version_is_a_409_and_changes_nothing(app, client, login_as, world, new_request):
    request_id = new_request("fse")
    with app.app_context():
        version = db.session.get(WaterRequest, request_id).version
    login_as(world.user_x)
    first = client.post(
        f"/fonds-eau/fse/{request_id}/action/validate", data={"amount": "300", "version": version}
    )
    assert first.status_code == 200
    second = client.post(
        f"/fonds-eau/fse/{request_id}/action/refuse", data={"comment": "non", "version": version}
    )
    assert second.status_code == 409
    assert "Cette demande a été modifiée par" in page_text(second)
    assert _status(app, request_id) == lc.PAYMENT_PENDING


def test_final_request_cannot_be_edited(app, client, login_as, world, new_request):
    request_id = new_request("fse")
    with app.app_context():
        db.session.get(WaterRequest, request_id).status = lc.REFUSED
        db.session.commit()
    login_as(world.user_a)
    response = client.post(
        f"/fonds-eau/fse/{request_id}/editer",
        data=_fse_form(world, last_name="Changé"),
        follow_redirects=True,
    )
    assert "ne peut plus être modifiée" in page_text(response)
    with app.app_context():
        assert db.session.get(WaterRequest, request_id).last_name == "Dupont"


# --------------------------------------------------------------------------- notifications


def test_notifications_only_for_users_who_kept_the_status(
    app, client, login_as, world, new_request, make_user, smtp
):
    quiet = make_user(world.dist_x, all_access=True, email="quiet@dist-x.be")
    login_as(quiet)
    kept = [s for s in lc.STATUSES["fse"] if s != lc.SUBMITTED]
    client.post("/fonds-eau/fse/notifications", data={"statuses": kept})
    with app.app_context():
        assert {o.status for o in db.session.scalars(select(NotificationOptOut))} == {lc.SUBMITTED}
    smtp.messages.clear()
    request_id = new_request("fse")
    assert smtp.to("agent@dist-x.be") and not smtp.to("quiet@dist-x.be")
    assert not smtp.to("agent@dist-y.be") and not smtp.to("agent@cpas-b.be")
    body = smtp.body(smtp.to("agent@dist-x.be")[0])
    assert f"n° {request_id}" in body and "Dupont" not in body  # the number, not the name
    assert f"/fonds-eau/demandes/{request_id}" in body and "CA-1" not in body
    # a later status the quiet user kept on reaches them
    smtp.messages.clear()
    with app.app_context():
        from cpas.water_fund import services

        row = db.session.get(WaterRequest, request_id)
        services.transition(
            row,
            "cancel",
            db.session.get(User, world.user_a.id),
            row.version,
            services.TransitionInput(comment="Doublon", confirmed=True),
        )
    assert smtp.to("quiet@dist-x.be")


def test_fat_contact_person_is_notified(app, world, new_request, smtp):
    from cpas.water_fund import services

    request_id = new_request("fat")
    smtp.messages.clear()
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        services.transition(
            row,
            "approve",
            db.session.get(User, world.user_x.id),
            row.version,
            services.TransitionInput(amount=Decimal("10")),
        )
    assert smtp.to("contact@cpas-a.be") and smtp.to("agent@cpas-a.be")


# --------------------------------------------------------------------------- dashboard


def test_dtu_worked_example(app, client, login_as, world, new_request):
    """DTI 10.000 + DTC 2.500 = DTU 12.500; closed FSE 1.000 + 250 → remaining 11.250, 10 %."""
    from cpas.water_fund import services

    with app.app_context():
        year = __import__("datetime").date.today().year
        db.session.add(
            DrawingRight(
                cpas_id=world.cpas_a.id,
                distributor_id=world.dist_x.id,
                year=year,
                initial=Decimal("10000"),
                complementary=Decimal("2500"),
                fat_funds=Decimal("5000"),
            )
        )
        db.session.commit()
    ids = [new_request("fse", requested_amount=Decimal(a)) for a in ("1000", "250", "400")]
    with app.app_context():
        dist = db.session.get(User, world.user_x.id)
        for request_id, amount in zip(ids[:2], ("1000", "250"), strict=True):
            row = db.session.get(WaterRequest, request_id)
            services.transition(
                row, "validate", dist, row.version, services.TransitionInput(amount=Decimal(amount))
            )
            services.transition(
                row, "pay", dist, row.version, services.TransitionInput(confirmed=True)
            )
    login_as(world.user_a)
    html = page_text(client.get("/fonds-eau/"))
    assert "12.500,00 €" in html and "11.250,00 €" in html and "10,0 %" in html
    assert "1.250,00 €" in html  # FSE closed amount
    assert "400,00 €" in html  # FSE in progress amount
    info = page_text(client.get("/fonds-eau/informations"))
    assert "12.500,00 €" in info and "5.000,00 €" in info


def test_fund_manager_encodes_drawing_rights(app, client, login_as, world):
    login_as(world.user_spge)
    response = client.post(
        "/fonds-eau/informations",
        data={
            "annee": "2026",
            "cpas_id": world.cpas_a.id,
            "distributor_id": world.dist_x.id,
            "version": "0",
            "initial": "100.000,00",
            "complementary": "0",
            "fat_funds": "7.500",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        right = db.session.scalar(select(DrawingRight))
        assert right.single == Decimal("100000.00") and right.fat_funds == Decimal("7500.00")
    login_as(world.user_a)
    refused = client.post(
        "/fonds-eau/informations",
        data={
            "annee": "2026",
            "cpas_id": world.cpas_a.id,
            "distributor_id": world.dist_x.id,
            "initial": "1",
            "complementary": "1",
            "fat_funds": "1",
        },
    )
    assert refused.status_code == 403


# --------------------------------------------------------------------------- lists and exports


def test_list_page_uses_at_most_five_queries(app, client, login_as, world, new_request):
    for n in range(12):
        new_request("fse", last_name=f"Nom{n}")
    login_as(world.user_x)
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get("/fonds-eau/fse", headers={"HX-Request": "true"})
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200 and "Nom11" in response.get_data(as_text=True)
    assert len(statements) <= 5, statements


def test_huge_list_counts_up_to_the_cap_and_pages_on(
    client, login_as, world, new_request, monkeypatch
):
    from cpas.water_fund.routes import lists

    monkeypatch.setattr(lists, "LIST_COUNT_LIMIT", 3)
    monkeypatch.setattr(lists, "LIST_PAGE_SIZE", 2)
    ids = [new_request("fse", last_name=f"Cap{n}") for n in range(5)]
    login_as(world.user_a)
    order = {"tri": "id", "ordre": "asc"}
    first = page_text(client.get("/fonds-eau/fse", query_string=order))
    assert "Page 1 · plus de 3 éléments" in first and "Suivant" in first
    assert "<td>Cap1</td>" in first and "<td>Cap2</td>" not in first
    last = page_text(client.get("/fonds-eau/fse", query_string={**order, "page": 3}))
    assert "<td>Cap4</td>" in last and "<td>Cap3</td>" not in last
    assert "Suivant" not in last and "Précédent" in last
    # The row links lead to the request (detail, files, edit and cancel anchors).
    assert f'href="/fonds-eau/fse/{ids[4]}"' in last
    assert f'href="/fonds-eau/fse/{ids[4]}#fichiers"' in last
    assert f'href="/fonds-eau/fse/{ids[4]}#annuler"' in last
    assert f'href="/fonds-eau/fse/{ids[4]}/editer"' in last
    assert client.get(f"/fonds-eau/fse/{ids[4]}/editer").status_code == 200
    # Under the cap the count is exact.
    monkeypatch.setattr(lists, "LIST_COUNT_LIMIT", 10)
    exact = page_text(client.get("/fonds-eau/fse", query_string=order))
    assert "Page 1 / 3 · 5 élément(s)" in exact


def test_search_filters_and_sort(client, login_as, world, new_request):
    new_request("fse", last_name="Lefèvre", client_number="ZZ-1")
    new_request("fse", last_name="Martin")
    login_as(world.user_a)
    found = page_text(client.get("/fonds-eau/fse", query_string={"q": "lefevre"}))
    assert "Lefèvre" in found and "<td>Martin</td>" not in found
    by_client = page_text(client.get("/fonds-eau/fse", query_string={"q": "zz-1"}))
    assert "Lefèvre" in by_client
    none = page_text(client.get("/fonds-eau/fse", query_string={"statut": lc.SETTLED}))
    assert "Aucune demande" in none
    asc = page_text(client.get("/fonds-eau/fse", query_string={"tri": "nom", "ordre": "asc"}))
    assert asc.index("Lefèvre") < asc.index("<td>Martin</td>")


def test_next_actor_and_id_filters_for_each_side(app, client, login_as, world, new_request):
    ids = {
        status: new_request("fse", last_name=name)
        for status, name in (
            (lc.SUBMITTED, "Soumise"),
            (lc.APPROVED, "Approuvee"),
            (lc.SETTLED, "Apuree"),
        )
    }
    with app.app_context():
        for status, request_id in ids.items():
            db.session.get(WaterRequest, request_id).status = status
        db.session.commit()
    expected = {"Distributeur": "Soumise", "CPAS": "Approuvee", "/": "Apuree"}
    for user in (world.user_a, world.user_x, world.user_spge, world.user_b):
        login_as(user)
        for actor, name in expected.items():
            html = page_text(client.get("/fonds-eau/fse", query_string={"suivant": actor}))
            shown = {n for n in expected.values() if f"<td>{n}</td>" in html}
            assert shown == (set() if user is world.user_b else {name}), (user.email, actor)
        bogus = page_text(client.get("/fonds-eau/fse", query_string={"suivant": "Personne"}))
        assert "Aucune demande" in bogus
        by_id = page_text(client.get("/fonds-eau/fse", query_string={"q": ids[lc.APPROVED]}))
        shown = {n for n in expected.values() if f"<td>{n}</td>" in by_id}
        assert shown == (set() if user is world.user_b else {"Approuvee"}), user.email


def test_excel_export_values_and_neutralisation(app, client, login_as, world, new_request):
    new_request("fse", last_name='=HYPERLINK("http://x")', requested_amount=Decimal("12.50"))
    login_as(world.user_a)
    response = client.get("/fonds-eau/fse/export.xlsx")
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.data)).active
    header = [c.value for c in ws[1]]
    row = [c.value for c in ws[2]]
    assert header[0] == "ID" and row[1] == '\'=HYPERLINK("http://x")'
    assert row[7] == 12.5 and "€" in ws[2][7].number_format
    assert row[9] == "SOUMISE" and row[10] == "Distributeur"


def test_large_export_runs_as_a_background_job(
    app, client, login_as, world, new_request, monkeypatch
):
    from cpas.water_fund import exports

    monkeypatch.setattr(exports, "BACKGROUND_ROWS", 1)
    for n in range(3):
        new_request("fse", last_name=f"Ligne{n}")
    login_as(world.user_a)
    confirm = client.get("/fonds-eau/fse/export.xlsx")
    assert "en arrière-plan" in page_text(confirm)
    started = client.post("/fonds-eau/fse/export.xlsx")
    assert started.status_code == 302
    status = client.get(started.headers["Location"], headers={"HX-Request": "true"})
    assert "Export prêt : 3 lignes." in page_text(status)
    token = started.headers["Location"].rsplit("/", 1)[1]
    download = client.get(f"/fonds-eau/exports/{token}/fichier")
    assert len(list(load_workbook(BytesIO(download.data)).active.iter_rows())) == 4
    login_as(world.user_b)  # another user's job is not found
    assert client.get(f"/fonds-eau/exports/{token}").status_code == 404


def test_pdf_export_and_its_limit(app, client, login_as, world, new_request, monkeypatch):
    from cpas.water_fund import exports

    new_request("fse")
    login_as(world.user_a)
    response = client.get("/fonds-eau/fse/export.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    monkeypatch.setattr(exports, "PDF_MAX_ROWS", 0)
    refused = client.get("/fonds-eau/fse/export.pdf", follow_redirects=True)
    assert "Trop de lignes pour un PDF" in page_text(refused)


def test_glossary_and_information(client, login_as, world):
    login_as(world.user_a)
    assert "DTU = DTC + DTI" in page_text(client.get("/fonds-eau/glossaire"))
