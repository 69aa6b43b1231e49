"""Admin-Logs: search by date, user, action and NISS; export; viewing is logged."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from cpas.audit import AuditEntry
from cpas.extensions import db
from tests.helpers import page_text


def _entries(app, org, user, other):
    with app.app_context():
        db.session.add_all(
            [
                AuditEntry(
                    action="registry.person_view",
                    organisation_id=org.id,
                    user_id=user.id,
                    niss="85073003328",
                    at=datetime(2026, 3, 1, 10, 0),
                    object_type="Person",
                    object_id="1",
                ),
                AuditEntry(
                    action="centre.save_profile",
                    organisation_id=org.id,
                    user_id=user.id,
                    at=datetime(2026, 4, 1, 10, 0),
                ),
                AuditEntry(
                    action="registry.person_view",
                    organisation_id=other.id,
                    niss="85073003328",
                    at=datetime(2026, 3, 1, 10, 0),
                ),
            ]
        )
        db.session.commit()


def test_search_by_niss_date_action_user(app, client, make_user, login_as, make_org):
    auditor = make_user(functions=["access.audit"], last_name="Auditrice")
    other_org = make_org()
    _entries(app, auditor.organisation, auditor, other_org)
    login_as(auditor)
    by_niss = page_text(client.post("/acces/admin-logs", data={"niss": "85.07.30-033.28"}))
    # rows carry the code as a tooltip and show the label
    person_view = '<td title="registry.person_view">Consultation d\'une personne au registre</td>'
    fiche = '<td title="centre.save_profile">Modification de la fiche signalétique</td>'
    assert person_view in by_niss and fiche not in by_niss
    assert "85.07.30-033.28" in by_niss
    by_date = page_text(
        client.post("/acces/admin-logs", data={"date_from": "2026-03-15", "date_to": "2026-04-30"})
    )
    assert fiche in by_date and "01/03/2026" not in by_date
    by_action = page_text(client.post("/acces/admin-logs", data={"action": "centre.save_profile"}))
    assert fiche in by_action and person_view not in by_action
    by_user = page_text(client.post("/acces/admin-logs", data={"user_id": str(auditor.id)}))
    assert "Auditrice" in by_user
    # another organisation's entry with the same NISS never appears: one row only
    assert by_niss.count(">85.07.30-033.28</td>") == 1


def test_bad_niss_gets_a_message(client, make_user, login_as):
    login_as(make_user(functions=["access.audit"]))
    response = client.post("/acces/admin-logs", data={"niss": "12345678901"})
    assert response.status_code == 422
    assert "NISS invalide" in page_text(response)


def test_viewing_the_log_is_logged(app, client, make_user, login_as):
    auditor = make_user(functions=["access.audit"])
    login_as(auditor)
    client.post("/acces/admin-logs", data={"niss": "85073003328"})
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "access.audit_view")
        )
        assert entry.user_id == auditor.id and entry.niss == "85073003328"


def test_export_of_the_search(app, client, make_user, login_as, make_org):
    auditor = make_user(functions=["access.audit"])
    _entries(app, auditor.organisation, auditor, make_org())
    login_as(auditor)
    response = client.post(
        "/acces/admin-logs/export.xlsx",
        data={
            "action": "registry.person_view",
            "user_id": "",
            "date_from": "",
            "date_to": "",
            "niss": "",
        },
    )
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.data)).active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert [r[2] for r in rows] == ["Consultation d'une personne au registre"]
    assert rows[0][4] == "85073003328" and rows[0][7] == "registry.person_view"


def test_niss_never_in_the_url(client, make_user, login_as):
    login_as(make_user(functions=["access.audit"]))
    html = client.get("/acces/admin-logs").get_data(as_text=True)
    assert 'method="post"' in html
