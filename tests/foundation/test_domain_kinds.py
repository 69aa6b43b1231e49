"""Each domain declares once which organisation kinds use it; the hook and the menu obey.

Every blueprint is a ``DomainBlueprint`` with its kinds; a signed-in route outside such a
blueprint is refused. For every domain closed to a kind, a user of that kind holding every
function code (« Tous les accès ») gets 403 on each of its GET routes (taken from the url
map, not from a hand-written list) and sees none of its menu entries.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask import Blueprint, url_for

from cpas.access.function_types import EVERY_KIND
from cpas.access.functions import NAVIGATION
from cpas.access.models import OrganisationKind
from cpas.domains import DomainBlueprint, kinds_of_endpoint
from cpas.security import access_rule, signed_in

KINDS = (OrganisationKind.CPAS, OrganisationKind.DISTRIBUTOR, OrganisationKind.FUND_MANAGER)

#: Written from the issue and the seed, not read from the code: who uses which domain.
EXPECTED_KINDS = {
    "auth": {"cpas", "distributor", "fund_manager"},
    "main": {"cpas", "distributor", "fund_manager"},
    "access": {"cpas", "distributor", "fund_manager"},
    "water_fund": {"cpas", "distributor", "fund_manager"},
    "centre": {"cpas"},
    "dossiers": {"cpas"},
    "redi": {"cpas"},
    # issue 14: aid requests are the CPAS's own work (seed 001 §6)
    "aid": {"cpas"},
    # issue 15: the social inquiry of a request, CPAS only (its contract)
    "inquiry": {"cpas"},
}


def test_every_blueprint_is_a_domain_with_kinds(app):
    for name, blueprint in app.blueprints.items():
        assert isinstance(blueprint, DomainBlueprint), f"{name} is a plain Blueprint"
        assert blueprint.kinds, f"{name} declares no organisation kind"
        assert set(blueprint.kinds) <= {str(k) for k in KINDS}, name


def test_the_domains_declare_the_expected_kinds(app):
    declared = {name: set(bp.kinds) for name, bp in app.blueprints.items()}
    assert declared == EXPECTED_KINDS


def test_a_domain_without_kinds_is_refused():
    with pytest.raises(ValueError, match="declares no organisation kind"):
        DomainBlueprint("sans_genre", __name__, kinds=())


def test_kinds_of_an_endpoint_come_from_its_blueprint(app):
    assert kinds_of_endpoint(app, "redi.index") == ("cpas",)
    assert kinds_of_endpoint(app, "aid.request") == ("cpas",)
    assert kinds_of_endpoint(app, "static") is None
    assert kinds_of_endpoint(app, "inconnu.vue") is None
    assert kinds_of_endpoint(app, None) is None


def test_a_signed_in_route_outside_a_domain_is_refused(app, client, make_user, login_as):
    plain = Blueprint("plain_probe", __name__)

    @plain.route("/essai/hors-domaine")
    @signed_in
    def outside():  # pragma: no cover - must never run
        raise AssertionError("the hook should have refused this")

    app.register_blueprint(plain)

    @app.route("/essai/sans-blueprint")
    @signed_in
    def bare():  # pragma: no cover - must never run
        raise AssertionError("the hook should have refused this")

    login_as(make_user(all_access=True))
    assert client.get("/essai/hors-domaine").status_code == 403
    assert client.get("/essai/sans-blueprint").status_code == 403


def test_a_domain_route_is_open_to_its_kinds(app, client, make_org, make_user, login_as):
    """The control: the same kind of probe inside a domain of that kind answers."""
    domain = DomainBlueprint("distributor_probe", __name__, kinds=("distributor",))

    @domain.route("/essai/distributeurs")
    @signed_in
    def distributors_only():
        return "ok"

    app.register_blueprint(domain)
    login_as(make_user(make_org(OrganisationKind.DISTRIBUTOR), all_access=True))
    assert client.get("/essai/distributeurs").status_code == 200
    login_as(make_user(make_org(OrganisationKind.CPAS), all_access=True))
    assert client.get("/essai/distributeurs").status_code == 403


def test_the_menu_hides_an_entry_of_a_domain_closed_to_the_kind(
    app, client, make_org, make_user, login_as, monkeypatch
):
    """Even an entry that names no function (so no function kind) follows its domain."""
    from cpas.access import functions
    from cpas.access.function_types import NavItem

    domain = DomainBlueprint("menu_probe", __name__, kinds=("distributor",))

    @domain.route("/essai/menu-distributeurs")
    @signed_in
    def page():
        return "ok"

    app.register_blueprint(domain)
    entry = NavItem(endpoint="menu_probe.page", label="Sonde du menu")
    monkeypatch.setattr(functions, "NAVIGATION", (*functions.NAVIGATION, entry))
    login_as(make_user(make_org(OrganisationKind.DISTRIBUTOR), all_access=True))
    assert "/essai/menu-distributeurs" in _menu(client)
    login_as(make_user(make_org(OrganisationKind.CPAS), all_access=True))
    assert "/essai/menu-distributeurs" not in _menu(client)


def _closed(app) -> list[tuple[str, str]]:
    """Every (domain, kind) pair where the domain is not for that kind."""
    return [
        (name, str(kind))
        for name, blueprint in sorted(app.blueprints.items())
        for kind in KINDS
        if str(kind) not in blueprint.kinds
    ]


def _get_urls(app, domain: str) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(domain + ".") or "GET" not in rule.methods:
            continue
        if access_rule(app.view_functions[rule.endpoint])[0] == "public":
            continue
        urls.append(re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule))
    return urls


class _Links(HTMLParser):
    """The hrefs of the main navigation."""

    def __init__(self) -> None:
        super().__init__()
        self.in_nav = False
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "nav":
            self.in_nav = True
        elif tag == "a" and self.in_nav:
            self.hrefs.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag):
        if tag == "nav":
            self.in_nav = False


def _menu(client) -> list[str]:
    response = client.get("/")
    assert response.status_code == 200
    parser = _Links()
    parser.feed(response.get_data(as_text=True))
    return parser.hrefs


def _entries_of(app, domain: str) -> set[str]:
    with app.test_request_context("/"):
        return {url_for(i.endpoint) for i in NAVIGATION if i.endpoint.startswith(domain + ".")}


def test_some_domains_are_closed_to_some_kinds(app):
    # Otherwise the test below checks nothing.
    assert len(_closed(app)) >= 6


@pytest.mark.parametrize("kind", [str(k) for k in KINDS])
def test_every_route_and_menu_entry_of_a_closed_domain_is_refused_to_that_kind(
    app, client, make_org, make_user, login_as, kind
):
    user = make_user(make_org(kind), all_access=True)
    login_as(user)
    menu = _menu(client)
    closed = [domain for domain, closed_kind in _closed(app) if closed_kind == kind]
    checked = 0
    for domain in closed:
        for url in _get_urls(app, domain):
            response = client.get(url)
            assert response.status_code == 403, (kind, url, response.status_code)
            checked += 1
        assert not (_entries_of(app, domain) & set(menu)), (kind, domain, menu)
    if closed:
        assert checked >= 3
    assert menu, "a user with every function has some menu"


def test_a_cpas_user_sees_the_entries_of_the_cpas_only_domains(
    app, client, make_org, make_user, login_as
):
    """The control of the menu check above: the entries exist and show for the CPAS."""
    login_as(make_user(make_org(OrganisationKind.CPAS), all_access=True))
    menu = set(_menu(client))
    for domain in ("centre", "dossiers", "redi"):
        entries = _entries_of(app, domain)
        assert entries and entries <= menu, (domain, entries, menu)


def test_every_kind_is_a_known_kind():
    assert set(EVERY_KIND) == {str(k) for k in KINDS}
