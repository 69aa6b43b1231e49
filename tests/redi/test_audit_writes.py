"""One audit entry per REDI write, in the name of the user who made it.

Over HTTP (the route passes the signed-in user as ``by``) and, for the services, outside
any request with another user as ``by`` (the entry names ``by``, never a fallback)."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from cpas.access.models import User
from cpas.extensions import db
from cpas.redi import services
from cpas.redi.importer import parse_workbook
from cpas.redi.models import RediCampaign, RediImport, RediLine
from tests.audit_helpers import entries_since, last_entry_id
from tests.helpers import with_version
from tests.redi.conftest import NISS_A, NISS_B, row, workbook

FULL = {
    "activation": "oui_piis",
    "decision_date": "2023-06-01",
    "monthly_granted": "100,00",
    "period_start": "2023-06-01",
    "period_end": "2023-07-31",
    "months": "2",
    "payment": "mensuelle",
    "total_paid": "0",
}


def _writes(app, mark):
    """The audit entries of writes since ``mark`` (consultations left out)."""
    views = {"redi.campaign_view", "redi.import_preview", "redi.export"}
    return [
        (e.action, e.user_id, e.object_type, e.object_id, e.niss)
        for e in entries_since(app, mark)
        if e.action not in views and e.action.startswith("redi.")
    ]


def _one_line(app, campaign_id, **fields):
    with app.app_context():
        line = RediLine(
            campaign_id=campaign_id,
            position=1,
            ins_code="99001",
            niss=NISS_A,
            budget_number="64",
            budget_date=date(2023, 6, 1),
            balance=Decimal("-200"),
            **fields,
        )
        db.session.add(line)
        db.session.commit()
        return line.id


def test_campaign_create_is_audited_with_its_author(app, client, login_as, redi):
    login_as(redi.encoder)
    mark = last_entry_id(app)
    response = client.post(
        "/redi/campagnes",
        data={
            "name": "REDI 2024",
            "period_start": "2023-05-01",
            "period_end": "2024-02-29",
            "report_deadline": "2024-04-30",
            "subsidy_amount": "1000,00",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        new_id = db.session.scalar(select(func.max(RediCampaign.id)))
    assert new_id != redi.campaign_id
    assert _writes(app, mark) == [
        ("redi.campaign_create", redi.encoder.id, "RediCampaign", str(new_id), None)
    ]


def test_line_save_duplicate_remove_are_each_audited(app, client, login_as, redi):
    line_id = _one_line(app, redi.campaign_id)
    login_as(redi.encoder)
    mark = last_entry_id(app)
    saved = client.post(f"/redi/lignes/{line_id}", data=with_version(app, RediLine, line_id) | FULL)
    assert saved.status_code == 200
    assert _writes(app, mark) == [
        ("redi.line_update", redi.encoder.id, "RediLine", str(line_id), NISS_A)
    ]
    mark = last_entry_id(app)
    assert client.post(f"/redi/lignes/{line_id}/dupliquer").status_code == 302
    with app.app_context():
        copy_id = db.session.scalar(select(func.max(RediLine.id)))
    assert copy_id != line_id
    assert _writes(app, mark) == [
        ("redi.line_duplicate", redi.encoder.id, "RediLine", str(copy_id), NISS_A)
    ]
    mark = last_entry_id(app)
    assert client.post(f"/redi/lignes/{copy_id}/supprimer").status_code == 302
    assert _writes(app, mark) == [
        ("redi.line_remove", redi.encoder.id, "RediLine", str(copy_id), NISS_A)
    ]


def test_a_refused_write_is_not_audited(app, client, login_as, redi):
    line_id = _one_line(app, redi.campaign_id)
    login_as(redi.encoder)
    mark = last_entry_id(app)
    client.post(f"/redi/lignes/{line_id}/supprimer")  # not a duplicate: refused
    stale = client.post(f"/redi/lignes/{line_id}", data={**FULL, "version": "7"})
    assert stale.status_code == 409
    assert _writes(app, mark) == []


def test_import_confirm_is_audited_with_its_counts(app, client, login_as, redi):
    login_as(redi.encoder)
    upload = client.post(
        f"/redi/campagnes/{redi.campaign_id}/import",
        data={"file": (io.BytesIO(workbook([row(), row(niss=NISS_B, budget="7")])), "r.xlsx")},
        content_type="multipart/form-data",
    )
    token = re.search(r"/redi/imports/([\w-]+)/confirmer", upload.get_data(as_text=True))
    mark = last_entry_id(app)
    assert client.post(f"/redi/imports/{token.group(1)}/confirmer").status_code == 302
    entries = [e for e in entries_since(app, mark) if e.action == "redi.import"]
    assert [(e.user_id, e.object_type, e.object_id) for e in entries] == [
        (redi.encoder.id, "RediCampaign", str(redi.campaign_id))
    ]
    assert json.loads(entries[0].details) == {"added": 2, "updated": 0, "vanished": 0}
    assert len(_writes(app, mark)) == 1


def test_services_audit_their_by_outside_any_request(app, redi):
    """A CLI or a job has no signed-in user: the entry names ``by``."""
    line_id = _one_line(app, redi.campaign_id)
    mark = last_entry_id(app)
    with app.app_context():
        by = db.session.get(User, redi.president.id)
        campaign = db.session.get(RediCampaign, redi.campaign_id)
        created = services.create_campaign(
            redi.cpas.id,
            {
                "name": "Par un job",
                "period_start": date(2023, 5, 1),
                "period_end": date(2024, 2, 29),
                "report_deadline": date(2024, 4, 30),
            },
            by,
        )
        line = db.session.get(RediLine, line_id)
        services.save_line(line, campaign, {"months": 2}, by, version=line.version)
        copy = services.duplicate_line(line, campaign, by)
        copy_id = copy.id
        services.remove_line(copy, campaign, by)
        parsed = parse_workbook(workbook([row(niss=NISS_B, budget="9")]), "99001")
        token = services.stage_import(campaign, parsed, "r.xlsx", by)
        pending = db.session.scalar(select(RediImport).where(RediImport.token == token))
        services.confirm_import(pending, campaign, by)
        created_id = created.id
    assert [(action, user, oid) for action, user, _, oid, _ in _writes(app, mark)] == [
        ("redi.campaign_create", redi.president.id, str(created_id)),
        ("redi.line_update", redi.president.id, str(line_id)),
        ("redi.line_duplicate", redi.president.id, str(copy_id)),
        ("redi.line_remove", redi.president.id, str(copy_id)),
        ("redi.import", redi.president.id, str(redi.campaign_id)),
    ]
