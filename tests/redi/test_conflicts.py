"""Two people encode the same REDI line, or act on the same report, from pages loaded
before the other's change: the late one is refused with who and when, keeps what was
typed, and the row or report carries the new version so that acting again works."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cpas.extensions import db
from cpas.redi.models import RediCampaign, RediLine
from tests.helpers import GARBAGE_VERSIONS, page_text, posted_version, saved_hints, second_client
from tests.redi.conftest import NISS_A

HTMX = {"HX-Request": "true"}
FULL = {
    "activation": "oui_piis",
    "decision_date": "2023-06-01",
    "monthly_granted": "500,00",
    "period_start": "2023-06-01",
    "period_end": "2023-07-31",
    "months": "2",
    "payment": "unique",
    "total_paid": "1.000,00",
}


@pytest.fixture
def line_id(app, redi):
    with app.app_context():
        line = RediLine(
            campaign_id=redi.campaign_id,
            position=1,
            ins_code="99001",
            niss=NISS_A,
            budget_number="64",
            budget_date=date(2023, 6, 1),
            balance=Decimal("-500"),
        )
        db.session.add(line)
        db.session.commit()
        return line.id


def _row_version(client, redi, line_id):
    html = page_text(client.get(f"/redi/campagnes/{redi.campaign_id}"))
    return posted_version(html, within=f'id="line-{line_id}-notice"')


def test_line_second_writer_keeps_the_typed_cells_and_merges(
    app, client, login_as, make_user, redi, line_id
):
    other = make_user(redi.cpas, functions=["redi.view", "redi.encode"], first_name="Marie")
    login_as(redi.encoder)
    b = second_client(app, login_as, other)
    version_a, version_b = _row_version(client, redi, line_id), _row_version(b, redi, line_id)

    saved = client.post(
        f"/redi/lignes/{line_id}", data={**FULL, "version": version_a}, headers=HTMX
    )
    assert saved.status_code == 200
    # the row's new version comes back out of band with the computed cells
    with app.app_context():
        after_a = str(db.session.get(RediLine, line_id).version)
    assert posted_version(page_text(saved), within=f'id="line-{line_id}-notice"') == after_a

    typed = {**FULL, "monthly_granted": "400,00", "total_paid": "800,00", "version": version_b}
    late = b.post(f"/redi/lignes/{line_id}", data=typed, headers=HTMX)
    html = page_text(late)
    assert late.status_code == 409
    assert f"Cette ligne a été modifiée par Prénom {redi.encoder.last_name}" in html
    assert saved_hints(html) == {"monthly_granted": "500,00", "total_paid": "1000,00"}
    assert 'name="monthly_granted"' not in html  # the typed cells are not replaced
    assert posted_version(html, within=f'id="line-{line_id}-notice"') == after_a
    with app.app_context():
        assert db.session.get(RediLine, line_id).monthly_granted == Decimal("500.00")

    merged = b.post(f"/redi/lignes/{line_id}", data={**typed, "version": after_a}, headers=HTMX)
    assert merged.status_code == 200
    with app.app_context():
        line = db.session.get(RediLine, line_id)
        assert line.monthly_granted == Decimal("400.00") and line.updated_by_id == other.id


@pytest.mark.parametrize("garbage", [*GARBAGE_VERSIONS, None])
def test_line_refuses_a_garbage_version(app, client, login_as, redi, line_id, garbage):
    login_as(redi.encoder)
    data = {**FULL, "version": garbage} if garbage is not None else dict(FULL)
    response = client.post(f"/redi/lignes/{line_id}", data=data, headers=HTMX)
    assert response.status_code in (400, 422)
    assert "pas de version valide" in page_text(response)
    with app.app_context():
        assert db.session.get(RediLine, line_id).activation is None


def _step(client, app, redi, path, version, **extra):
    return client.post(
        f"/redi/campagnes/{redi.campaign_id}/{path}",
        data={"version": version, "confirmed": "1", **extra},
        follow_redirects=True,
    )


def _campaign(app, redi):
    with app.app_context():
        return db.session.get(RediCampaign, redi.campaign_id)


def test_signing_a_report_changed_meanwhile_is_refused(app, client, login_as, make_user, redi):
    admin = make_user(redi.cpas, all_access=True, first_name="Anne", last_name="Admin")
    login_as(admin)
    _step(client, app, redi, "valider", str(_campaign(app, redi).version))
    president = second_client(app, login_as, redi.president)
    report = page_text(president.get(f"/redi/campagnes/{redi.campaign_id}/rapport"))
    seen = posted_version(report, within="signer-president")
    # meanwhile the report is reopened and validated again (the lines may have changed)
    _step(client, app, redi, "rouvrir", str(_campaign(app, redi).version), reason="Correction")
    _step(client, app, redi, "valider", str(_campaign(app, redi).version))

    late = _step(president, app, redi, "signer-president", seen)
    assert "Ce rapport REDI a été modifié par Anne Admin" in page_text(late)
    assert _campaign(app, redi).president_id is None
    fresh = page_text(president.get(f"/redi/campagnes/{redi.campaign_id}/rapport"))
    again = _step(
        president, app, redi, "signer-president", posted_version(fresh, "signer-president")
    )
    assert again.status_code == 200 and _campaign(app, redi).president_id == redi.president.id


@pytest.mark.parametrize("garbage", [*GARBAGE_VERSIONS, None])
def test_report_steps_refuse_a_garbage_version(app, client, login_as, redi, garbage):
    login_as(redi.encoder)
    data = {"confirmed": "1"} if garbage is None else {"confirmed": "1", "version": garbage}
    response = client.post(f"/redi/campagnes/{redi.campaign_id}/valider", data=data)
    assert response.status_code == 400
    assert _campaign(app, redi).status == "draft"


def test_a_reimport_meanwhile_is_named_in_the_conflict(app, client, login_as, make_user, redi):
    from tests.redi.conftest import row, workbook
    from tests.redi.test_import import _confirm, _lines, _upload

    importer = make_user(
        redi.cpas, functions=["redi.view", "redi.import"], first_name="Ivan", last_name="Import"
    )
    login_as(importer)
    _confirm(client, _upload(client, redi.campaign_id, workbook([row()])))
    line_id = _lines(app, redi.campaign_id)[0].id
    encoder = second_client(app, login_as, redi.encoder)
    seen = _row_version(encoder, redi, line_id)
    # the importer refreshes the balance from a newer REDI sheet while the page is open
    _confirm(client, _upload(client, redi.campaign_id, workbook([row(balance="-150")])))
    late = encoder.post(f"/redi/lignes/{line_id}", data={**FULL, "version": seen}, headers=HTMX)
    assert late.status_code == 409
    assert "Cette ligne a été modifiée par Ivan Import" in page_text(late)
