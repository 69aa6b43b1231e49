"""Sign-in, failed sign-in, password reset by e-mail link, sign-out, in Chromium."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_sign_in_lands_on_home_without_browser_errors(live_server, page, make_user, tmp_path):
    make_user(email="anne@cpas-e2e.test", first_name="Anne")
    sign_in(page, live_server, "anne@cpas-e2e.test", PASSWORD)
    assert page.get_by_role("heading", name="Bienvenue, Anne").is_visible()
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.problems == []  # no console error, no CSP violation
    page.screenshot(path=tmp_path / "home.png", full_page=True)


def test_failed_sign_in_shows_the_message(live_server, page, make_user, tmp_path):
    make_user(email="anne@cpas-e2e.test")
    sign_in(page, live_server, "anne@cpas-e2e.test", "mauvais mot de passe")
    alert = page.get_by_role("alert")
    assert alert.inner_text().strip() == "Adresse e-mail ou mot de passe incorrect."
    assert page.url.endswith("/connexion")
    assert page.get_by_label("Adresse e-mail").input_value() == "anne@cpas-e2e.test"
    page.screenshot(path=tmp_path / "login-error.png", full_page=True)


def test_password_reset_through_the_emailed_link(live_server, page, make_user, smtp):
    make_user(email="anne@cpas-e2e.test", first_name="Anne")
    page.goto(f"{live_server}/connexion")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_label("Adresse e-mail").fill("anne@cpas-e2e.test")
    page.get_by_role("button", name="Envoyer le lien").click()
    assert page.get_by_text("Si un compte actif correspond").is_visible()

    body = smtp.body(smtp.to("anne@cpas-e2e.test")[0])
    link = re.search(r"(http://127\.0\.0\.1:\d+/reinitialiser/\S+)", body).group(1)
    page.goto(link)
    page.get_by_label("Nouveau mot de passe").fill("Nouveau-Mot-De-Passe-2026")
    page.get_by_label("Confirmation du mot de passe").fill("Nouveau-Mot-De-Passe-2026")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    assert page.get_by_text("Votre mot de passe a été modifié.").is_visible()

    sign_in(page, live_server, "anne@cpas-e2e.test", PASSWORD)  # the old one
    assert page.get_by_role("alert").is_visible()
    sign_in(page, live_server, "anne@cpas-e2e.test", "Nouveau-Mot-De-Passe-2026")
    assert page.get_by_role("heading", name="Bienvenue, Anne").is_visible()
    page.goto(link)  # the link works only once
    assert page.get_by_text("n'est plus valable").is_visible()


def test_sign_out(live_server, page, make_user):
    make_user(email="anne@cpas-e2e.test")
    sign_in(page, live_server, "anne@cpas-e2e.test", PASSWORD)
    page.get_by_role("button", name="Se déconnecter").click()
    assert page.get_by_text("Vous êtes déconnecté.").is_visible()
    page.goto(f"{live_server}/")
    assert "/connexion" in page.url
