"""Browser tests of the menu: reachable with the keyboard, and working without JavaScript."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def _admin(make_org, make_user):
    from cpas.access.models import OrganisationKind

    org = make_org(OrganisationKind.CPAS, name="CPAS Clavier")
    return make_user(org, all_access=True, email="admin@cpas-clavier.test")


def test_tab_reaches_the_menu_links_in_order(app, live_server, page, make_org, make_user):
    _admin(make_org, make_user)
    sign_in(page, live_server, "admin@cpas-clavier.test", PASSWORD)
    menu = page.get_by_role("navigation", name="Navigation principale")
    expected = [a.inner_text().strip() for a in menu.get_by_role("link").all()]
    assert expected[:3] == ["Accueil", "Fiche signalétique", "Assistants sociaux"]
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => document.activeElement.closest('nav.menu') ? "
            "document.activeElement.innerText.trim() : null"
        )
        if focused:
            reached.append(focused)
        if len(reached) == len(expected):
            break
    assert reached == expected
    # Enter on the focused « Admin-Logs » opens that section, marked in the menu
    menu.get_by_role("link", name="Admin-Logs").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/acces/admin-logs")
    current = page.locator("nav.menu .menu-group.current .menu-group-label")
    assert current.inner_text().strip() in ("Admin-Logs", "ADMIN-LOGS")
    assert page.locator('nav.menu a[aria-current="page"]').inner_text().strip() == "Admin-Logs"


def test_the_menu_works_with_javascript_disabled(app, browser, live_server, make_org, make_user):
    _admin(make_org, make_user)
    context = browser.new_context(
        locale="fr-BE", java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    try:
        page = context.new_page()
        sign_in(page, live_server, "admin@cpas-clavier.test", PASSWORD)
        menu = page.get_by_role("navigation", name="Navigation principale")
        for group, link, url in (
            ("Gestion des dossiers", "Dossiers du CPAS", "/dossiers/"),
            ("Accès", "Utilisateurs", "/acces/utilisateurs"),
            ("Fonds social de l'eau", "Demandes FAT", "/fonds-eau/fat"),
        ):
            entry = menu.get_by_role("link", name=link, exact=True)
            assert entry.is_visible()  # shown without hovering or opening anything
            entry.click()
            page.wait_for_load_state("domcontentloaded")
            assert page.url.endswith(url), (link, page.url)
            marked = page.locator("nav.menu .menu-group.current .menu-group-label")
            assert marked.inner_text().strip().lower() == group.lower()
    finally:
        context.close()


def test_a_dutch_browser_gets_the_dutch_menu(app, browser, live_server, make_org, make_user):
    """A user who has not chosen a language follows the browser's Accept-Language."""
    _admin(make_org, make_user)
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{live_server}/connexion")
        page.locator("input[type=email]").fill("admin@cpas-clavier.test")
        page.locator("input[type=password]").fill(PASSWORD)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state("domcontentloaded")
        menu = page.get_by_role("navigation", name="Hoofdnavigatie")
        assert menu.get_by_role("link", name="Startpagina").is_visible()
        assert menu.get_by_text("Dossierbeheer").is_visible()
    finally:
        context.close()
