"""Sign-in, sign-out, throttling, sessions and password reset."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from cpas.access.models import User
from cpas.audit import AuditEntry
from cpas.auth.models import LoginAttempt, PasswordResetToken
from cpas.extensions import db
from cpas.timeutil import utcnow
from tests.conftest import PASSWORD
from tests.helpers import page_text


def _login(client, email, password=PASSWORD, **kw):
    return client.post("/connexion", data={"email": email, "password": password}, **kw)


def _audit_actions(app):
    with app.app_context():
        return [a for (a,) in db.session.execute(select(AuditEntry.action).order_by(AuditEntry.id))]


def test_login_with_good_password_opens_home_and_is_audited(app, client, make_user):
    user = make_user(email="anne@cpas.test", first_name="Anne")
    response = _login(client, "Anne@CPAS.test ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Bienvenue, Anne" in home.get_data(as_text=True)
    assert "auth.login" in _audit_actions(app)
    with app.app_context():
        assert db.session.get(User, user.id).last_login_at is not None


def test_wrong_password_and_unknown_email_get_the_same_answer(app, client, make_user):
    make_user(email="anne@cpas.test")
    wrong = _login(client, "anne@cpas.test", "mauvais-mot-de-passe")
    unknown = _login(client, "personne@cpas.test", "mauvais-mot-de-passe")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "Adresse e-mail ou mot de passe incorrect." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out
    assert _audit_actions(app).count("auth.login_failed") == 2


def test_empty_fields_get_messages_next_to_the_fields(client):
    response = _login(client, "", "")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Indiquez votre adresse e-mail." in html
    assert "Indiquez votre mot de passe." in html


def test_throttle_per_account_holds_in_the_database(app, client, make_user):
    make_user(email="anne@cpas.test")
    for _ in range(5):
        assert _login(client, "anne@cpas.test", "faux").status_code == 401
    # Even the right password is refused while throttled; a new client (another worker,
    # another browser) sees the same counter since it lives in the database.
    other = app.test_client()
    response = _login(other, "anne@cpas.test")
    assert response.status_code == 401
    assert "Trop de tentatives de connexion" in response.get_data(as_text=True)
    assert other.get("/").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(LoginAttempt.id))) == 6


def test_throttle_expires_after_the_window(app, client, make_user):
    make_user(email="anne@cpas.test")
    for _ in range(5):
        _login(client, "anne@cpas.test", "faux")
    with app.app_context():
        for attempt in db.session.scalars(select(LoginAttempt)):
            attempt.at = utcnow() - timedelta(minutes=16)
        db.session.commit()
    assert _login(client, "anne@cpas.test").status_code == 302


def test_throttle_per_ip(app, client, make_user):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 3
    make_user(email="anne@cpas.test")
    for n in range(3):
        _login(client, f"inconnu{n}@cpas.test", "faux")
    response = _login(client, "anne@cpas.test")
    assert "Trop de tentatives" in response.get_data(as_text=True)


def test_deactivated_user_cannot_sign_in_and_loses_open_session(app, client, make_user, login_as):
    user = make_user(email="anne@cpas.test")
    login_as(user)
    assert client.get("/").status_code == 200
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    # the open session stops working at the next request
    assert client.get("/").status_code == 302
    response = _login(app.test_client(), "anne@cpas.test")
    assert response.status_code == 401
    assert "Ce compte est désactivé" in response.get_data(as_text=True)


def test_session_version_bump_ends_sessions(app, client, make_user, login_as):
    user = make_user()
    login_as(user)
    with app.app_context():
        db.session.get(User, user.id).session_version += 1
        db.session.commit()
    assert client.get("/").status_code == 302


def test_login_starts_a_new_session(client, make_user):
    make_user(email="anne@cpas.test")
    with client.session_transaction() as session:
        session["planted"] = "by-attacker"
    _login(client, "anne@cpas.test")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session


def test_logout_needs_post_and_csrf(client, make_user, login_as):
    login_as(make_user())
    assert client.get("/deconnexion").status_code == 405
    refused = client.post("/deconnexion", csrf=False)
    assert refused.status_code == 400
    assert "jeton de sécurité" in refused.get_data(as_text=True)
    assert client.get("/").status_code == 200  # still signed in
    assert client.post("/deconnexion").status_code == 302
    assert client.get("/").status_code == 302


def test_idle_timeout(app, client, make_user, login_as):
    login_as(make_user())
    with client.session_transaction() as session:
        session["seen"] = session["seen"] - 31 * 60
    response = client.get("/")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "inactivité" in page.get_data(as_text=True)


def test_absolute_lifetime(app, client, make_user, login_as):
    app.config["ABSOLUTE_SESSION_HOURS"] = 1
    login_as(make_user())
    with client.session_transaction() as session:
        session["login_at"] = session["login_at"] - 2 * 3600
    assert client.get("/").status_code == 302


def test_next_parameter_cannot_leave_the_site(client, make_user):
    make_user(email="anne@cpas.test")
    response = _login(client, "anne@cpas.test", query_string={"next": "//evil.example/x"})
    assert response.headers["Location"] == "/"


def _reset_link(smtp, email):
    messages = smtp.to(email)
    assert len(messages) == 1
    body = smtp.body(messages[0])
    match = re.search(r"http://intranet\.test(/reinitialiser/[\w-]+)", body)
    assert match, body
    return match.group(1), body


def test_password_reset_by_email_single_use(app, client, make_user, smtp):
    user = make_user(email="anne@cpas.test")
    response = client.post("/mot-de-passe-oublie", data={"email": "anne@cpas.test"})
    assert response.status_code == 302
    path, body = _reset_link(smtp, "anne@cpas.test")
    assert "anne" not in body.lower().split("http")[0]  # no personal data in the text
    assert client.get(path).status_code == 200
    bad = client.post(path, data={"password": "court", "confirm": "court"})
    assert bad.status_code == 422
    assert "au moins 12 caractères" in bad.get_data(as_text=True)
    new = "Un-Nouveau-Mot-De-Passe-9"
    done = client.post(path, data={"password": new, "confirm": new})
    assert done.status_code == 302
    assert _login(app.test_client(), "anne@cpas.test", new).status_code == 302
    assert _login(app.test_client(), "anne@cpas.test", PASSWORD).status_code == 401
    reused = client.get(path)
    assert reused.status_code == 410
    assert "n'est plus valable" in page_text(reused)
    assert (
        client.post(
            path, data={"password": "Autre-Mot-De-Passe-77", "confirm": "Autre-Mot-De-Passe-77"}
        ).status_code
        == 410
    )
    assert "auth.password_reset" in _audit_actions(app)
    with app.app_context():
        assert db.session.get(User, user.id).session_version == 2


def test_password_reset_link_expires(app, client, make_user, smtp):
    make_user(email="anne@cpas.test")
    client.post("/mot-de-passe-oublie", data={"email": "anne@cpas.test"})
    path, _ = _reset_link(smtp, "anne@cpas.test")
    with app.app_context():
        token = db.session.scalar(select(PasswordResetToken))
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get(path).status_code == 410


def test_password_reset_same_answer_for_unknown_email(client, make_user, smtp):
    make_user(email="anne@cpas.test")
    known = client.post(
        "/mot-de-passe-oublie", data={"email": "anne@cpas.test"}, follow_redirects=True
    )
    unknown = client.post(
        "/mot-de-passe-oublie", data={"email": "x@cpas.test"}, follow_redirects=True
    )
    text_known = known.get_data(as_text=True)
    assert "Si un compte actif correspond" in text_known
    assert "Si un compte actif correspond" in unknown.get_data(as_text=True)
    assert len(smtp.messages) == 1


def test_reset_link_uses_base_url_not_host_header(app, client, make_user, smtp):
    app.config["WTF_CSRF_ENABLED"] = False  # the cookie jar does not follow a forged Host
    make_user(email="anne@cpas.test")
    client.post(
        "/mot-de-passe-oublie", data={"email": "anne@cpas.test"}, headers={"Host": "evil.example"}
    )
    body = smtp.body(smtp.to("anne@cpas.test")[0])
    assert "evil.example" not in body
    assert "http://intranet.test/reinitialiser/" in body


def test_common_password_refused(client, make_user, smtp):
    make_user(email="anne@cpas.test")
    client.post("/mot-de-passe-oublie", data={"email": "anne@cpas.test"})
    path, _ = _reset_link(smtp, "anne@cpas.test")
    response = client.post(path, data={"password": "password1234", "confirm": "password1234"})
    assert response.status_code == 422
    assert "trop courant" in response.get_data(as_text=True)


def test_language_switch_is_remembered(app, client, make_user, login_as):
    user = make_user()
    login_as(user)
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="fr-BE">' in html and "Se déconnecter" in html
    client.post("/langue", data={"locale": "nl", "next": "/"})
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="nl-BE">' in html and "Afmelden" in html
    with app.app_context():
        assert db.session.get(User, user.id).locale == "nl"
    assert (
        client.post("/langue", data={"locale": "de", "next": "//evil"}).headers["Location"] == "/"
    )
