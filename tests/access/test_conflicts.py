"""Two administrators edit the same profile: the second save is a conflict that keeps what
was typed (names and ticks), shows the saved values, and saving again works."""

from __future__ import annotations

import pytest

from cpas.access.functions import FUNCTIONS
from cpas.access.models import Profile
from cpas.extensions import db
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
