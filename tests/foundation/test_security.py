"""The deny-by-default mechanism, organisation loaders, CSRF, headers and error pages."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cpas.access.function_types import EVERY_KIND
from cpas.access.models import Organisation, User
from cpas.audit import AuditEntry
from cpas.domains import DomainBlueprint
from cpas.extensions import db
from cpas.htmx import render_page_or_fragment
from cpas.scoping import get_scoped_or_404
from cpas.security import require_function, signed_in
from tests.helpers import page_text


@pytest.fixture
def demo_routes(app):
    """A blueprint that uses the mechanism the way domain routes do."""
    bp = DomainBlueprint("demo_routes", __name__, kinds=EVERY_KIND)

    @bp.route("/essai/utilisateurs/<int:user_id>")
    @require_function("access.users")
    def show_user(user_id):
        user = get_scoped_or_404(User, user_id)
        return f"utilisateur {user.email}"

    @bp.route("/essai/utilisateurs/<int:user_id>/renommer", methods=["POST"])
    @require_function("access.users")
    def rename_user(user_id):
        user = get_scoped_or_404(User, user_id)
        user.last_name = "Renommé"
        db.session.commit()
        return "ok"

    @bp.route("/essai/fragment")
    @signed_in
    def fragment():
        return render_page_or_fragment(
            "errors/error.html", "_toasts_oob.html", messages=[], code=200, title="t", message="m"
        )

    @bp.route("/essai/panne", methods=["POST"])
    @signed_in
    def crash():
        db.session.add(Organisation(kind="cpas", name="Jamais enregistrée"))
        db.session.flush()
        raise RuntimeError("boom")

    app.register_blueprint(bp)
    return bp


def test_require_function_grants_and_refuses(
    app, client, make_org, make_user, login_as, demo_routes
):
    org = make_org()
    target = make_user(org)
    login_as(make_user(org, functions=["access.profiles"]))
    assert client.get(f"/essai/utilisateurs/{target.id}").status_code == 403
    login_as(make_user(org, functions=["access.users"]))
    response = client.get(f"/essai/utilisateurs/{target.id}")
    assert response.status_code == 200
    assert target.email in response.get_data(as_text=True)


def test_other_organisation_object_is_not_found_and_unchanged(
    app, client, make_org, make_user, login_as, demo_routes
):
    mine, theirs = make_org(), make_org()
    stranger = make_user(theirs, last_name="Intact")
    login_as(make_user(mine, functions=["access.users"]))
    assert client.get(f"/essai/utilisateurs/{stranger.id}").status_code == 404
    assert client.post(f"/essai/utilisateurs/{stranger.id}/renommer").status_code == 404
    assert client.get("/essai/utilisateurs/999999").status_code == 404
    with app.app_context():
        assert db.session.get(User, stranger.id).last_name == "Intact"


def test_unknown_function_code_is_a_programming_error():
    with pytest.raises(ValueError):
        require_function("nope.nothing")


def test_missing_csrf_is_refused_and_changes_nothing(
    app, client, make_org, make_user, login_as, demo_routes
):
    org = make_org()
    target = make_user(org, last_name="Intact")
    login_as(make_user(org, functions=["access.users"]))
    response = client.post(f"/essai/utilisateurs/{target.id}/renommer", csrf=False)
    assert response.status_code == 400
    assert "jeton de sécurité" in page_text(response)
    forged = client.post(
        f"/essai/utilisateurs/{target.id}/renommer", csrf=False, headers={"X-CSRFToken": "forged"}
    )
    assert forged.status_code == 400
    with app.app_context():
        assert db.session.get(User, target.id).last_name == "Intact"
    # the htmx way: token in the X-CSRFToken header (as hx-headers on <body> sends it)
    ok = client.post(f"/essai/utilisateurs/{target.id}/renommer", headers={"HX-Request": "true"})
    assert ok.status_code == 200
    with app.app_context():
        assert db.session.get(User, target.id).last_name == "Renommé"


def test_body_carries_the_csrf_header_for_htmx(client, make_user, login_as):
    login_as(make_user())
    html = client.get("/").get_data(as_text=True)
    assert (
        "hx-headers='{&#34;X-CSRFToken&#34;: &#34;" in html or 'hx-headers=\'{"X-CSRFToken"' in html
    )


def test_security_headers(client, make_user, login_as):
    login_as(make_user())
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    static = client.get("/static/css/app.css")
    assert static.headers.get("Cache-Control") != "no-store"


def test_no_external_urls_or_inline_scripts_in_templates():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2] / "templates"
    for path in root.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"(src|href)=[\"']https?://", text), path
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline script in {path}"
        assert " style=" not in text, f"inline style in {path}"


def test_fragment_or_page_by_hx_request(client, make_user, login_as, demo_routes):
    login_as(make_user())
    page = client.get("/essai/fragment")
    fragment = client.get("/essai/fragment", headers={"HX-Request": "true"})
    assert "<html" in page.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]


def test_error_pages_use_the_layout(client, make_user, login_as):
    login_as(make_user())
    response = client.get("/nexiste-pas")
    assert response.status_code == 404
    text = page_text(response)
    assert "Page introuvable" in text and "Intranet CPAS" in text


def test_500_rolls_back_and_shows_the_layout(app, client, make_user, login_as, demo_routes):
    app.testing = False  # let the error handler answer instead of raising
    app.config["PROPAGATE_EXCEPTIONS"] = False
    login_as(make_user())
    response = client.post("/essai/panne")
    assert response.status_code == 500
    assert "Erreur interne" in page_text(response)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(Organisation.id)).where(Organisation.name == "Jamais enregistrée")
            )
            == 0
        )


def test_htmx_request_to_login_gets_hx_redirect(client):
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/connexion")


def test_flash_goes_out_of_band_for_htmx(app, client, make_user, login_as):
    from flask import flash

    bp = DomainBlueprint("demo_toast", __name__, kinds=EVERY_KIND)

    @bp.route("/essai/toast", methods=["POST"])
    @signed_in
    def toast():
        flash("Enregistré.", "success")
        return "<div id='x'>ok</div>"

    app.register_blueprint(bp)
    login_as(make_user())
    response = client.post("/essai/toast", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert 'hx-swap-oob="true"' in html and "Enregistré." in html


def test_audit_log_is_append_only(app):
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    with app.app_context():
        db.session.add(AuditEntry(action="test.entry", outcome="success"))
        db.session.commit()
        for statement in ("UPDATE audit_entry SET action = 'forged'", "DELETE FROM audit_entry"):
            with pytest.raises(DatabaseError):
                db.session.execute(text(statement))
                db.session.flush()
            db.session.rollback()
        assert db.session.scalar(select(AuditEntry.action)) == "test.entry"


def test_record_view_is_written_after_a_get(app, client, make_user, login_as):
    from cpas.audit import record_view

    bp = DomainBlueprint("demo_consult", __name__, kinds=EVERY_KIND)

    @bp.route("/essai/consultation")
    @signed_in
    def consult():
        record_view("person.view", object_type="Person", object_id=7, niss="85073003328")
        return "vu"

    app.register_blueprint(bp)
    user = make_user()
    login_as(user)
    assert client.get("/essai/consultation").status_code == 200
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.view"))
        assert entry.niss == "85073003328" and entry.user_id == user.id
