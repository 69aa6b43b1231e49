"""Two administrators edit the same profile: the second save is a conflict that keeps what
was typed (names and ticks), shows the saved values, and saving again works."""

from __future__ import annotations

import pytest

from cpas.access.functions import FUNCTIONS
from cpas.access.models import AccountRequest, Profile, ProfileFunction, User
from cpas.extensions import db
from cpas.timeutil import utcnow
from tests.helpers import (
    GARBAGE_VERSIONS,
    page_text,
    posted_version,
    saved_hints,
    second_client,
)


def _form(name_fr, functions, version):
    data = {"name_fr": name_fr, "name_nl": "Audit", "functions": functions, "action": "save"}
    if version is not None:
        data["version"] = version
    return data


@pytest.fixture
def setting(app, client, login_as, make_user, make_profile, make_org):
    org = make_org()
    profile = make_profile(org, ["access.audit"], name_fr="Audit", name_nl="Audit")
    first = make_user(org, functions=["access.profiles", "access.users"])
    second = make_user(
        org, functions=["access.profiles", "access.users"], first_name="Marie", last_name="Dupont"
    )
    login_as(first)
    return profile, first, second


def test_profile_second_writer_keeps_typed_values_and_merges(app, client, login_as, setting):
    profile, first, second = setting
    url = f"/acces/profils/{profile.id}"
    b = second_client(app, login_as, second)
    version_a = posted_version(page_text(client.get(url)))
    version_b = posted_version(page_text(b.get(url)))

    saved = client.post(url, data=_form("Audit A", ["access.audit", "access.export"], version_a))
    assert saved.status_code == 302
    late = b.post(url, data=_form("Audit B", ["access.audit"], version_b))
    html = page_text(late)
    assert late.status_code == 409
    assert f"Ce profil a été modifié par {first.first_name} {first.last_name}" in html
    assert 'value="Audit B"' in html  # B's typed name
    assert saved_hints(html) == {"name_fr": "Audit A"}
    export = FUNCTIONS["access.export"].label("fr")
    assert "Fonctions cochées dans le profil enregistré, pas dans votre saisie" in html
    assert export in html[html.index('id="saved-functions"') :]
    with app.app_context():
        row = db.session.get(Profile, profile.id)
        assert row.name_fr == "Audit A" and "access.export" in row.function_codes
        current = str(row.version)
    assert posted_version(html) == current

    merged = b.post(url, data=_form("Audit B", ["access.audit", "access.export"], current))
    assert merged.status_code == 302
    with app.app_context():
        row = db.session.get(Profile, profile.id)
        assert row.name_fr == "Audit B" and row.updated_by_id == second.id


@pytest.mark.parametrize("garbage", [*GARBAGE_VERSIONS, None])
def test_profile_refuses_a_garbage_version(app, client, setting, garbage):
    profile, _first, _second = setting
    response = client.post(f"/acces/profils/{profile.id}", data=_form("Pirate", [], garbage))
    assert response.status_code in (400, 422)
    assert "pas de version valide" in page_text(response)
    with app.app_context():
        row = db.session.get(Profile, profile.id)
        assert row.name_fr == "Audit" and set(row.function_codes) == {"access.audit"}


# --------------------------------------------------------------------------- « Affecter les profils »


@pytest.fixture
def assigning(app, make_user, make_profile, setting):
    """A target user holding « Audit »; two more profiles of the organisation to choose."""
    profile, first, second = setting
    org = first.organisation
    lecteur = make_profile(org, ["access.export"], name_fr="Lecteur", name_nl="Lezer")
    gestion = make_profile(org, ["access.profiles"], name_fr="Gestion", name_nl="Beheer")
    target = make_user(org, first_name="Tom", last_name="Cible")
    with app.app_context():
        row = db.session.get(User, target.id)
        row.profiles = [db.session.get(Profile, profile.id)]
        db.session.commit()
    return target, profile, lecteur, gestion, first, second


def _held(app, user_id):
    with app.app_context():
        user = db.session.get(User, user_id)
        return {p.name_fr for p in user.profiles}, user.version, user.updated_by_id


