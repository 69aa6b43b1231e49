"""Every REDI route, taken from the url map, against the function it needs (written here).

For each endpoint: refused (403) to a user of the CPAS who holds every other REDI function
but not the one needed, open to a user holding exactly it, refused (403) to distributors
and the fund manager with « Tous les accès », and 404 to another CPAS for this CPAS's
campaign, line or staged import.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from cpas.access.models import OrganisationKind, User
from cpas.extensions import db
from cpas.redi import services
from cpas.redi.importer import parse_workbook
from cpas.redi.models import RediCampaign, RediLine
from tests.redi.conftest import row, workbook

#: The function(s) each REDI endpoint needs, written from the function tree's intent (not
#: read from the decorators): a new endpoint fails test_every_endpoint_is_listed.
EXPECTED: dict[str, tuple[str, ...]] = {
    "redi.index": ("redi.view",),
    "redi.campaign_create": ("redi.import",),
    "redi.campaign": ("redi.view",),
    "redi.line_save": ("redi.encode",),
    "redi.line_duplicate": ("redi.encode",),
    "redi.line_remove": ("redi.encode",),
    "redi.import_upload": ("redi.import",),
    "redi.import_confirm": ("redi.import",),
    "redi.report": ("redi.view",),
    "redi.validate": ("redi.validate",),
    "redi.sign_president": ("redi.sign_president",),
    "redi.sign_director": ("redi.sign_director",),
    "redi.close": ("redi.validate",),
    "redi.reopen": ("access.users", "redi.view"),
    "redi.export_xlsx": ("redi.export",),
    "redi.report_pdf": ("redi.export",),
}
EVERY = (
    "redi.view", "redi.import", "redi.encode", "redi.validate", "redi.sign_president",
    "redi.sign_director", "redi.export", "access.users",
)  # fmt: skip

CAMPAIGN = {
    "name": "REDI 2",
    "period_start": "2023-05-01",
    "period_end": "2024-02-29",
    "report_deadline": "2024-04-30",
    "subsidy_amount": "1000,00",
}


def _rules(app, endpoint):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint]


def test_every_endpoint_is_listed(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("redi.")}
    assert endpoints == set(EXPECTED)


def _url(rule, ids):
    return rule.build({name: ids[name] for name in rule.arguments})[1]


def _stage(app, campaign_id, user):
    """A staged import of ``user`` (its token), as the upload would leave it."""
    with app.app_context():
        campaign = db.session.get(RediCampaign, campaign_id)
        parsed = parse_workbook(workbook([row(niss="90021512370", budget="7")]), "99001")
        return services.stage_import(campaign, parsed, "r.xlsx", db.session.get(User, user.id))


def _ask(client, rule, method, ids):
    post = method == "POST"
    data = {"version": "1", "confirmed": "1", "reason": "Correction", **CAMPAIGN}
    if post:
        data["file"] = (io.BytesIO(workbook([row()])), "redi.xlsx")
    return client.open(
        _url(rule, ids),
        method=method,
        data=data if post else None,
        content_type="multipart/form-data" if post else None,
    )


@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
def test_each_route_needs_its_function(app, client, login_as, make_org, make_user, redi, endpoint):
    rules = _rules(app, endpoint)
    assert rules, f"{endpoint} is gone: update EXPECTED"
    with app.app_context():
        line = RediLine(
            campaign_id=redi.campaign_id, ins_code="99001", niss="85073003328", budget_number="64"
        )
        db.session.add(line)
        db.session.commit()
        line_id = line.id
    needed = EXPECTED[endpoint]
    allowed = make_user(redi.cpas, functions=list(needed))
    foreign = make_user(redi.other, all_access=True)
    outsiders = [
        make_user(make_org(kind), all_access=True)
        for kind in (OrganisationKind.DISTRIBUTOR, OrganisationKind.FUND_MANAGER)
    ]
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            ids = {
                "campaign_id": redi.campaign_id,
                "line_id": line_id,
                "token": _stage(app, redi.campaign_id, allowed),
            }
            for code in needed:
                login_as(make_user(redi.cpas, functions=[c for c in EVERY if c != code]))
                assert _ask(client, rule, method, ids).status_code == 403, (endpoint, code)
            for outsider in outsiders:
                login_as(outsider)
                assert _ask(client, rule, method, ids).status_code == 403, endpoint
            if rule.arguments:  # another CPAS, every function: this CPAS's objects are 404
                login_as(foreign)
                assert _ask(client, rule, method, ids).status_code == 404, endpoint
            login_as(allowed)
            status = _ask(client, rule, method, ids).status_code
            assert status not in (401, 403, 404) and status < 500, (endpoint, method, status)


def test_a_staged_import_is_only_its_uploaders(app, client, login_as, make_user, redi):
    """A colleague of the same CPAS, with « redi.import », cannot confirm it (404)."""
    token = _stage(app, redi.campaign_id, redi.encoder)
    login_as(make_user(redi.cpas, functions=["redi.view", "redi.import"]))
    assert client.post(f"/redi/imports/{token}/confirmer").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(RediLine.id))) == 0
    login_as(redi.encoder)
    assert client.post(f"/redi/imports/{token}/confirmer").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(RediLine.id))) == 1
