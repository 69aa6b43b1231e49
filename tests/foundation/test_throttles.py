"""Password-reset e-mails and public account requests are throttled like sign-in.

The throttle is the sign-in one (database rows keyed by a salted hash of the e-mail and
by IP), each use in its own scope; every attempt counts.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from cpas.access.models import AccountRequest, OrganisationKind
from cpas.auth.models import LoginAttempt
from cpas.extensions import db
from cpas.timeutil import utcnow
from tests.conftest import PASSWORD
from tests.helpers import page_text

NEUTRAL = "Si un compte actif correspond à cette adresse"
GOOD_PASSWORD = "Robinet-Fuyant-2026"
# A signed CSRF token (itsdangerous: payload.timestamp.signature), wherever the page has it.
CSRF_VALUE = re.compile(r"I[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}")


def _forgot(client, email, ip="10.0.0.1"):
    return client.post(
        "/mot-de-passe-oublie",
        data={"email": email},
        environ_base={"REMOTE_ADDR": ip},
        follow_redirects=True,
    )


def test_reset_emails_are_limited_per_account(app, client, make_user, smtp):
    make_user(email="anne@cpas.test")
    limit = app.config["PASSWORD_RESET_MAX_PER_ACCOUNT"]
    answers = [_forgot(client, "anne@cpas.test", ip=f"10.0.0.{n}") for n in range(limit + 1)]
    assert len(smtp.to("anne@cpas.test")) == limit  # the last one sent nothing
    last, first = answers[-1], answers[0]
    assert last.status_code == first.status_code == 200
    assert NEUTRAL in page_text(last)  # the same neutral message, not « too many »
    assert "Trop" not in page_text(last)


def test_reset_emails_are_limited_per_ip(app, client, make_user, smtp):
    app.config["PASSWORD_RESET_MAX_PER_IP"] = 3
    for n in range(3):
        _forgot(client, f"nobody{n}@cpas.test")  # unknown accounts count too
    make_user(email="anne@cpas.test")
    assert NEUTRAL in page_text(_forgot(client, "anne@cpas.test"))
    assert smtp.to("anne@cpas.test") == []
    _forgot(client, "anne@cpas.test", ip="10.9.9.9")  # another computer is not blocked
    assert len(smtp.to("anne@cpas.test")) == 1


def test_reset_limit_ends_with_its_window(app, client, make_user, smtp):
    make_user(email="anne@cpas.test")
    for _ in range(app.config["PASSWORD_RESET_MAX_PER_ACCOUNT"]):
        _forgot(client, "anne@cpas.test")
    smtp.messages.clear()
    _forgot(client, "anne@cpas.test")
    assert smtp.to("anne@cpas.test") == []
    with app.app_context():
        past = utcnow() - timedelta(minutes=app.config["PASSWORD_RESET_WINDOW_MINUTES"] + 1)
        db.session.execute(update(LoginAttempt).values(at=past))
        db.session.commit()
    _forgot(client, "anne@cpas.test")
    assert len(smtp.to("anne@cpas.test")) == 1


def test_reset_requests_do_not_lock_the_sign_in(app, client, make_user, smtp):
    """Each use has its own scope: ten reset requests are not ten failed sign-ins."""
    make_user(email="anne@cpas.test")
    for _ in range(10):
        _forgot(client, "anne@cpas.test")
    response = client.post(
        "/connexion",
        data={"email": "anne@cpas.test", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert response.status_code == 302


def test_the_emails_are_not_stored_in_the_throttle(app, client, make_user, smtp):
    _forgot(client, "anne@cpas.test")
    with app.app_context():
        row = db.session.scalar(select(LoginAttempt))
        assert row.scope == "password_reset"
        assert "anne" not in row.account_key and len(row.account_key) == 64


# --------------------------------------------------------------------------- account requests


def _request_form(org, **overrides):
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
        "message": "",
        "website": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def hashes(monkeypatch):
    """Count the password hashes the account-request service computes."""
    from cpas.access import services

    calls = []
    real = services.hash_password

    def counting(password):
        calls.append(password)
        return real(password)

    monkeypatch.setattr(services, "hash_password", counting)
    return calls


def test_known_email_answers_like_an_unknown_one(app, client, make_org, make_user, smtp, hashes):
    cpas = make_org(OrganisationKind.CPAS, name="CPAS Public")
    make_user(cpas, email="known@cpas-test.be")

    def submit(email, ip):
        return client.post(
            "/acces/demande-de-compte",
            data=_request_form(cpas, email=email),
            environ_base={"REMOTE_ADDR": ip},
        )

    known = submit("known@cpas-test.be", "10.0.0.1")
    known_hashes, known_mails = len(hashes), len(smtp.to("known@cpas-test.be"))
    unknown = submit("unknown@cpas-test.be", "10.0.0.2")

    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert known.get_data() == unknown.get_data()
    # The same work on both paths, hence the same time: one hash, one e-mail.
    assert known_hashes == 1 and len(hashes) == 2
    assert known_mails == 1 and len(smtp.to("unknown@cpas-test.be")) == 1


def test_known_email_followed_page_is_the_same(app, make_org, make_user, smtp):
    cpas = make_org()
    make_user(cpas, email="known@cpas-test.be")
    pages = []
    for n, email in enumerate(("known@cpas-test.be", "unknown@cpas-test.be")):
        fresh = app.test_client()
        response = fresh.post(
            "/acces/demande-de-compte",
            data=_request_form(cpas, email=email),
            environ_base={"REMOTE_ADDR": f"10.0.1.{n}"},
            follow_redirects=True,
        )
        # Each session has its own CSRF token; everything else must be the same.
        html = CSRF_VALUE.sub("csrf", page_text(response))
        pages.append((response.status_code, html))
    assert pages[0] == pages[1]


def test_every_account_request_counts_toward_the_ip_limit(app, client, make_org, make_user):
    cpas = make_org()
    make_user(cpas, email="known@cpas-test.be")
    post = client.post
    url = "/acces/demande-de-compte"
    post(url, data=_request_form(cpas, email="known@cpas-test.be"))  # known e-mail
    post(url, data=_request_form(cpas, email="pas-un-email"))  # invalid form
    post(url, data=_request_form(cpas, email="robot@x.be", website="http://spam"))  # honeypot
    post(url, data=_request_form(cpas, email="a@cpas-test.be"))
    post(url, data=_request_form(cpas, email="b@cpas-test.be"))
    assert app.config["ACCOUNT_REQUEST_MAX_PER_IP"] == 5
    refused = post(url, data=_request_form(cpas, email="c@cpas-test.be"))
    assert refused.status_code == 429
    assert "Trop de demandes" in page_text(refused)
    with app.app_context():
        assert db.session.scalar(select(func.count(AccountRequest.id))) == 2  # a@ and b@


def test_account_requests_are_limited_per_email_across_computers(app, client, make_org, smtp):
    cpas = make_org()
    limit = app.config["ACCOUNT_REQUEST_MAX_PER_ACCOUNT"]
    statuses = [
        client.post(
            "/acces/demande-de-compte",
            data=_request_form(cpas, email="julie@cpas-test.be"),
            environ_base={"REMOTE_ADDR": f"10.0.2.{n}"},
        ).status_code
        for n in range(limit + 1)
    ]
    assert statuses == [302] * limit + [429]
    assert len(smtp.to("julie@cpas-test.be")) == limit
