"""Two people edit the same FSE request, or the same drawing rights, at once: the late save
gets its form back with its values and the saved ones beside them, then saves again."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from cpas.extensions import db
from cpas.water_fund.models import DrawingRight, WaterRequest
from tests.helpers import GARBAGE_VERSIONS, page_text, posted_version, saved_hints, second_client


def _fse_form(world, version, **overrides):
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
        "contract_accounts": ["CA-1"],
        "invoice_numbers": ["F-1"],
        **overrides,
    }
    if version is not None:
        data["version"] = version
    return data


def test_request_second_writer_keeps_typed_values_and_merges(
    app, client, login_as, make_user, world, new_request
):
    request_id = new_request("fse")
    url = f"/fonds-eau/fse/{request_id}/editer"
    colleague = make_user(world.cpas_a, all_access=True, first_name="Marie", last_name="Dupont")
    login_as(world.user_a)
    b = second_client(app, login_as, colleague)
    version_a = posted_version(page_text(client.get(url)))
    version_b = posted_version(page_text(b.get(url)))

    saved = client.post(url, data=_fse_form(world, version_a, street="Rue A"))
    assert saved.status_code == 302
    late = b.post(url, data=_fse_form(world, version_b, street="Rue B", client_number="C-10"))
    html = page_text(late)
    assert late.status_code == 409
    assert "Cette demande a été modifiée par Prénom" in html and "pendant votre saisie" in html
    assert 'value="Rue B"' in html and 'value="C-10"' in html
    assert saved_hints(html) == {"street": "Rue A", "client_number": "C-9"}
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        assert row.street == "Rue A"
        current = str(row.version)
    assert posted_version(html) == current
    merged = b.post(url, data=_fse_form(world, current, street="Rue B", client_number="C-10"))
    assert merged.status_code == 302
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        assert (row.street, row.client_number, row.updated_by_id) == ("Rue B", "C-10", colleague.id)


@pytest.mark.parametrize("garbage", [*GARBAGE_VERSIONS, None])
def test_request_edit_refuses_a_garbage_version(app, client, login_as, world, new_request, garbage):
    request_id = new_request("fse")
    login_as(world.user_a)
    response = client.post(
        f"/fonds-eau/fse/{request_id}/editer", data=_fse_form(world, garbage, street="Rue Pirate")
    )
    assert response.status_code in (400, 422)  # was: skipped check or a 500
    assert "pas de version valide" in page_text(response)
    with app.app_context():
        assert db.session.get(WaterRequest, request_id).street != "Rue Pirate"


@pytest.mark.parametrize("garbage", [*GARBAGE_VERSIONS, None])
def test_transition_refuses_a_garbage_version(app, client, login_as, world, new_request, garbage):
    request_id = new_request("fse")
    login_as(world.user_x)
    data = {"comment": "non", "confirmed": "1"}
    if garbage is not None:
        data["version"] = garbage
    response = client.post(f"/fonds-eau/fse/{request_id}/action/refuse", data=data)
    assert response.status_code in (400, 422)
    with app.app_context():
        assert db.session.get(WaterRequest, request_id).status == "SOUMISE"


def _rights(world, version, initial, year="2026"):
    return {
        "annee": year,
        "cpas_id": world.cpas_a.id,
        "distributor_id": world.dist_x.id,
        "version": version,
        "initial": initial,
        "complementary": "0",
        "fat_funds": "7.500",
    }


def test_drawing_rights_second_writer_keeps_typed_values_and_merges(
    app, client, login_as, make_user, world
):
    colleague = make_user(world.spge, all_access=True, first_name="Marie", last_name="Dupont")
    login_as(world.user_spge)
    b = second_client(app, login_as, colleague)
    page = "/fonds-eau/informations?annee=2026"
    pair = f'id="rights-{world.cpas_a.id}-{world.dist_x.id}"'
    version_a = posted_version(page_text(client.get(page)), within=pair)
    version_b = posted_version(page_text(b.get(page)), within=pair)
    assert version_a == version_b == "0"  # nothing encoded yet

    assert (
        client.post("/fonds-eau/informations", data=_rights(world, "0", "100.000")).status_code
        == 302
    )
    late = b.post("/fonds-eau/informations", data=_rights(world, version_b, "90.000"))
    html = page_text(late)
    assert late.status_code == 409
    assert "Ces droits de tirage ont été modifiés par Prénom" in html
    assert 'value="90000,00"' in html  # B's typed amount
    assert saved_hints(html) == {"initial": "100000,00"}
    with app.app_context():
        right = db.session.scalar(select(DrawingRight))
        assert right.initial == Decimal("100000.00")
        current = str(right.version)
    assert posted_version(html, within=pair) == current
    merged = b.post("/fonds-eau/informations", data=_rights(world, current, "90.000"))
    assert merged.status_code == 302
    with app.app_context():
        right = db.session.scalar(select(DrawingRight))
        assert right.initial == Decimal("90000.00") and right.updated_by_id == colleague.id
    # the page shows what is saved in the pair's form (it used to start empty)
    assert 'value="90000,00"' in page_text(client.get(page))


@pytest.mark.parametrize("garbage", [*GARBAGE_VERSIONS, "3"])
def test_drawing_rights_refuse_a_garbage_version(app, client, login_as, world, garbage):
    login_as(world.user_spge)
    response = client.post("/fonds-eau/informations", data=_rights(world, garbage, "1"))
    assert response.status_code in (400, 409, 422)  # « 3 »: no right exists yet
    with app.app_context():
        assert db.session.scalar(select(DrawingRight)) is None


# --------------------------------------------------------------------------- transitions


def _status_panel_version(html: str, action: str) -> str:
    return posted_version(html, within=f'id="action-{action}"')


@pytest.mark.parametrize("htmx", [False, True])
def test_stale_refusal_after_a_validation_keeps_the_typed_reason(
    app, client, login_as, make_user, world, new_request, htmx
):
    """A validates the FSE; B, on the page loaded before, refuses with a typed reason: B gets
    the panel back (409) with the conflict, the current status, the reason kept, no refusal."""
    request_id = new_request("fse")
    page = f"/fonds-eau/fse/{request_id}"
    colleague = make_user(world.dist_x, all_access=True, first_name="Marie", last_name="Dupont")
    login_as(world.user_x)
    b = second_client(app, login_as, colleague)
    version_a = _status_panel_version(page_text(client.get(page)), "validate")
    version_b = _status_panel_version(page_text(b.get(page)), "refuse")

    done = client.post(f"{page}/action/validate", data={"version": version_a, "amount": "300"})
    assert done.status_code == 200
    reason = "Facture déjà prise en charge par le CPAS voisin (dossier 2026/118)"
    headers = {"HX-Request": "true"} if htmx else {}
    late = b.post(
        f"{page}/action/refuse",
        data={"version": version_b, "comment": reason, "confirmed": "1"},
        headers=headers,
    )
    html = page_text(late)
    assert late.status_code == 409  # was: abort(409), a bare error page
    assert ("<html" in html) is not htmx  # a fragment for htmx, the whole page otherwise
    assert "Cette demande a été modifiée par Prénom" in html and "pendant votre saisie" in html
    assert 'id="request-status">EN ATTENTE DE PAIEMENT<' in html
    assert "L'action « Refuser » n'est plus possible" in html
    assert 'id="action-refuse"' not in html and 'id="action-pay"' in html
    assert f">{reason}</textarea>" in html  # the typed reason, to copy
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        assert row.status == "EN_ATTENTE_PAIEMENT" and row.granted_amount == Decimal("300.00")
        assert [e.action for e in row.events] == ["submit", "validate"]


def test_stale_validation_still_possible_keeps_the_amount_and_saves_with_the_new_version(
    app, client, login_as, world, new_request
):
    """The CPAS edits the request while the distributor validates from a stale page: the
    step is still possible, so the validate form comes back with the typed amount and the
    version now saved, and posting it again validates."""
    request_id = new_request("fse")
    page = f"/fonds-eau/fse/{request_id}"
    login_as(world.user_a)
    b = second_client(app, login_as, world.user_x)
    stale = _status_panel_version(page_text(b.get(page)), "validate")
    version = posted_version(page_text(client.get(f"{page}/editer")))
    edited = client.post(f"{page}/editer", data=_fse_form(world, version, street="Rue A"))
    assert edited.status_code == 302

    late = b.post(f"{page}/action/validate", data={"version": stale, "amount": "321,45"})
    html = page_text(late)
    assert late.status_code == 409
    assert "Cette demande a été modifiée par Prénom" in html
    assert 'id="request-status">SOUMISE<' in html
    form = html[html.index('id="action-validate"') :].split("</form>", 1)[0]
    assert 'value="321,45"' in form  # not reset to the requested amount
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        assert row.status == "SOUMISE" and row.granted_amount is None
        current = str(row.version)
    assert posted_version(form) == current != stale
    again = b.post(f"{page}/action/validate", data={"version": current, "amount": "321,45"})
    assert again.status_code == 200
    with app.app_context():
        row = db.session.get(WaterRequest, request_id)
        assert (row.status, row.granted_amount) == ("EN_ATTENTE_PAIEMENT", Decimal("321.45"))


def test_stale_amount_after_the_other_validation_shows_it_beside_the_saved_one(
    app, client, login_as, make_user, world, new_request
):
    request_id = new_request("fse")
    page = f"/fonds-eau/fse/{request_id}"
    colleague = make_user(world.dist_x, all_access=True, first_name="Marie", last_name="Dupont")
    login_as(world.user_x)
    b = second_client(app, login_as, colleague)
    version_a = _status_panel_version(page_text(client.get(page)), "validate")
    version_b = _status_panel_version(page_text(b.get(page)), "validate")
    assert client.post(f"{page}/action/validate", data={"version": version_a, "amount": "300"})
    late = b.post(f"{page}/action/validate", data={"version": version_b, "amount": "350,10"})
    html = page_text(late)
    assert late.status_code == 409
    assert "L'action « Valider » n'est plus possible" in html
    assert 'id="typed-amount" value="350,10"' in html
    assert saved_hints(html) == {"typed-amount": "300,00"}
    with app.app_context():
        assert db.session.get(WaterRequest, request_id).granted_amount == Decimal("300.00")
