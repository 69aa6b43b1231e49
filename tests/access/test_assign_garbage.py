"""« Affecter les profils » with ids that are not the organisation's profiles: an error,
and the user's profiles stay as they were."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cpas.access.models import User
from cpas.audit import AuditEntry
from cpas.extensions import db
from tests.helpers import page_text, posted_version


def _profiles(app, user_id) -> set[str]:
    with app.app_context():
        return {p.name_fr for p in db.session.get(User, user_id).profiles}


@pytest.mark.parametrize(
    "garbage",
    [
        ["garbage"],
        ["abc", "{keep}"],
        ["999999"],
        ["{keep}", "99999999999999999999"],
        ["²"],
        ["-1"],
        ["{theirs}"],  # another organisation's profile
    ],
)
def test_unknown_profile_ids_change_nothing(
    app, client, make_org, make_user, make_profile, login_as, garbage
):
    admin = make_user(all_access=True)
    keep = make_profile(admin.organisation, ["access.audit"], name_fr="Gardé")
    other = make_profile(admin.organisation, ["access.profiles"], name_fr="Autre")
    theirs = make_profile(make_org(), ["access.users"], name_fr="Ailleurs")
    target = make_user(admin.organisation)
    with app.app_context():
        user = db.session.get(User, target.id)
        user.profiles = [db.session.get(type(keep), keep.id), db.session.get(type(other), other.id)]
        db.session.commit()
    login_as(admin)
    posted = [g.format(keep=keep.id, theirs=theirs.id) for g in garbage]
    response = client.post(f"/acces/utilisateurs/{target.id}/profils", data={"profiles": posted})
    assert response.status_code == 422
    text = page_text(response)
    assert "Un des profils choisis n'existe pas : rien n'a été modifié." in text
    assert "Ailleurs" not in text  # another organisation's profile is never shown
    assert _profiles(app, target.id) == {"Gardé", "Autre"}
    with app.app_context():
        assert (
            db.session.scalar(
                select(AuditEntry.id).where(AuditEntry.action == "access.user_assign_profiles")
            )
            is None
        )


def _version(client, user_id):
    return posted_version(page_text(client.get(f"/acces/utilisateurs/{user_id}/profils")))


def test_valid_ids_still_assign_and_none_removes(app, client, make_user, make_profile, login_as):
    admin = make_user(all_access=True)
    keep = make_profile(admin.organisation, ["access.audit"], name_fr="Gardé")
    target = make_user(admin.organisation)
    login_as(admin)
    assert (
        client.post(
            f"/acces/utilisateurs/{target.id}/profils",
            data={"profiles": [str(keep.id)], "version": _version(client, target.id)},
        ).status_code
        == 302
    )
    assert _profiles(app, target.id) == {"Gardé"}
    # Unticking every box (no value posted at all) is a real choice: no profile.
    none = {"version": _version(client, target.id)}
    assert client.post(f"/acces/utilisateurs/{target.id}/profils", data=none).status_code == 302
    assert _profiles(app, target.id) == set()
