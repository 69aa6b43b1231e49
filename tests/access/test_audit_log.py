"""Admin-Logs: search by date, user, action and NISS; export; viewing is logged."""

from __future__ import annotations

import re
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


def _forms(html):
    """Each <form> of the page: its opening tag and its content."""
    return re.findall(r"<form\b([^>]*)>(.*?)</form>", html, re.S)


def test_niss_never_in_the_url(app, client, make_user, login_as, make_org):
    """A NISS searched or shown travels in POST bodies only, never in a URL of the page."""
    auditor = make_user(functions=["access.audit"])
    _entries(app, auditor.organisation, auditor, make_org())
    login_as(auditor)
    html = client.post("/acces/admin-logs", data={"niss": "85.07.30-033.28"}).get_data(as_text=True)
    assert "85.07.30-033.28" in html  # the search ran and shows the person's rows
    with_niss = [(tag, body) for tag, body in _forms(html) if 'name="niss"' in body]
    targets = set()
    for tag, _body in with_niss:
        assert 'method="post"' in tag, tag  # never a GET form, whose fields go in the URL
        targets |= set(re.findall(r'(?:action|hx-post)="([^"]*)"', tag))
    # the search (to the page itself, by htmx or not) and the export of that search
    assert targets == {"/acces/admin-logs", "/acces/admin-logs/export.xlsx"}, targets
    export = next(body for tag, body in with_niss if "export.xlsx" in tag)
    assert re.search(r'<input type="hidden" name="niss" value="85073003328">', export)
    # no link, form target or htmx request of the page carries the NISS
    urls = re.findall(r'(?:href|action|src|hx-get|hx-post)="([^"]*)"', html)
    assert urls and not [u for u in urls if "85073003328" in u or "85.07.30" in u]
    # and a NISS put in the query string by hand is not a search: every row is listed
    listed = page_text(client.get("/acces/admin-logs?niss=85073003328"))
    assert "Modification de la fiche signalétique" in listed
