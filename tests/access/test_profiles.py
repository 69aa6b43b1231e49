"""Profiles: create from templates, dependencies, built-in profile, deletion rules, print."""

from __future__ import annotations

from sqlalchemy import select

from cpas.access.functions import ALL_FUNCTION_CODES, FUNCTIONS, complete_dependencies
from cpas.access.models import Profile, User
from cpas.access.services import PROFILE_ASSIGNED
from cpas.access.templates import TEMPLATES
from cpas.extensions import db
from tests.helpers import page_text


def _codes(app, name):
    with app.app_context():
        profile = db.session.scalar(select(Profile).where(Profile.name_fr == name))
        return set(profile.function_codes) if profile else None


def test_create_profile_and_dependencies_are_added(app, client, make_user, login_as):
    admin = make_user(functions=["access.profiles"])
    login_as(admin)
    response = client.post(
        "/acces/profils/nouveau",
        data={
            "name_fr": "Revue",
            "name_nl": "Controle",
            "functions": ["access.export"],
            "action": "save",
        },
        follow_redirects=True,
    )
    text = page_text(response)
    assert "Fonctions ajoutées car requises : Gérer les utilisateurs" in text
    assert _codes(app, "Revue") == {"access.export", "access.users"}


def test_every_dependency_is_a_known_function():
    for function in FUNCTIONS.values():
        for required in function.requires:
            assert required in FUNCTIONS, (function.code, required)
    complete, added = complete_dependencies({"access.export"})
    assert complete == {"access.export", "access.users"} and added == {"access.users"}


def test_profile_name_required_and_unique(app, client, make_user, login_as, make_profile):
    admin = make_user(functions=["access.profiles"])
    make_profile(admin.organisation, ["access.audit"], name_fr="Existant")
    login_as(admin)
    empty = client.post(
        "/acces/profils/nouveau",
        data={"name_fr": "", "name_nl": "", "functions": ["access.audit"], "action": "save"},
    )
    assert empty.status_code == 422
    assert "Indiquez la description en français." in page_text(empty)
    assert 'value="access.audit" checked' in empty.get_data(as_text=True)  # ticks kept
    duplicate = client.post(
        "/acces/profils/nouveau", data={"name_fr": "Existant", "name_nl": "X", "action": "save"}
    )
    assert duplicate.status_code == 422
    assert "Un profil porte déjà ce nom." in page_text(duplicate)


def test_tree_buttons_redraw_without_saving(app, client, make_user, login_as):
    login_as(make_user(functions=["access.profiles"]))
    headers = {"HX-Request": "true"}
    everything = client.post("/acces/profils/nouveau", data={"action": "all"}, headers=headers)
    html = everything.get_data(as_text=True)
    assert "<html" not in html and 'id="function-tree"' in html
    assert html.count(" checked") == len(ALL_FUNCTION_CODES)
    group_off = client.post(
        "/acces/profils/nouveau",
        data={"action": "ungroup:access", "functions": sorted(ALL_FUNCTION_CODES)},
        headers=headers,
    )
    assert 'value="access.users" checked' not in group_off.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(select(Profile)) is None
            or db.session.scalar(select(Profile).where(Profile.name_fr == "")) is None
        )


def test_templates_pre_tick_a_set(app, client, make_user, login_as):
    login_as(make_user(functions=["access.profiles"]))
    for template in TEMPLATES:
        if "cpas" not in template.kinds:
            continue
        response = client.post(
            "/acces/profils/nouveau",
            data={"action": f"template:{template.key}"},
            headers={"HX-Request": "true"},
        )
        html = response.get_data(as_text=True)
        for code in template.codes():
            assert f'value="{code}" checked' in html


def test_builtin_profile_cannot_be_edited_or_deleted(
    app, client, make_user, login_as, make_profile
):
    admin = make_user(all_access=True)
    login_as(admin)
    with app.app_context():
        builtin = db.session.scalar(select(Profile).where(Profile.all_access.is_(True)))
    page = client.get(f"/acces/profils/{builtin.id}")
    assert "ne peut être ni modifié ni supprimé" in page_text(page)
    client.post(
        f"/acces/profils/{builtin.id}", data={"name_fr": "Pirate", "name_nl": "x", "action": "save"}
    )
    deleted = client.post(f"/acces/profils/{builtin.id}/supprimer", follow_redirects=True)
    assert "ne peut pas être supprimé" in page_text(deleted)
    with app.app_context():
        again = db.session.get(Profile, builtin.id)
        assert again is not None and again.name_fr != "Pirate"
        assert again.function_codes == ALL_FUNCTION_CODES


def test_assigned_profile_cannot_be_deleted_exact_message(
    app, client, make_user, login_as, make_profile
):
    admin = make_user(functions=["access.profiles", "access.users"])
    profile = make_profile(admin.organisation, ["access.audit"], name_fr="Affecté")
    holder = make_user(admin.organisation)
    with app.app_context():
        user = db.session.get(User, holder.id)
        user.profiles = [db.session.get(Profile, profile.id)]
        db.session.commit()
    login_as(admin)
    response = client.post(f"/acces/profils/{profile.id}/supprimer", follow_redirects=True)
    assert str(PROFILE_ASSIGNED) in page_text(response)
    assert str(PROFILE_ASSIGNED) == (
        "Le profil que vous voulez supprimer est affecté à un ou plusieurs utilisateurs. "
        "Veuillez d'abord le désaffecter."
    )
    free = make_profile(admin.organisation, ["access.audit"], name_fr="Libre")
    client.post(f"/acces/profils/{free.id}/supprimer")
    with app.app_context():
        assert db.session.get(Profile, profile.id) is not None
        assert db.session.get(Profile, free.id) is None


def test_delete_asks_for_confirmation(client, make_user, login_as, make_profile):
    admin = make_user(functions=["access.profiles"])
    make_profile(admin.organisation, ["access.audit"], name_fr="À supprimer")
    login_as(admin)
    html = page_text(client.get("/acces/profils"))
    assert 'data-confirm="Voulez-vous vraiment supprimer ce profil ?"' in html


def test_print_profile_page_and_pdf(app, client, make_user, login_as, make_profile):
    admin = make_user(functions=["access.profiles"], last_name="Imprimeur")
    login_as(admin)
    profile = admin_profile = None
    with app.app_context():
        profile = db.session.get(User, admin.id).profiles[0]
        admin_profile = profile.id
    page = page_text(client.get(f"/acces/profils/{admin_profile}/imprimer"))
    assert "Utilisateurs affectés au profil" in page and "Imprimeur" in page
    assert "Gérer les profils" in page
    pdf = client.get(f"/acces/profils/{admin_profile}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