def test_assignment_second_writer_keeps_ticks_and_merges(app, client, login_as, assigning):
    target, audit, lecteur, gestion, first, second = assigning
    url = f"/acces/utilisateurs/{target.id}/profils"
    b = second_client(app, login_as, second)
    version_a = posted_version(page_text(client.get(url)))
    version_b = posted_version(page_text(b.get(url)))

    saved = client.post(url, data={"profiles": [audit.id, lecteur.id], "version": version_a})
    assert saved.status_code == 302
    late = b.post(url, data={"profiles": [gestion.id], "version": version_b})
    html = page_text(late)
    assert late.status_code == 409
    assert (
        f"Les profils de cet utilisateur ont été modifiés par {first.first_name} "
        f"{first.last_name}" in html
    )
    # B's ticks are kept: only « Gestion » is checked
    assert f'value="{gestion.id}" checked' in html
    assert f'value="{lecteur.id}" checked' not in html and f'value="{audit.id}" checked' not in html
    notice = html[html.index('id="saved-profiles"') :]
    notice = notice[: notice.index("</div>")]
    assert "pas cochés dans votre saisie : Audit, Lecteur" in notice
    assert "pas enregistrés pour cet utilisateur : Gestion" in notice
    names, current, by = _held(app, target.id)
    assert names == {"Audit", "Lecteur"} and by == first.id  # A's save untouched
    assert posted_version(html) == str(current) != version_b

    merged = b.post(url, data={"profiles": [lecteur.id, gestion.id], "version": str(current)})
    assert merged.status_code == 302
    names, _current, by = _held(app, target.id)
    assert names == {"Lecteur", "Gestion"} and by == second.id


@pytest.mark.parametrize("garbage", [*GARBAGE_VERSIONS, None])
def test_assignment_refuses_a_garbage_version(app, client, assigning, garbage):
    target, _audit, lecteur, _gestion, _first, _second = assigning
    data = {"profiles": [lecteur.id]}
    if garbage is not None:
        data["version"] = garbage
    response = client.post(f"/acces/utilisateurs/{target.id}/profils", data=data)
    assert response.status_code == 422
    html = page_text(response)
    assert "pas de version valide" in html
    assert f'value="{lecteur.id}" checked' in html  # the ticks are kept
    assert _held(app, target.id)[0] == {"Audit"}


