"""Every write of the access and auth services leaves one audit entry naming its actor.

The services are called outside any sign-in (a CLI or a job would call them so): an entry
whose user came from a fallback on the signed-in user would have no user at all. Removing
an ``audit.record`` call, or its ``user=by``, fails one of these tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from cpas.access import services
from cpas.access.models import AccountRequest, Profile, User
from cpas.audit import AuditEntry
from cpas.auth import services as auth_services
from cpas.extensions import db
from tests.conftest import PASSWORD


@pytest.fixture
def cast(app, make_org, make_user, make_profile):
    """An administrator holding every function, a colleague, a profile, a pending request."""
    org = make_org(name="CPAS Acteur")
    admin = make_user(org, all_access=True, email="admin@cpas-acteur.test")
    colleague = make_user(org, functions=["access.audit"], email="colleague@cpas-acteur.test")
    profile = make_profile(org, ["access.audit"], name_fr="Lecteur")
    with app.app_context():
        row = AccountRequest(
            organisation_id=org.id,
            last_name="Lambert",
            first_name="Julie",
            email="julie@cpas-acteur.test",
            password_hash="x",
            iban="BE71096123456769",
            representative="M. le Président",
            phone="081000000",
        )
        db.session.add(row)
        db.session.commit()
        rid = row.id
    return {"org": org, "admin": admin, "colleague": colleague, "profile": profile, "request": rid}


def _entries_after(app, cast, write: Callable[[dict[str, Any]], None]) -> list[tuple[str, Any]]:
    """Run ``write`` in a request without a signed-in user; the (action, user id) it logged."""
    with app.app_context():
        before = db.session.scalar(select(db.func.max(AuditEntry.id))) or 0
    with app.test_request_context("/"):
        objs = {
            "admin": db.session.get(User, cast["admin"].id),
            "colleague": db.session.get(User, cast["colleague"].id),
            "profile": db.session.get(Profile, cast["profile"].id),
            "request": db.session.get(AccountRequest, cast["request"]),
        }
        write(objs)
    with app.app_context():
        return [
            (e.action, e.user_id)
            for e in db.session.scalars(
                select(AuditEntry).where(AuditEntry.id > before).order_by(AuditEntry.id)
            )
        ]


def _data(row: AccountRequest) -> dict[str, Any]:
    fields = ("last_name", "first_name", "email", "iban", "representative", "phone", "message")
    return {f: getattr(row, f) or "" for f in fields} | {"first_name": "Juliette"}


WRITES: dict[str, tuple[Callable[[dict[str, Any]], None], list[str]]] = {
    "profile_create": (
        lambda o: services.save_profile(
            o["admin"].organisation_id, "Nouveau", "Nieuw", {"access.audit"}, o["admin"]
        ),
        ["access.profile_create"],
    ),
    "profile_update": (
        lambda o: services.save_profile(
            o["admin"].organisation_id,
            "Lecteur bis",
            "Lezer",
            {"access.audit"},
            o["admin"],
            o["profile"],
            version=o["profile"].version,
        ),
        ["access.profile_update"],
    ),
    "profile_delete": (
        lambda o: services.delete_profile(o["profile"], o["admin"]),
        ["access.profile_delete"],
    ),
    "assign_profiles": (
        lambda o: services.assign_profiles(
            o["colleague"], [o["profile"]], o["admin"], version=o["colleague"].version
        ),
        ["access.user_assign_profiles"],
    ),
    "deactivate": (
        lambda o: services.deactivate_user(o["colleague"], o["admin"], o["colleague"].version),
        ["access.user_deactivate"],
    ),
    "request_update": (
        lambda o: services.update_account_request(
            o["request"], _data(o["request"]), o["admin"], version=o["request"].version
        ),
        ["access.account_request_update"],
    ),
    "request_accept": (
        lambda o: services.accept_account_request(
            o["request"], o["profile"], o["admin"], o["request"].version
        ),
        ["access.user_create", "access.account_request_accept"],
    ),
    "request_refuse": (
        lambda o: services.refuse_account_request(
            o["request"], "Inconnue", o["admin"], o["request"].version
        ),
        ["access.account_request_refuse"],
    ),
    "consultation": (
        lambda o: services.log_consultation("access.export_review", o["admin"], details="x"),
        ["access.export_review"],
    ),
}


@pytest.mark.parametrize("name", sorted(WRITES))
def test_each_write_is_audited_once_with_its_actor(app, cast, smtp, name):
    write, actions = WRITES[name]
    logged = _entries_after(app, cast, write)
    assert logged == [(action, cast["admin"].id) for action in actions]


def test_reactivation_is_audited_with_its_actor(app, cast):
    _entries_after(
        app,
        cast,
        lambda o: services.deactivate_user(o["colleague"], o["admin"], o["colleague"].version),
    )
    logged = _entries_after(
        app,
        cast,
        lambda o: services.reactivate_user(o["colleague"], o["admin"], o["colleague"].version),
    )
    assert logged == [("access.user_reactivate", cast["admin"].id)]


def test_sign_in_and_sign_out_are_audited_as_the_user(app, cast):
    colleague = cast["colleague"]
    logged = _entries_after(
        app, cast, lambda o: auth_services.authenticate(colleague.email, PASSWORD, "10.0.0.1")
    )
    assert logged == [("auth.login", colleague.id)]
    logged = _entries_after(app, cast, lambda o: auth_services.sign_out(o["colleague"]))
    assert logged == [("auth.logout", colleague.id)]


def test_a_password_reset_is_audited_as_the_user(app, cast, smtp):
    colleague = cast["colleague"]
    logged = _entries_after(
        app,
        cast,
        lambda o: auth_services.request_password_reset(colleague.email, "10.0.0.1"),
    )
    assert logged == [("auth.password_reset_requested", colleague.id)]
    with app.app_context():
        from cpas.auth.models import PasswordResetToken

        token_id = db.session.scalar(select(PasswordResetToken.id))

    def reset(o: dict[str, Any]) -> None:
        auth_services.reset_password(
            db.session.get(PasswordResetToken, token_id), "Un-Autre-Mot-De-Passe-2026"
        )

    assert _entries_after(app, cast, reset) == [("auth.password_reset", colleague.id)]
