"""The menu grouped by work (issue 13 item 5), the breadcrumb, and the language per person.

The menu is read from the page as a user sees it: the groups of ``<nav class="menu">``
with their labels and links, in order."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import select

from cpas.access.models import User
from cpas.extensions import db


class _Menu(HTMLParser):
    """Groups of the main menu: [(group label or None for the links outside groups,
    current?, [(link text, href, aria-current)])]."""

    def __init__(self) -> None:
        super().__init__()
        self.groups: list[tuple[str | None, bool, list[tuple[str, str, str | None]]]] = []
        self._in_nav = 0
        self._label: list[str] | None = None
        self._link: dict[str, Any] | None = None
        self._in_badge = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "nav" and "menu" in (a.get("class") or "").split():
            self._in_nav = 1
            return
        if not self._in_nav:
            return
        if tag == "nav":
            self._in_nav += 1
        classes = (a.get("class") or "").split()
        if tag == "li" and "menu-group" in classes:
            self.groups.append((None, "current" in classes, []))
        elif tag == "span" and "menu-group-label" in classes:
            self._label = []
        elif tag == "span" and "badge" in classes:
            self._in_badge = True
        elif tag == "a":
            self._link = {"href": a.get("href"), "current": a.get("aria-current"), "text": []}

    def handle_endtag(self, tag: str) -> None:
        if not self._in_nav:
            return
        if tag == "nav":
            self._in_nav -= 1
        elif tag == "span" and self._label is not None:
            label, current, links = self.groups[-1]
            self.groups[-1] = (" ".join("".join(self._label).split()), current, links)
            self._label = None
        elif tag == "span" and self._in_badge:
            self._in_badge = False
        elif tag == "a" and self._link is not None:
            text = " ".join("".join(self._link["text"]).split())
            self.groups[-1][2].append((text, self._link["href"], self._link["current"]))
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._label is not None:
            self._label.append(data)
        elif self._link is not None and not self._in_badge:
            self._link["text"].append(data)


def menu(html: str) -> list[tuple[str | None, bool, list[tuple[str, str, str | None]]]]:
    parser = _Menu()
    parser.feed(html)
    return parser.groups


def shown(html: str) -> dict[str, list[str]]:
    """{group label: [link texts]} of the menu ("" for the links outside the groups)."""
    return {label or "": [text for text, _h, _c in links] for label, _cur, links in menu(html)}


def home_cards(html: str) -> dict[str, list[str]]:
    """{card title: [link texts]} of the home page's groups."""
    section = html.split('<div class="home-groups">', 1)[1]
    cards = {}
    for title, body in re.findall(
        r'<section class="card home-group"[^>]*>\s*<h3[^>]*>(.*?)</h3>(.*?)</section>',
        section,
        re.S,
    ):
        cards[unescape(title.strip())] = [
            unescape(t.strip()) for t in re.findall(r"<a [^>]*>(.*?)</a>", body)
        ]
    return cards


@pytest.fixture
def demo(app: Any) -> dict[str, User]:
    from cpas.demo import seed_demo

    with app.app_context():
        seed_demo()
        users = {u.email: u for u in db.session.scalars(select(User))}
        db.session.expunge_all()
    return users


CENTRE = ("Informations sur le CPAS", ["Fiche signalétique", "Assistants sociaux"])
ACCESS_ALL = ("Accès", ["Profils", "Utilisateurs", "Demandes de compte", "Mes accès"])
ACCESS_MINE = ("Accès", ["Mes accès"])
LOGS = ("Admin-Logs", ["Admin-Logs"])
DOSSIERS = (
    "Gestion des dossiers",
    ["Dossiers du CPAS", "Rechercher un dossier", "Nouveau dossier"],
)
DOSSIERS_READ = ("Gestion des dossiers", ["Dossiers du CPAS", "Rechercher un dossier"])
WATER = ("Fonds social de l'eau", ["Fonds de l'eau", "Demandes FAT", "Demandes FSE"])
REDI = ("Subventions", ["Subvention REDI"])

#: The menu of every demo user (seed 002's profiles), group by group in menu order.
EXPECTED = {
    "admin@cpas-demoville.be": [CENTRE, ACCESS_ALL, LOGS, DOSSIERS, WATER, REDI],
    "as@cpas-demoville.be": [CENTRE, ACCESS_MINE, DOSSIERS, WATER],
    "agent@cpas-demoville.be": [CENTRE, ACCESS_MINE, DOSSIERS, WATER],
    "dg@cpas-demoville.be": [CENTRE, ACCESS_MINE, LOGS, DOSSIERS, WATER, REDI],
    "df@cpas-demoville.be": [ACCESS_MINE, DOSSIERS_READ, WATER, REDI],
    "admin@cpas-exempleville.be": [CENTRE, ACCESS_ALL, LOGS, DOSSIERS, WATER, REDI],
    "agent@cile-demo.be": [ACCESS_ALL, LOGS, WATER],
    "agent@ciesac-demo.be": [ACCESS_ALL, LOGS, WATER],
    "gestion@spge-demo.be": [ACCESS_ALL, LOGS, WATER],
}


