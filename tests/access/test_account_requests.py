"""Public account request: validation, honeypot, rate limit, review, accept, refuse."""

from __future__ import annotations

from sqlalchemy import func, select

from cpas.access.models import AccountRequest, OrganisationKind, User
from cpas.audit import AuditEntry
from cpas.extensions import db
from tests.helpers import page_text, posted_version

GOOD_PASSWORD = "Robinet-Fuyant-2026"


def _version(app, rid):
    """The version the review page's accept and refuse forms post for this request."""
    with app.app_context():
        return str(db.session.get(AccountRequest, rid).version)


def _form(org, **overrides):
    data = {
        "organisation_id": org.id,
        "last_name": "Lambert",
        "first_name": "Julie",
        "email": "julie.lambert@cpas-test.be",
        "password": GOOD_PASSWORD,
        "confirm": GOOD_PASSWORD,
        "iban": "BE71 0961 2345 6769",
        "representative": "Mme la Présidente",
        "phone": "081 12 34 56",
        "message": "Service social",
        "website": "",
    }
    data.update(overrides)
    return data


def _count(app, model=AccountRequest):
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


def test_public_form_creates_a_pending_request(app, client, make_org):
    cpas = make_org(OrganisationKind.CPAS, name="CPAS Public")
    page = client.get("/acces/demande-de-compte")
    assert page.status_code == 200 and "CPAS Public" in page_text(page)
    response = client.post("/acces/demande-de-compte", data=_form(cpas), follow_redirects=True)
    assert "Votre demande a bien été envoyée" in page_text(response)
    with app.app_context():
        row = db.session.scalar(select(AccountRequest))
        assert row.status == "pending" and row.iban == "BE71096123456769"
        assert row.password_hash.startswith("$argon2")


def test_bad_input_gets_messages_next_to_fields(app, client, make_org):
    cpas = make_org()
    response = client.post(
        "/acces/demande-de-compte",
        data=_form(
            cpas,
            iban="BE00 0000 0000 0000",
            password="court",
            confirm="autre",
            email="pas-un-email",
        ),
    )
    text = page_text(response)
    assert response.status_code == 422
    assert "IBAN" in text and "invalide" in text
    assert "au moins 12 caractères" in text
    assert "Les deux mots de passe ne correspondent pas." in text
    assert "Adresse e-mail invalide." in text
    assert 'value="Lambert"' in response.get_data(as_text=True)  # typed values kept
    assert _count(app) == 0


def test_password_equal_to_email_refused(client, make_org):
    cpas = make_org()
    email = "julie.lambert.long@cpas-test.be"
    response = client.post(
        "/acces/demande-de-compte", data=_form(cpas, email=email, password=email, confirm=email)
    )
    assert "ne peut pas être votre adresse e-mail" in page_text(response)


def test_same_answer_when_email_has_an_account(app, client, make_org, make_user, smtp):
    cpas = make_org()
    make_user(cpas, email="julie.lambert@cpas-test.be")
    response = client.post("/acces/demande-de-compte", data=_form(cpas), follow_redirects=True)
    assert "Votre demande a bien été envoyée" in page_text(response)
    assert _count(app) == 0
    assert "un compte existe déjà" in smtp.body(smtp.to("julie.lambert@cpas-test.be")[0])


def test_honeypot_is_silently_dropped(app, client, make_org):
    cpas = make_org()
    response = client.post(
        "/acces/demande-de-compte", data=_form(cpas, website="http://spam"), follow_redirects=True
    )
    assert "Votre demande a bien été envoyée" in page_text(response)
    assert _count(app) == 0


def test_rate_limited_per_ip(app, client, make_org):
    cpas = make_org()
    for n in range(5):
        client.post("/acces/demande-de-compte", data=_form(cpas, email=f"p{n}@cpas-test.be"))
    response = client.post("/acces/demande-de-compte", data=_form(cpas, email="p9@cpas-test.be"))
    assert response.status_code == 429
    assert "Trop de demandes" in page_text(response)
    assert _count(app) == 5


def test_edit_then_accept_creates_account_and_emails(
    app, client, make_org, make_user, make_profile, login_as, smtp
):
    cpas = make_org(name="CPAS Accueil")
    admin = make_user(cpas, functions=["access.account_requests"])
    profile = make_profile(cpas, ["access.audit"], name_fr="Lecteur")
    client.post("/acces/demande-de-compte", data=_form(cpas))
    with app.app_context():
        rid = db.session.scalar(select(AccountRequest.id))
    login_as(admin)
    assert "1</span>" in client.get("/").get_data(as_text=True)  # pending count in the menu
    edit = _form(cpas, first_name="Juliette")
    edit.pop("password"), edit.pop("confirm"), edit.pop("website")
    edit["version"] = posted_version(page_text(client.get(f"/acces/demandes-de-compte/{rid}")))
    assert client.post(f"/acces/demandes-de-compte/{rid}", data=edit).status_code == 302
    client.post(
        f"/acces/demandes-de-compte/{rid}/accepter",
        data={"profile_id": profile.id, "version": _version(app, rid)},
    )
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "julie.lambert@cpas-test.be"))
        assert user.first_name == "Juliette" and user.organisation_id == cpas.id
        assert [p.name_fr for p in user.profiles] == ["Lecteur"]
        row = db.session.get(AccountRequest, rid)
        assert row.status == "accepted" and row.decided_by_id == admin.id and row.decided_at
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {
            "access.account_request_submit",
            "access.account_request_update",
            "access.account_request_accept",
        } <= actions
    # [-1]: the first e-mail is the acknowledgement of the request
    assert "acceptée" in smtp.body(smtp.to("julie.lambert@cpas-test.be")[-1])
    # the applicant signs in with the password chosen on the form
    applicant = app.test_client()
    signed = applicant.post(
        "/connexion", data={"email": "julie.lambert@cpas-test.be", "password": GOOD_PASSWORD}
    )
    assert signed.status_code == 302
    history = page_text(client.get("/acces/demandes-de-compte"))
    assert "Acceptée" in history and admin.last_name in history
    # a decided request cannot be decided again
    again = client.post(
        f"/acces/demandes-de-compte/{rid}/refuser",
        data={"reason": "x", "version": _version(app, rid)},
        follow_redirects=True,
    )
    assert "déjà été traitée" in page_text(again)


def test_refuse_needs_a_reason(app, client, make_org, make_user, login_as, smtp):
    cpas = make_org()
    admin = make_user(cpas, functions=["access.account_requests"])
    client.post("/acces/demande-de-compte", data=_form(cpas))
    with app.app_context():
        rid = db.session.scalar(select(AccountRequest.id))
    login_as(admin)
    client.post(
        f"/acces/demandes-de-compte/{rid}/refuser",
        data={"reason": "", "version": _version(app, rid)},
    )
    with app.app_context():
        assert db.session.get(AccountRequest, rid).status == "pending"
    client.post(
        f"/acces/demandes-de-compte/{rid}/refuser",
        data={"reason": "Personne inconnue du service", "version": _version(app, rid)},
    )
    with app.app_context():
        row = db.session.get(AccountRequest, rid)
        assert row.status == "refused" and row.refusal_reason == "Personne inconnue du service"
    # [-1]: the first e-mail is the acknowledgement of the request
    assert "Personne inconnue du service" in smtp.body(smtp.to("julie.lambert@cpas-test.be")[-1])
