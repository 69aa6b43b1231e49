"""REDI is a CPAS subsidy: distributors and the fund manager never see it nor reach it."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from cpas.access.models import OrganisationKind, User
from cpas.extensions import db
from cpas.redi import services
from cpas.redi.models import RediCampaign, RediImport, RediLine
from tests.helpers import page_text
from tests.redi.conftest import row, workbook

CAMPAIGN = {
    "name": "REDI pirate",
    "period_start": "2023-05-01",
    "period_end": "2024-02-29",
    "report_deadline": "2024-04-30",
    "subsidy_amount": "1000,00",
    "payment_reference": "X",
}


def _redi_routes(app) -> list[tuple[str, str]]:
    """Every (method, url) of the REDI blueprint, ids filled with the CPAS's real objects."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("redi."):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, rule))
    assert len(routes) >= 15, "the REDI blueprint lost routes: the sweep would prove nothing"
    return routes


def _url(rule, ids: dict[str, int | str]) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids.get(m.group(1), "x")), rule.rule)


@pytest.fixture
def real_objects(app, redi, client, login_as):
    """A campaign with one line and a pending import, all of the CPAS (real ids)."""
    login_as(redi.encoder)
    upload = client.post(
        f"/redi/campagnes/{redi.campaign_id}/import",
        data={"file": (io.BytesIO(workbook([row()])), "redi.xlsx")},
        content_type="multipart/form-data",
    )
    token = re.search(r"/redi/imports/([\w-]+)/confirmer", upload.get_data(as_text=True))
    assert token, "the CPAS's own import works"
    client.post(f"/redi/imports/{token.group(1)}/confirmer")
    upload = client.post(
        f"/redi/campagnes/{redi.campaign_id}/import",
        data={"file": (io.BytesIO(workbook([row()])), "redi.xlsx")},
        content_type="multipart/form-data",
    )
    pending = re.search(r"/redi/imports/([\w-]+)/confirmer", upload.get_data(as_text=True))
    with app.app_context():
        line_id = db.session.scalar(
            select(RediLine.id).where(RediLine.campaign_id == redi.campaign_id)
        )
    return {"campaign_id": redi.campaign_id, "line_id": line_id, "token": pending.group(1)}


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count(RediCampaign.id))),
            db.session.scalar(select(func.count(RediLine.id))),
            db.session.scalar(select(func.count(RediImport.id))),
        )


@pytest.mark.parametrize("kind", [OrganisationKind.DISTRIBUTOR, OrganisationKind.FUND_MANAGER])
def test_every_redi_route_refused_to_other_kinds(
    app, client, make_org, make_user, login_as, redi, real_objects, kind
):
    outsider = make_user(make_org(kind), all_access=True)  # « Tous les accès »: every code
    login_as(outsider)
    before = _counts(app)
    for method, rule in _redi_routes(app):
        for ids in (real_objects, {}):  # the CPAS's real objects, and ids that do not exist
            url = _url(rule, ids)
            data = {**CAMPAIGN, "file": (io.BytesIO(workbook([row()])), "r.xlsx")}
            response = client.open(
                url,
                method=method,
                data=data if method == "POST" else None,
                content_type="multipart/form-data" if method == "POST" else None,
            )
            assert response.status_code in (403, 404), (method, url, response.status_code)
            assert "99001" not in response.get_data(as_text=True)  # nothing of the CPAS shown
    assert _counts(app) == before  # no campaign, line or import created or changed


@pytest.mark.parametrize("kind", [OrganisationKind.DISTRIBUTOR, OrganisationKind.FUND_MANAGER])
def test_no_redi_link_in_other_kinds_menu(app, client, make_org, make_user, login_as, kind):
    login_as(make_user(make_org(kind), all_access=True))
    html = client.get("/").get_data(as_text=True)
    assert "Fonds de l" in html  # the menu is there (water fund entries)
    assert 'href="/redi' not in html and "Subvention REDI" not in html


def test_cpas_keeps_its_redi_menu_and_routes(app, client, make_org, make_user, login_as):
    cpas = make_org(OrganisationKind.CPAS, ins_code="99003")
    login_as(make_user(cpas, all_access=True))
    assert 'href="/redi/"' in client.get("/").get_data(as_text=True)
    assert client.get("/redi/").status_code == 200
    created = client.post("/redi/campagnes", data=CAMPAIGN)
    assert created.status_code == 302


def test_distributor_cannot_create_a_campaign_nor_import(
    app, client, make_org, make_user, login_as, redi
):
    """The attack seen in review: a distributor created a campaign and imported a sheet
    carrying another CPAS's INS code."""
    login_as(make_user(make_org(OrganisationKind.DISTRIBUTOR), all_access=True))
    assert client.post("/redi/campagnes", data=CAMPAIGN).status_code == 403
    upload = client.post(
        f"/redi/campagnes/{redi.campaign_id}/import",
        data={"file": (io.BytesIO(workbook([row(ins="99001")])), "redi.xlsx")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 403
    assert _counts(app) == (1, 0, 0)


def test_import_refused_when_the_cpas_has_no_ins_code(app, client, make_org, make_user, login_as):
    cpas = make_org(OrganisationKind.CPAS, name="CPAS sans INS")
    encoder = make_user(cpas, functions=["redi.view", "redi.import"])
    with app.app_context():
        campaign = services.create_campaign(
            cpas.id,
            {
                "name": "REDI",
                "period_start": date(2023, 5, 1),
                "period_end": date(2024, 2, 29),
                "report_deadline": date(2024, 4, 30),
            },
            db.session.get(User, encoder.id),
        )
        campaign_id = campaign.id
    login_as(encoder)
    response = client.post(
        f"/redi/campagnes/{campaign_id}/import",
        data={"file": (io.BytesIO(workbook([row(ins="99001")])), "redi.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Le code INS de votre CPAS n'est pas encodé" in page_text(response)
    assert "/confirmer" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(RediImport.id))) == 0
