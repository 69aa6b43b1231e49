"""Users: list, assignment (union of profiles), deactivation rules, « Mes accès », export."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import event

from cpas.access.models import User
from cpas.extensions import db
from tests.helpers import page_text, posted_version


def _reload(app, user_id):
    with app.app_context():
        user = db.session.get(User, user_id)
        return user.active, {p.name_fr for p in user.profiles}, set(user.function_codes)


def _state_version(app, user_id):
    """The assignment version the « Désactiver » / « Réactiver » buttons post for this user."""
    with app.app_context():
        return str(db.session.get(User, user_id).version)


def _assign_version(client, user_id):
    """The assignment version « Affecter les profils » posts for this user."""
    return posted_version(page_text(client.get(f"/acces/utilisateurs/{user_id}/profils")))


def test_assign_several_profiles_union(app, client, make_user, login_as, make_profile):
    admin = make_user(functions=["access.users"])
    p1 = make_profile(admin.organisation, ["access.audit"], name_fr="Un")
    p2 = make_profile(admin.organisation, ["access.profiles"], name_fr="Deux")
    target = make_user(admin.organisation)
    login_as(admin)
    response = client.post(
        f"/acces/utilisateurs/{target.id}/profils",
        data={"profiles": [p1.id, p2.id], "version": _assign_version(client, target.id)},
    )
    assert response.status_code == 302
    active, names, codes = _reload(app, target.id)
    assert names == {"Un", "Deux"} and codes == {"access.audit", "access.profiles"}
    listing = page_text(client.get("/acces/utilisateurs"))
    assert "Deux, Un" in listing


def test_user_without_profile_shows_pas_de_profil(client, make_user, login_as):
    admin = make_user(functions=["access.users"])
    make_user(admin.organisation, last_name="Sansprofil")
    login_as(admin)
    html = page_text(client.get("/acces/utilisateurs", query_string={"nom": "sansprofil"}))
    assert "Sansprofil" in html and "Pas de profil" in html


def test_deactivate_then_reactivate(app, client, make_user, login_as, smtp):
    admin = make_user(functions=["access.users"])
    target = make_user(admin.organisation, functions=["access.audit"], last_name="Partant")
    target_client = app.test_client()
    login_as(target, on=target_client)
    assert target_client.get("/").status_code == 200
    login_as(admin)
    listing = page_text(client.get("/acces/utilisateurs"))
    assert (
        "Désactiver cet utilisateur aura pour effet de lui désaffecter tous les profils. Voulez-vous continuer ?"
        in listing
    )
    assert (
        client.post(
            f"/acces/utilisateurs/{target.id}/desactiver",
            data={"version": _state_version(app, target.id)},
        ).status_code
        == 302
    )
    active, names, _ = _reload(app, target.id)
    assert active is False and names == set()
    assert target_client.get("/").status_code == 302  # session ended
    inactive = page_text(client.get("/acces/utilisateurs/inactifs"))
    assert "Partant" in inactive
    assert "Partant" not in page_text(client.get("/acces/utilisateurs"))
    client.post(
        f"/acces/utilisateurs/{target.id}/reactiver",
        data={"version": _state_version(app, target.id)},
    )
    active, names, _ = _reload(app, target.id)
    assert active is True and names == set()


def test_cannot_deactivate_self(app, client, make_user, login_as):
    admin = make_user(functions=["access.users"])
    make_user(admin.organisation, functions=["access.users"])  # another manager exists
    login_as(admin)
    response = client.post(
        f"/acces/utilisateurs/{admin.id}/desactiver",
        data={"version": _state_version(app, admin.id)},
        follow_redirects=True,
    )
    assert "Vous ne pouvez pas désactiver votre propre compte." in page_text(response)
    assert _reload(app, admin.id)[0] is True


def test_last_access_manager_is_protected(app, client, make_user, login_as, make_profile):
    org_admin = make_user(functions=["access.users"])
    # a second admin whose only way to manage is the audit profile: not a manager
    other = make_user(org_admin.organisation, functions=["access.users", "access.audit"])
    login_as(other)
    # removing org_admin's profile leaves `other` as manager: allowed
    audit_only = make_profile(org_admin.organisation, ["access.audit"], name_fr="Audit")
    assert (
        client.post(
            f"/acces/utilisateurs/{org_admin.id}/profils",
            data={"profiles": [audit_only.id], "version": _assign_version(client, org_admin.id)},
        ).status_code
        == 302
    )
    # now `other` is the last manager: removing its own management is refused
    response = client.post(
        f"/acces/utilisateurs/{other.id}/profils",
        data={"profiles": [audit_only.id], "version": _assign_version(client, other.id)},
    )
    assert response.status_code == 409
    assert "plus aucun utilisateur actif pouvant gérer les accès" in page_text(response)
    assert "access.users" in _reload(app, other.id)[2]


def test_mes_acces_lists_own_profiles_and_functions(client, make_user, login_as):
    user = make_user(functions=["access.audit"])
    login_as(user)
    html = page_text(client.get("/acces/mes-acces"))
    assert "Consulter les Admin-Logs" in html and "Gérer les profils" not in html
    pdf = client.get("/acces/mes-acces/pdf")
    assert pdf.data.startswith(b"%PDF")
    nobody = make_user()
    login_as(nobody)
    assert "Pas de profil" in page_text(client.get("/acces/mes-acces"))


def test_access_review_export_rows(app, client, make_user, login_as, make_profile):
    admin = make_user(functions=["access.users", "access.export"], last_name="Admin")
    make_user(admin.organisation, functions=["access.audit"], last_name="=HYPERLINK(1)")
    login_as(admin)
    response = client.get("/acces/utilisateurs/export.xlsx")
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.data)).active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    codes_by_name = {}
    for last, _first, _email, _profiles, code, _label in rows:
        codes_by_name.setdefault(last, set()).add(code)
    assert codes_by_name["Admin"] == {"access.users", "access.export"}
    assert codes_by_name["'=HYPERLINK(1)"] == {"access.audit"}  # neutralised


def test_user_list_has_no_n_plus_one(app, client, make_user, login_as, make_profile):
    admin = make_user(functions=["access.users"])
    for n in range(15):
        make_user(admin.organisation, functions=["access.audit"], last_name=f"Membre{n}")
    login_as(admin)
    statements = []
    with app.app_context():
        engine = db.engine

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get("/acces/utilisateurs")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    assert len(statements) <= 10, len(statements)


def test_pagination_of_users(client, make_user, login_as):
    admin = make_user(functions=["access.users"], last_name="Aaa")
    for n in range(25):
        make_user(admin.organisation, last_name=f"Zz{n:02d}")
    login_as(admin)
    first = page_text(client.get("/acces/utilisateurs"))
    second = page_text(client.get("/acces/utilisateurs", query_string={"page": 2}))
    assert "Page 1 / 2" in first and "Zz24" not in first
    assert "Zz24" in second