def test_assignment_race_after_the_check_is_a_conflict(app, assigning):
    """Two saves that both pass the version check: the conditional UPDATE lets one win."""
    from sqlalchemy import update

    from cpas.access import services
    from cpas.concurrency import Conflict

    target, _audit, lecteur, _gestion, first, second = assigning
    with app.test_request_context():
        user = db.session.get(User, target.id)
        by = db.session.get(User, second.id)
        loaded = user.version
        # the other administrator's save commits after this request loaded the user
        db.session.execute(
            update(User)
            .where(User.id == target.id)
            .values(version=User.version + 1, updated_by_id=first.id)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        user = db.session.get(User, target.id)
        user.__dict__["version"] = loaded  # as loaded before that commit
        with pytest.raises(Conflict):
            services.assign_profiles(user, [db.session.get(Profile, lecteur.id)], by, loaded)
    names, version, updated_by = _held(app, target.id)
    assert names == {"Audit"} and version == loaded + 1 and updated_by == first.id


def test_assignment_form_loaded_before_deactivation_is_stale(app, client, assigning):
    target, _audit, lecteur, _gestion, _first, _second = assigning
    url = f"/acces/utilisateurs/{target.id}/profils"
    version = posted_version(page_text(client.get(url)))
    for step in ("desactiver", "reactiver"):
        with app.app_context():
            current = db.session.get(User, target.id).version
        posted = client.post(f"/acces/utilisateurs/{target.id}/{step}", data={"version": current})
        assert posted.status_code == 302
    stale = client.post(url, data={"profiles": [lecteur.id], "version": version})
    assert stale.status_code == 409
    assert _held(app, target.id)[0] == set()  # reactivated without profile, as decided


def test_sign_in_and_language_do_not_make_the_assignment_stale(app, client, assigning):
    """The user's own row changes (last sign-in, session, language) are not an assignment."""
    target, _audit, lecteur, _gestion, _first, _second = assigning
    url = f"/acces/utilisateurs/{target.id}/profils"
    version = posted_version(page_text(client.get(url)))
    with app.app_context():
        user = db.session.get(User, target.id)
        user.last_login_at = utcnow()
        user.session_version += 1
        user.locale = "nl"
        db.session.commit()
    saved = client.post(url, data={"profiles": [lecteur.id], "version": version})
    assert saved.status_code == 302
    assert _held(app, target.id)[0] == {"Lecteur"}


# --------------------------------------------------------------------------- account requests


@pytest.fixture
def pending_request(app, make_org, make_user, setting):
    """A pending account request of the setting's organisation, reviewable by both admins."""
    _profile, first, second = setting
    org = first.organisation
    with app.app_context():
        for user_id in (first.id, second.id):
            user = db.session.get(User, user_id)
            user.profiles[0].functions.append(ProfileFunction(code="access.account_requests"))
        row = AccountRequest(
            organisation_id=org.id,
            last_name="Lambert",
            first_name="Julie",
            email="julie.lambert@cpas-test.be",
            password_hash="x",
            iban="BE68539007547034",
            representative="Le président",
            phone="081 00 00 00",
        )
        db.session.add(row)
        db.session.commit()
        return row.id, org.id


def _request_edit(org_id, version, **fields):
    data = {
        "organisation_id": org_id,
        "last_name": "Lambert",
        "first_name": "Julie",
        "email": "julie.lambert@cpas-test.be",
        "iban": "BE68 5390 0754 7034",
        "representative": "Le président",
        "phone": "081 00 00 00",
        "message": "",
        **fields,
    }
    if version is not None:
        data["version"] = version
    return data


def test_account_request_second_editor_keeps_typed_values_and_merges(
    app, client, login_as, setting, pending_request
):
    _profile, first, second = setting
    rid, org_id = pending_request
    url = f"/acces/demandes-de-compte/{rid}"
    b = second_client(app, login_as, second)
    version_a = posted_version(page_text(client.get(url)))
    version_b = posted_version(page_text(b.get(url)))

    assert (
        client.post(url, data=_request_edit(org_id, version_a, first_name="Juliette")).status_code
        == 302
    )
    late = b.post(url, data=_request_edit(org_id, version_b, phone="02 555 55 55"))
    html = page_text(late)
    assert late.status_code == 409
    assert (
        f"Cette demande de compte a été modifiée par {first.first_name} {first.last_name}" in html
    )
    assert 'value="02 555 55 55"' in html  # B's typed phone
    assert saved_hints(html) == {"first_name": "Juliette", "phone": "081 00 00 00"}
    with app.app_context():
        row = db.session.get(AccountRequest, rid)
        assert row.first_name == "Juliette" and row.phone == "081 00 00 00"
        current = str(row.version)
    assert posted_version(html) == current != version_b

    merged = b.post(
        url, data=_request_edit(org_id, current, first_name="Juliette", phone="02 555 55 55")
    )
    assert merged.status_code == 302
    with app.app_context():
        row = db.session.get(AccountRequest, rid)
        assert (row.first_name, row.phone, row.updated_by_id) == (
            "Juliette",
            "02 555 55 55",
            second.id,
        )


@pytest.mark.parametrize("garbage", [*GARBAGE_VERSIONS, None])
def test_account_request_edit_refuses_a_garbage_version(app, client, pending_request, garbage):
    rid, org_id = pending_request
    response = client.post(
        f"/acces/demandes-de-compte/{rid}", data=_request_edit(org_id, garbage, first_name="Pirate")
    )
    assert response.status_code == 422
    html = page_text(response)
    assert "pas de version valide" in html and 'value="Pirate"' in html
    with app.app_context():
        row = db.session.get(AccountRequest, rid)
        assert row.first_name == "Julie" and row.version == 1


def test_accept_racing_an_edit_creates_no_account(app, setting, pending_request, smtp):
    """An edit committed after the accepting request loaded the row: Conflict, no account."""
    from sqlalchemy import func, select, update

    from cpas.access import services
    from cpas.concurrency import Conflict

    profile, first, second = setting
    rid, _org_id = pending_request
    with app.test_request_context():
        row = db.session.get(AccountRequest, rid)
        loaded = row.version
        db.session.execute(
            update(AccountRequest)
            .where(AccountRequest.id == rid)
            .values(version=AccountRequest.version + 1, email="autre@cpas-test.be")
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        row = db.session.get(AccountRequest, rid)
        row.__dict__["version"] = loaded
        row.__dict__["email"] = "julie.lambert@cpas-test.be"
        with pytest.raises(Conflict):
            services.accept_account_request(
                row, db.session.get(Profile, profile.id), db.session.get(User, first.id), loaded
            )
    with app.app_context():
        assert db.session.get(AccountRequest, rid).status == "pending"
        assert db.session.scalar(select(func.count()).select_from(User)) == 2
    assert smtp.to("julie.lambert@cpas-test.be") == []
