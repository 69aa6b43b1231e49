"""Every NISS a REDI screen or export shows is audited, one entry per NISS, in one statement."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from cpas.extensions import db
from cpas.redi.models import RediLine
from tests.audit_helpers import audit_inserts, entries_since, last_entry_id, niss_in
from tests.helpers import page_text
from tests.redi.conftest import NISS_A, NISS_B, NISS_C, row, workbook


def _add_lines(app, campaign_id, nisses):
    with app.app_context():
        for position, niss in enumerate(nisses, start=1):
            db.session.add(
                RediLine(
                    campaign_id=campaign_id,
                    position=position,
                    ins_code="99001",
                    niss=niss,
                    budget_number=str(60 + position),
                    budget_date=date(2023, 6, 1),
                    balance=Decimal("-100"),
                )
            )
        db.session.commit()


def test_campaign_table_logs_each_niss_shown(app, client, login_as, redi):
    # NISS_A twice (two budgets of one person): still one consultation of that person
    _add_lines(app, redi.campaign_id, [NISS_A, NISS_B, NISS_A, NISS_C])
    login_as(redi.encoder)
    mark = last_entry_id(app)
    with audit_inserts(app) as inserts:
        response = client.get(f"/redi/campagnes/{redi.campaign_id}")
    assert response.status_code == 200
    entries = entries_since(app, mark)
    assert niss_in(page_text(response)) == {NISS_A, NISS_B, NISS_C}
    assert sorted(e.niss for e in entries) == sorted([NISS_A, NISS_B, NISS_C])
    assert {(e.action, e.object_type, e.object_id) for e in entries} == {
        ("redi.campaign_view", "RediCampaign", str(redi.campaign_id))
    }
    assert len(inserts) == 1


def test_campaign_filter_logs_only_the_niss_shown(app, client, login_as, redi):
    _add_lines(app, redi.campaign_id, [NISS_A, NISS_B])
    login_as(redi.encoder)
    mark = last_entry_id(app)
    response = client.post(f"/redi/campagnes/{redi.campaign_id}", data={"niss": NISS_B})
    assert response.status_code == 200
    assert niss_in(page_text(response)) == {NISS_B}
    assert [e.niss for e in entries_since(app, mark)] == [NISS_B]


def test_campaign_with_bad_filter_still_logs_the_table(app, client, login_as, redi):
    _add_lines(app, redi.campaign_id, [NISS_A, NISS_C])
    login_as(redi.encoder)
    mark = last_entry_id(app)
    response = client.post(f"/redi/campagnes/{redi.campaign_id}", data={"niss": "12345678901"})
    assert response.status_code == 422  # the message, and the whole table below it
    shown = niss_in(page_text(response))
    assert shown == {NISS_A, NISS_C}
    assert {e.niss for e in entries_since(app, mark)} == shown


def test_export_logs_each_niss_of_the_file(app, client, login_as, redi):
    _add_lines(app, redi.campaign_id, [NISS_A, NISS_B, NISS_C, NISS_B])
    login_as(redi.encoder)
    mark = last_entry_id(app)
    with audit_inserts(app) as inserts:
        response = client.get(f"/redi/campagnes/{redi.campaign_id}/export.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.data)).active
    in_file = {r[1] for r in ws.iter_rows(min_row=5, values_only=True) if r[1]}
    assert in_file == {NISS_A, NISS_B, NISS_C}
    entries = entries_since(app, mark)
    assert sorted(e.niss for e in entries) == sorted(in_file)
    assert {e.action for e in entries} == {"redi.export"}
    assert len(inserts) == 1


def test_import_preview_logs_each_niss_shown(app, client, login_as, redi):
    login_as(redi.encoder)
    data = workbook([row(NISS_A, "64"), row(NISS_B, "65"), row(NISS_C, "66")])
    mark = last_entry_id(app)
    response = client.post(
        f"/redi/campagnes/{redi.campaign_id}/import",
        data={"file": (io.BytesIO(data), "redi.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    shown = niss_in(page_text(response))
    assert shown == {NISS_A, NISS_B, NISS_C}
    entries = entries_since(app, mark, "redi.import_preview")
    assert {e.niss for e in entries} == shown and len(entries) == 3


def test_another_cpas_campaign_is_a_404_and_a_security_event(app, client, login_as, redi):
    _add_lines(app, redi.campaign_id, [NISS_A])
    login_as(redi.stranger)
    mark = last_entry_id(app)
    assert client.get(f"/redi/campagnes/{redi.campaign_id}").status_code == 404
    assert client.get(f"/redi/campagnes/{redi.campaign_id}/export.xlsx").status_code == 404
    entries = entries_since(app, mark)
    assert [(e.action, e.outcome, e.object_type, e.niss) for e in entries] == [
        ("security.cross_org", "denied", "RediCampaign", None)
    ] * 2
    assert {e.user_id for e in entries} == {redi.stranger.id}
    assert {e.organisation_id for e in entries} == {redi.other.id}
