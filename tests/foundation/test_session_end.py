"""Sign-out ends the session on the server: a copied cookie is useless afterwards."""

from __future__ import annotations

import re

from cpas.access.models import User
from cpas.extensions import db
from tests.conftest import PASSWORD

COOKIE = "cpas_session"
META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def _sign_in(client, email):
    response = client.post("/connexion", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302


def _version_of(app, user) -> str:
    """The version a loaded page posts with « Désactiver » (the form carries it)."""
    with app.app_context():
        return str(db.session.get(User, user.id).version)


def _csrf_of_signed_in_page(client):
    html = client.get("/acces/mes-acces").get_data(as_text=True)
    return META_CSRF.search(html).group(1)


def test_replayed_cookie_after_sign_out_is_sent_to_sign_in(app, client, make_user):
    make_user(email="anne@cpas.test")
    _sign_in(client, "anne@cpas.test")
    assert client.get("/acces/mes-acces").status_code == 200
    copied = client.get_cookie(COOKIE).value

    assert client.post("/deconnexion").status_code == 302
    client.set_cookie(COOKIE, copied)  # the attacker's copy, replayed

    response = client.get("/acces/mes-acces")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")


def test_replayed_cookie_after_sign_out_cannot_post(app, client, make_user):
    org_admin = make_user(email="admin@cpas.test", functions=["access.users"])
    colleague = make_user(org=org_admin.organisation)
    _sign_in(client, "admin@cpas.test")
    token = _csrf_of_signed_in_page(client)
    copied = client.get_cookie(COOKIE).value

    assert client.post("/deconnexion").status_code == 302
    client.set_cookie(COOKIE, copied)

    response = client.post(
        f"/acces/utilisateurs/{colleague.id}/desactiver",
        data={"version": _version_of(app, colleague)},
        headers={"X-CSRFToken": token},
        csrf=False,
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")
    with app.app_context():
        assert db.session.get(User, colleague.id).active is True


def test_the_same_post_works_before_sign_out(app, client, make_user):
    """Control: the replayed request above is refused because of the sign-out, not its form."""
    org_admin = make_user(email="admin@cpas.test", functions=["access.users"])
    colleague = make_user(org=org_admin.organisation)
    _sign_in(client, "admin@cpas.test")
    token = _csrf_of_signed_in_page(client)
    copied = client.get_cookie(COOKIE).value
    client.set_cookie(COOKIE, copied)

    response = client.post(
        f"/acces/utilisateurs/{colleague.id}/desactiver",
        data={"version": _version_of(app, colleague)},
        headers={"X-CSRFToken": token},
        csrf=False,
    )
    assert response.headers["Location"].endswith("/acces/utilisateurs")
    with app.app_context():
        assert db.session.get(User, colleague.id).active is False


def test_signing_in_again_after_sign_out_works(client, make_user):
    make_user(email="anne@cpas.test")
    _sign_in(client, "anne@cpas.test")
    client.post("/deconnexion")
    _sign_in(client, "anne@cpas.test")
    assert client.get("/acces/mes-acces").status_code == 200
