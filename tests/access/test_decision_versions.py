"""Deactivation, reactivation and the decision on an account request post the record's
version: a change saved since the page was loaded is a conflict and changes nothing; the
account request's life is the declared workflow, checked against a table written out."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cpas.access import lifecycle, services
from cpas.access.models import AccountRequest, User
from cpas.audit import AuditEntry
from cpas.extensions import db
from cpas.workflow import RuleError, transitions
from tests.helpers import page_text, posted_version


@pytest.fixture
def office(app, make_org, make_user, make_profile):
    """Two administrators of one CPAS, a colleague, a narrow profile, a pending request."""
    org = make_org(name="CPAS Versions")
    first = make_user(org, all_access=True, first_name="Anne", last_name="Premier")
    second = make_user(org, all_access=True, first_name="Bruno", last_name="Second")
    colleague = make_user(org, functions=["access.audit"], last_name="Collegue")
    narrow = make_profile(org, ["access.audit"], name_fr="Lecteur")
    with app.app_context():
        row = AccountRequest(
            organisation_id=org.id,
            last_name="Lambert",
            first_name="Julie",
            email="julie@cpas-versions.test",
            password_hash="x",
            iban="BE71096123456769",
            representative="M. le Président",
            phone="081000000",
        )
        db.session.add(row)
        db.session.commit()
        rid = row.id
    return {"first": first, "second": second, "colleague": colleague, "narrow": narrow, "rid": rid}


def _user(app, user_id):
    with app.app_context():
        user = db.session.get(User, user_id)
        return user.active, user.version, {p.name_fr for p in user.profiles}


def _request(app, rid):
    with app.app_context():
        row = db.session.get(AccountRequest, rid)
        accounts = db.session.scalar(select(func.count()).select_from(User))
        return row.status, row.version, accounts


def _actions(app, action):
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        )


def test_the_users_list_posts_the_assignment_version(app, client, login_as, office):
    login_as(office["first"])
    html = page_text(client.get("/acces/utilisateurs", query_string={"nom": "collegue"}))
    deactivate = f"/acces/utilisateurs/{office['colleague'].id}/desactiver"
    assert posted_version(html, within=deactivate) == str(_user(app, office["colleague"].id)[1])


def test_deactivation_from_a_stale_list_is_a_conflict(app, client, login_as, office):
    colleague = office["colleague"]
    login_as(office["first"])
    html = page_text(client.get("/acces/utilisateurs", query_string={"nom": "collegue"}))
    loaded = posted_version(html, within=f"/acces/utilisateurs/{colleague.id}/desactiver")
    # meanwhile the second administrator gives the colleague another profile
    other = app.test_client()
    login_as(office["second"], on=other)
    url = f"/acces/utilisateurs/{colleague.id}/profils"
    fresh = posted_version(page_text(other.get(url)))
    other.post(url, data={"profiles": [office["narrow"].id], "version": fresh})
    response = client.post(
        f"/acces/utilisateurs/{colleague.id}/desactiver",
        data={"version": loaded},
        follow_redirects=True,
    )
    text = page_text(response)
    assert "Bruno Second" in text and "Rien n'a été modifié." in text
    active, _version, profiles = _user(app, colleague.id)
    assert active is True and profiles == {"Lecteur"}
    assert _actions(app, "access.user_deactivate") == 0


@pytest.mark.parametrize("posted", [{}, {"version": ""}, {"version": "abc"}, {"version": "²"}])
@pytest.mark.parametrize("step", ["desactiver", "reactiver"])
def test_a_missing_or_garbage_version_changes_nothing(app, client, login_as, office, posted, step):
    colleague = office["colleague"]
    login_as(office["first"])
    if step == "reactiver":
        current = _user(app, colleague.id)[1]
        client.post(f"/acces/utilisateurs/{colleague.id}/desactiver", data={"version": current})
    before = _user(app, colleague.id)
    response = client.post(
        f"/acces/utilisateurs/{colleague.id}/{step}", data=posted, follow_redirects=True
    )
    assert "version" in page_text(response).lower()
    assert _user(app, colleague.id) == before


def test_reactivation_from_a_stale_list_is_a_conflict(app, client, login_as, office):
    colleague = office["colleague"]
    login_as(office["first"])
    loaded = _user(app, colleague.id)[1]
    client.post(f"/acces/utilisateurs/{colleague.id}/desactiver", data={"version": loaded})
    response = client.post(
        f"/acces/utilisateurs/{colleague.id}/reactiver",
        data={"version": loaded},  # the version before the deactivation
        follow_redirects=True,
    )
    assert "Rien n'a été modifié." in page_text(response)
    assert _user(app, colleague.id)[0] is False


def _edit_meanwhile(app, client, office):
    """The second administrator saves the request after the first loaded the review page."""
    rid = office["rid"]
    page = page_text(client.get(f"/acces/demandes-de-compte/{rid}"))
    loaded = posted_version(page, within=f"/acces/demandes-de-compte/{rid}/accepter")
    assert posted_version(page, within=f"/acces/demandes-de-compte/{rid}/refuser") == loaded
    with app.test_request_context("/"):
        row = db.session.get(AccountRequest, rid)
        fields = ("last_name", "email", "iban", "representative", "phone", "message")
        edit = {f: getattr(row, f) or "" for f in fields} | {"first_name": "Juliette"}
        second = db.session.get(User, office["second"].id)
        services.update_account_request(row, edit, second, version=int(loaded))
    return loaded


def test_accept_from_a_stale_page_creates_no_account(app, client, login_as, office, smtp):
    login_as(office["first"])
    accounts = _request(app, office["rid"])[2]
    loaded = _edit_meanwhile(app, client, office)
    response = client.post(
        f"/acces/demandes-de-compte/{office['rid']}/accepter",
        data={"profile_id": office["narrow"].id, "version": loaded},
        follow_redirects=True,
    )
    text = page_text(response)
    assert "Bruno Second" in text and "rien n'a été créé" in text
    assert _request(app, office["rid"])[0::2] == ("pending", accounts)
    assert smtp.to("julie@cpas-versions.test") == []


def test_refuse_from_a_stale_page_refuses_nothing(app, client, login_as, office, smtp):
    login_as(office["first"])
    loaded = _edit_meanwhile(app, client, office)
    response = client.post(
        f"/acces/demandes-de-compte/{office['rid']}/refuser",
        data={"reason": "Doublon", "version": loaded},
        follow_redirects=True,
    )
    assert "elle n'a pas été refusée" in page_text(response)
    assert _request(app, office["rid"])[0] == "pending"
    assert smtp.to("julie@cpas-versions.test") == []


@pytest.mark.parametrize("step", ["accepter", "refuser"])
def test_a_decision_without_a_version_changes_nothing(app, client, login_as, office, step):
    login_as(office["first"])
    before = _request(app, office["rid"])
    client.post(
        f"/acces/demandes-de-compte/{office['rid']}/{step}",
        data={"profile_id": office["narrow"].id, "reason": "Doublon"},
    )
    assert _request(app, office["rid"]) == before


def test_the_account_request_workflow_is_the_table():
    assert lifecycle.ACCOUNT_REQUEST.name + "." + lifecycle.ACCEPT == (
        "access.account_request_accept"
    )
    assert transitions(lifecycle.ACCOUNT_REQUEST) == {
        ("pending", "account_request_accept", "accepted"),
        ("pending", "account_request_refuse", "refused"),
    }


@pytest.mark.parametrize("status", ["accepted", "refused"])
@pytest.mark.parametrize("action", [lifecycle.ACCEPT, lifecycle.REFUSE])
def test_a_decided_request_is_decided_once(app, office, status, action):
    """The workflow itself refuses a second decision (the service says so first)."""
    with app.test_request_context("/"):
        row = db.session.get(AccountRequest, office["rid"])
        row.status = status
        db.session.commit()
        admin = db.session.get(User, office["first"].id)
        narrow = db.session.get(type(office["narrow"]), office["narrow"].id)
        with pytest.raises(RuleError):
            lifecycle.ACCOUNT_REQUEST.fire(
                row, action, admin, row.version, {"profile": narrow, "reason": "x"}
            )
        assert db.session.get(AccountRequest, office["rid"]).status == status