def test_the_menu_and_the_home_cards_of_every_demo_user(client, login_as, demo):
    assert sorted(demo) == sorted(EXPECTED)
    for email, groups in EXPECTED.items():
        login_as(demo[email])
        html = client.get("/").get_data(as_text=True)
        found = list(shown(html).items())
        assert found == [("", ["Accueil"]), *groups], email
        assert list(home_cards(html).items()) == groups, email


def test_every_menu_link_opens_a_page_with_a_breadcrumb(client, login_as, demo):
    """The pages below the home page carry « Accueil › … »; the home page has none."""
    login_as(demo["admin@cpas-demoville.be"])
    home = client.get("/").get_data(as_text=True)
    assert 'class="breadcrumb' not in home
    missing = []
    for _label, _current, links in menu(home)[1:]:
        for text, href, _c in links:
            page = client.get(href)
            assert page.status_code == 200, href
            body = page.get_data(as_text=True)
            trail = re.search(r'<nav class="breadcrumb[^"]*"[^>]*>(.*?)</nav>', body, re.S)
            if not trail or 'href="/"' not in trail.group(1):
                missing.append(text)
    assert missing == []


def _current(html: str) -> tuple[list[str], list[str]]:
    groups = menu(html)
    return (
        [label or "" for label, current, _links in groups if current],
        [text for _l, _c, links in groups for text, _h, cur in links if cur == "page"],
    )


def test_the_current_section_is_highlighted(client, login_as, demo):
    login_as(demo["admin@cpas-demoville.be"])
    assert _current(client.get("/").get_data(as_text=True)) == ([], ["Accueil"])
    assert _current(client.get("/dossiers/").get_data(as_text=True)) == (
        ["Gestion des dossiers"],
        ["Dossiers du CPAS"],
    )
    # Admin-Logs and the access pages share a blueprint, not a group
    logs = client.get("/acces/admin-logs").get_data(as_text=True)
    assert _current(logs) == (["Admin-Logs"], ["Admin-Logs"])
    assert 'aria-current="true">Admin-Logs</span>' in logs
    users = client.get("/acces/utilisateurs").get_data(as_text=True)
    assert _current(users) == (["Accès"], ["Utilisateurs"])


def _lang(html: str) -> str:
    match = re.search(r'<html lang="([a-z]{2})-BE">', html)
    assert match
    return match.group(1)


def test_the_language_follows_the_browser_until_the_user_chooses(app, client, login_as, demo):
    user = demo["as@cpas-demoville.be"]
    assert user.locale is None  # a new account has not chosen yet
    login_as(user)
    nl = client.get("/", headers={"Accept-Language": "nl-BE,nl;q=0.9,fr;q=0.5"})
    assert _lang(nl.get_data(as_text=True)) == "nl"
    assert "Hoofdnavigatie" in nl.get_data(as_text=True)
    assert _lang(client.get("/", headers={"Accept-Language": "fr-BE"}).get_data(as_text=True)) == (
        "fr"
    )
    assert _lang(client.get("/", headers={"Accept-Language": "de, en"}).get_data(as_text=True)) == (
        "fr"
    )
    # choosing French on the switch is stored and beats a Dutch browser
    client.post("/langue", data={"locale": "fr", "next": "/"})
    with app.app_context():
        assert db.session.get(User, user.id).locale == "fr"
    login_as(user)  # a new session: the account remembers, not the session
    again = client.get("/", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert _lang(again) == "fr" and "Navigation principale" in again


def test_before_signing_in_the_browser_then_the_switch_decide(client):
    page = client.get("/connexion", headers={"Accept-Language": "nl"})
    assert _lang(page.get_data(as_text=True)) == "nl"
    client.post("/langue", data={"locale": "fr", "next": "/connexion"})
    page = client.get("/connexion", headers={"Accept-Language": "nl"})
    assert _lang(page.get_data(as_text=True)) == "fr"


def test_outside_a_request_french(app):
    from flask_babel import force_locale, gettext

    with app.app_context():
        assert gettext("Accueil") == "Accueil"
        with force_locale("nl"):
            assert gettext("Accueil") == "Startpagina"


def test_the_menu_works_without_script_and_without_hover(client, login_as, demo):
    """Every entry is a plain link in the page (no script builds the menu, no hidden
    sub-menu that only a hover opens): the CSS never hides the groups' lists."""
    login_as(demo["admin@cpas-demoville.be"])
    html = client.get("/").get_data(as_text=True)
    nav = re.search(r'<nav class="menu[^"]*"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert "hx-" not in nav and "<script" not in nav and "onclick" not in nav
    with open("static/css/app.css", encoding="utf-8") as css:
        screen = [line for line in css if not line.startswith("@media print")]
    rules = "".join(screen)
    assert not re.search(r"\.menu[^{]*\{[^}]*(display:\s*none|visibility:\s*hidden)", rules)
    assert not re.search(r"\.menu[^{]*:hover[^{]*\{[^}]*display", rules)
