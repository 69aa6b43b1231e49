"""Permission matrix of the social inquiry (issue 15's contract, written literally).

The routes come from the app's URL map (every ``inquiry.*`` endpoint and method); the rule
and the URL of each are written below from the contract's table: a route added without a
row, or a rule that drifts from its row, fails ``test_every_route_has_its_row``. A user
holding exactly the route's function (and what it requires) gets the real answer for a
record of their own CPAS, never a 403 or a 404; every other function set is refused (403);
a distributor holding every function and an anonymous visitor are refused; another CPAS
gets a 404 and a security event for every dossier, request, member, resource and expense
id; a member (or a request) of another dossier of the same CPAS is a plain 404.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import pytest

from cpas.access.functions import ALL_FUNCTION_CODES, complete_dependencies
from cpas.access.models import OrganisationKind, User
from cpas.aid.models import AidRequest
from cpas.audit import CROSS_ORG
from cpas.dossiers.models import HouseholdMember
from cpas.extensions import db
from tests.audit_helpers import entries_since, last_entry_id
from tests.helpers import page_text
from tests.inquiry.conftest import _make_dossier, _new_request
from tests.route_matrix import collect_routes, declared_rule, routes_of

PREFIXES = ("inquiry.",)
ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")

Data = Callable[[dict[str, Any]], dict[str, Any] | None]

M = "/dossiers/<int:dossier_id>/demandes/<int:request_id>/membres/<int:member_id>"
R = "/dossiers/<int:dossier_id>/demandes/<int:request_id>"


class Row(NamedTuple):
    """What a route needs, and what a user holding exactly that gets (with ``data``)."""

    needs: str
    status: int
    data: Data = lambda o: None  # noqa: E731
    #: where the redirect leads (``{name}`` filled from the objects)
    location: str | None = None
    #: which member the route is tried on (a key of the objects)
    member: str = "member_id"
    #: the query string of a GET
    query: str = ""


def _address(o: dict[str, Any]) -> dict[str, Any]:
    return {
        "street": "Rue Neuve",
        "house_number": "7",
        "box": "",
        "postal_code": "4000",
        "locality": "Liège",
        "version": o["member_version"],
        "action": "enregistrer",
    }


def _information(o: dict[str, Any]) -> dict[str, Any]:
    return {"category": "famille", "housing": "locataire", "version": o["inquiry_version"]}


def _resource(o: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "divers", "detail": "Aide d'un proche", "annual_amount": "1.234,56"}


def _resource_edit(o: dict[str, Any]) -> dict[str, Any]:
    return {
        "detail": "Boulangerie",
        "annual_amount": "12.000,00",
        "counts_for_dis": "y",
        "version": o["resource_version"],
    }


def _expense(o: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "loyer", "annual_amount": "7.440,00"}


def _expense_update(o: dict[str, Any]) -> dict[str, Any]:
    p = f"e{o['expense_id']}-"
    return {
        f"{p}kind": "energie",
        f"{p}annual_amount": "1.740,00",
        f"{p}version": o["expense_version"],
    }


def _confirmed(version_key: str) -> Data:
    return lambda o: {"confirmed": "1", "version": o[version_key]}


def _form_a(o: dict[str, Any]) -> dict[str, Any]:
    return {"effective_date": "01/12/2026", "main_nationality": "Belge", "version": "0"}


def _form_a_member(o: dict[str, Any]) -> dict[str, Any]:
    p = f"m{o['partner_id']}-"
    return {f"{p}secondary": "non", f"{p}version": "0"}


IDENT = M
INFO = M + "/information"
RESOURCES = M + "/ressources"
EXPENSES = M + "/depenses"

# fmt: off
EXPECTED: dict[tuple[str, str], Row] = {
    # --- helper F: identification, information
    ("inquiry.identification", "GET"): Row("inquiry.info_view", 200),
    ("inquiry.address_save", "POST"): Row("inquiry.address_edit", 302, _address, IDENT),
    ("inquiry.legal_refresh", "POST"): Row("inquiry.address_edit", 302, location=IDENT),
    # the register gives Marie's « registre d'inscription »: the rule's refusal, next to it
    ("inquiry.registre_save", "POST"): Row(
        "inquiry.address_edit", 422,
        lambda o: {"registre_manual": "Registre de la population", "version": "0"}),
    ("inquiry.information", "GET"): Row("inquiry.info_view", 200),
    ("inquiry.information_save", "POST"): Row("inquiry.info_edit", 302, _information, INFO),
    # --- helper G: resources, the household's, the computation
    ("inquiry.resources", "GET"): Row("inquiry.resources_view", 200),
    ("inquiry.resource_add", "POST"): Row(
        "inquiry.resources_edit", 302, _resource, RESOURCES, member="cohabitant_id"),
    ("inquiry.resource_edit", "GET"): Row("inquiry.resources_edit", 200),
    ("inquiry.resource_edit", "POST"): Row(
        "inquiry.resources_edit", 302, _resource_edit, RESOURCES),
    ("inquiry.resource_delete", "POST"): Row(
        "inquiry.resources_edit", 302, _confirmed("resource_version"), RESOURCES),
    ("inquiry.no_resources", "POST"): Row(
        "inquiry.resources_edit", 302, lambda o: {"value": "1"}, RESOURCES,
        member="cohabitant_id"),
    ("inquiry.household_resources", "GET"): Row("inquiry.resources_view", 200),
    ("inquiry.computation", "GET"): Row("inquiry.resources_view", 200, query="?details=1"),
    # --- helper H: expenses, formulaire A
    ("inquiry.expenses", "GET"): Row("inquiry.expenses_view", 200),
    ("inquiry.expense_add", "POST"): Row("inquiry.expenses_edit", 302, _expense, EXPENSES),
    ("inquiry.expense_row", "GET"): Row("inquiry.expenses_view", 200, query="?modifier=1"),
    ("inquiry.expense_update", "POST"): Row(
        "inquiry.expenses_edit", 302, _expense_update, EXPENSES),
    ("inquiry.expense_delete", "POST"): Row(
        "inquiry.expenses_edit", 302, _confirmed("expense_version"), EXPENSES),
    ("inquiry.form_a", "GET"): Row("inquiry.form_a_view", 200),
    ("inquiry.form_a_save", "POST"): Row(
        "inquiry.form_a_edit", 302, _form_a, R + "/formulaire-a"),
    ("inquiry.form_a_member_save", "POST"): Row(
        "inquiry.form_a_edit", 302, _form_a_member, R + "/formulaire-a", member="partner_id"),
}

#: The URLs of the contract (the rule each endpoint answers).
RULES: dict[str, str] = {
    "inquiry.identification": M,
    "inquiry.address_save": M + "/adresse",
    "inquiry.legal_refresh": M + "/donnees-legales",
    "inquiry.registre_save": M + "/registre",
    "inquiry.information": M + "/information",
    "inquiry.information_save": M + "/information",
    "inquiry.resources": M + "/ressources",
    "inquiry.resource_add": M + "/ressources",
    "inquiry.resource_edit": M + "/ressources/<int:resource_id>/modifier",
    "inquiry.resource_delete": M + "/ressources/<int:resource_id>/supprimer",
    "inquiry.no_resources": M + "/pas-de-ressources",
    "inquiry.household_resources": R + "/ressources",
    "inquiry.computation": R + "/ressources/calcul",
    "inquiry.expenses": M + "/depenses",
    "inquiry.expense_add": M + "/depenses",
    "inquiry.expense_row": M + "/depenses/<int:expense_id>",
    "inquiry.expense_update": M + "/depenses/<int:expense_id>/modifier",
    "inquiry.expense_delete": M + "/depenses/<int:expense_id>/supprimer",
    "inquiry.form_a": R + "/formulaire-a",
    "inquiry.form_a_save": R + "/formulaire-a",
    "inquiry.form_a_member_save": R + "/formulaire-a/membres/<int:member_id>",
}
# fmt: on


ROUTES = collect_routes(PREFIXES)
CASES = [
    pytest.param(endpoint, rule, method, id=f"{method} {endpoint}")
    for endpoint, rule, method in ROUTES
    if (endpoint, method) in EXPECTED  # a route without a row fails the test below
]
MEMBER_CASES = [c for c in CASES if "<int:member_id>" in c.values[1]]
RESOURCE_CASES = [c for c in CASES if "<int:resource_id>" in c.values[1]]
EXPENSE_CASES = [c for c in CASES if "<int:expense_id>" in c.values[1]]


@pytest.fixture
def objects(app, inquiry_world):
    """CPAS A's open request on Marie's dossier with a resource and an expense of Marie;
    CPAS B's Sofie with a resource and an expense too (so B's own inquiry exists and the
    loaders reach A's ids); a second CPAS A dossier (Sofie's, with a request)."""
    from cpas.inquiry import expenses, resources

    w = inquiry_world
    made: dict[str, Any] = {}
    with app.app_context():
        for key, dossier, req_ns, by_ns in (
            ("a", w.dossier, w.request, w.social_a),
            ("b", w.dossier_b, w.request_b, w.social_b),
        ):
            req = db.session.get(AidRequest, req_ns.id)
            by = db.session.get(User, by_ns.id)
            main = db.session.get(HouseholdMember, dossier.main.id)
            assert req is not None and by is not None and main is not None
            res = resources.add_resource(
                req,
                main,
                resources.ResourceData(
                    "salaire", "Employeur", Decimal("12000.00"), date(2024, 1, 1), None, True
                ),
                by,
            )
            exp = expenses.add_expense(
                req, main, expenses.ExpenseData("loyer", None, None, Decimal("7200.00")), by
            )
            made[key] = SimpleNamespace(
                resource=(res.id, res.version),
                expense=(exp.id, exp.version),
                inquiry_version=res.inquiry.version,
                member_version=main.version,
            )
    a, b = made["a"], made["b"]
    other = _make_dossier(app, w.social_a, w.people.sofie.id, {})
    other_request = _new_request(app, w, other, w.social_a)
    members = w.dossier.members
    return {
        "dossier_id": w.dossier.id,
        "request_id": w.request.id,
        "member_id": members["beneficiary"].id,
        "partner_id": members["partner"].id,
        "cohabitant_id": members["cohabitant"].id,
        "member_version": str(a.member_version),
        "inquiry_version": str(a.inquiry_version),
        "resource_id": a.resource[0],
        "resource_version": str(a.resource[1]),
        "expense_id": a.expense[0],
        "expense_version": str(a.expense[1]),
        # CPAS B's own records, and CPAS A's second dossier
        "b": {
            "dossier_id": w.dossier_b.id,
            "request_id": w.request_b.id,
            "member_id": w.dossier_b.main.id,
            "resource_id": b.resource[0],
            "expense_id": b.expense[0],
        },
        "other": {"dossier_id": other.id, "request_id": other_request.id},
    }


def _url(rule: str, row: Row, objects: dict[str, Any], **override: Any) -> str:
    values = {**objects, "member_id": objects[row.member], **override}
    return ARGUMENT.sub(lambda m: str(values[m.group(1)]), rule) + row.query


def _open(client, endpoint: str, rule: str, method: str, objects: dict[str, Any], **override):
    row = EXPECTED[endpoint, method]
    url = _url(rule, row, objects, **override)
    return url, client.open(url, method=method, data=row.data(objects))


#: Ids for the tests refused before any object is loaded (kinds, sign-in).
ANY_IDS: dict[str, Any] = {
    "dossier_id": 1,
    "request_id": 1,
    "member_id": 1,
    "partner_id": 1,
    "cohabitant_id": 1,
    "resource_id": 1,
    "expense_id": 1,
    "member_version": "1",
    "inquiry_version": "1",
    "resource_version": "1",
    "expense_version": "1",
}


def _granted(row: Row) -> list[str]:
    granted, _added = complete_dependencies(set(row.needs.split()))
    return sorted(granted)


# --------------------------------------------------------------------------- the table itself


def test_every_route_has_its_row(app):
    """The live URL map is the collected one, each route has a row, each row a route, and
    each view declares the rule of its row."""
    assert routes_of(app, PREFIXES) == ROUTES
    live = {(endpoint, method) for endpoint, _rule, method in ROUTES}
    assert live == set(EXPECTED), (
        f"routes without a row: {sorted(live - set(EXPECTED))}; "
        f"rows without a route: {sorted(set(EXPECTED) - live)}"
    )
    for (endpoint, _method), row in EXPECTED.items():
        assert declared_rule(app, endpoint) == row.needs, endpoint
        assert set(row.needs.split()) <= ALL_FUNCTION_CODES


def test_every_route_has_the_contract_s_url():
    assert {endpoint: rule for endpoint, rule, _method in ROUTES} == RULES


def test_the_inquiry_blueprint_is_the_cpas_s_only(app):
    from cpas.inquiry import bp

    assert bp.kinds == ("cpas",)


# --------------------------------------------------------------------------- allowed


@pytest.mark.parametrize("endpoint,rule,method", CASES)
def test_exactly_the_route_s_function_gives_the_real_answer(
    app, client, login_as, make_user, inquiry_world, objects, endpoint, rule, method
):
    row = EXPECTED[endpoint, method]
    login_as(make_user(inquiry_world.cpas_a, functions=_granted(row)))
    url, response = _open(client, endpoint, rule, method, objects)
    assert response.status_code == row.status, (method, url, page_text(response)[:800])
    if row.location is not None:
        expected = _url(row.location, row, objects)
        assert urlsplit(response.headers["Location"]).path == expected


# --------------------------------------------------------------------------- refused


@pytest.mark.parametrize("endpoint,rule,method", CASES)
def test_every_function_but_the_route_s_is_refused(
    client, login_as, make_user, inquiry_world, objects, endpoint, rule, method
):
    needs = set(EXPECTED[endpoint, method].needs.split())
    login_as(make_user(inquiry_world.cpas_a, functions=sorted(ALL_FUNCTION_CODES - needs)))
    url, response = _open(client, endpoint, rule, method, objects)
    assert response.status_code == 403, (method, url, response.status_code)


@pytest.fixture
def distributor(make_org, make_user):
    org = make_org(OrganisationKind.DISTRIBUTOR, name="Distributeur X")
    return make_user(org, all_access=True, email="agent@dist.be")


@pytest.mark.parametrize("endpoint,rule,method", CASES)
def test_distributor_with_every_function_is_refused(
    client, login_as, distributor, endpoint, rule, method
):
    login_as(distributor)
    url, response = _open(client, endpoint, rule, method, ANY_IDS)
    assert response.status_code == 403, (method, url, response.status_code)


@pytest.mark.parametrize("endpoint,rule,method", CASES)
def test_anonymous_is_sent_to_the_login_page(app, client, endpoint, rule, method):
    url, response = _open(client, endpoint, rule, method, ANY_IDS)
    assert response.status_code == 302, (method, url, response.status_code)
    assert urlsplit(response.headers["Location"]).path == "/connexion"


# --------------------------------------------------------------------------- isolation


def _refusals(app, mark: int) -> list[tuple[str | None, str | None]]:
    """The cross-organisation refusals logged since ``mark``: (object type, id)."""
    return [(e.object_type, e.object_id) for e in entries_since(app, mark, CROSS_ORG)]


def _inquiry_state(app) -> dict[str, Any]:
    """Every inquiry row and every member's version (to see that nothing changed)."""
    from cpas.inquiry.models import Expense, FormA, FormAMember, MemberInquiry, Resource

    with app.app_context():
        state: dict[str, Any] = {}
        for model in (MemberInquiry, Resource, Expense, FormA, FormAMember, HouseholdMember):
            state[model.__name__] = sorted(
                (r.id, r.version) for r in db.session.scalars(db.select(model))
            )
        return state


@pytest.mark.parametrize("endpoint,rule,method", CASES)
def test_another_cpas_gets_404_on_every_dossier(
    app, client, login_as, inquiry_world, objects, endpoint, rule, method
):
    """CPAS B's director (every function) on CPAS A's ids, with the data that works for A:
    a 404, the refusal logged as a security event on the dossier, and nothing changed."""
    login_as(inquiry_world.director_b)
    before = _inquiry_state(app)
    mark = last_entry_id(app)
    url, response = _open(client, endpoint, rule, method, objects)
    assert response.status_code == 404, (method, url, response.status_code)
    assert _refusals(app, mark) == [("Dossier", str(objects["dossier_id"]))]
    assert [e.action for e in entries_since(app, mark) if e.action != CROSS_ORG] == []
    assert _inquiry_state(app) == before


@pytest.mark.parametrize("endpoint,rule,method", CASES)
def test_another_cpas_s_request_through_its_own_dossier_is_404(
    app, client, login_as, inquiry_world, objects, endpoint, rule, method
):
    """CPAS B's own dossier id with CPAS A's request id: not found, logged on the request."""
    login_as(inquiry_world.director_b)
    b = objects["b"]
    mark = last_entry_id(app)
    url, response = _open(
        client,
        endpoint,
        rule,
        method,
        objects,
        dossier_id=b["dossier_id"],
        member_id=b["member_id"],
    )
    assert response.status_code == 404, (method, url, response.status_code)
    assert _refusals(app, mark) == [("AidRequest", str(objects["request_id"]))]


@pytest.mark.parametrize("endpoint,rule,method", MEMBER_CASES)
def test_another_cpas_s_member_through_its_own_request_is_404(
    app, client, login_as, inquiry_world, objects, endpoint, rule, method
):
    """CPAS B's own dossier and request with a member of CPAS A: logged on the member."""
    login_as(inquiry_world.director_b)
    b = objects["b"]
    row = EXPECTED[endpoint, method]
    mark = last_entry_id(app)
    url, response = _open(
        client,
        endpoint,
        rule,
        method,
        objects,
        dossier_id=b["dossier_id"],
        request_id=b["request_id"],
        resource_id=b["resource_id"],
        expense_id=b["expense_id"],
    )
    assert response.status_code == 404, (method, url, response.status_code)
    assert _refusals(app, mark) == [("HouseholdMember", str(objects[row.member]))]


@pytest.mark.parametrize(
    "endpoint,rule,method,kind",
    [pytest.param(*c.values, "resource", id=c.id) for c in RESOURCE_CASES]
    + [pytest.param(*c.values, "expense", id=c.id) for c in EXPENSE_CASES],
)
def test_another_cpas_s_resource_or_expense_through_its_own_member_is_404(
    app, client, login_as, inquiry_world, objects, endpoint, rule, method, kind
):
    """CPAS B's own dossier, request and member with CPAS A's resource or expense id: a 404
    logged on that record, and nothing changed."""
    login_as(inquiry_world.director_b)
    b = objects["b"]
    before = _inquiry_state(app)
    mark = last_entry_id(app)
    url, response = _open(
        client,
        endpoint,
        rule,
        method,
        objects,
        dossier_id=b["dossier_id"],
        request_id=b["request_id"],
        member_id=b["member_id"],
    )
    assert response.status_code == 404, (method, url, response.status_code)
    record = "Resource" if kind == "resource" else "Expense"
    assert _refusals(app, mark) == [(record, str(objects[f"{kind}_id"]))]
    assert _inquiry_state(app) == before


@pytest.mark.parametrize("endpoint,rule,method", MEMBER_CASES)
def test_a_member_of_another_dossier_of_the_same_cpas_is_404(
    app, client, login_as, inquiry_world, objects, endpoint, rule, method
):
    """CPAS A's other dossier (Sofie's) and its request with a member of Marie's dossier: a
    plain 404 (our own CPAS's record: no security event), and nothing changed."""
    login_as(inquiry_world.director_a)
    before = _inquiry_state(app)
    mark = last_entry_id(app)
    url, response = _open(client, endpoint, rule, method, objects, **objects["other"])
    assert response.status_code == 404, (method, url, response.status_code)
    assert _refusals(app, mark) == []
    assert _inquiry_state(app) == before


@pytest.mark.parametrize("endpoint,rule,method", CASES)
def test_a_request_of_another_dossier_of_the_same_cpas_is_404(
    app, client, login_as, inquiry_world, objects, endpoint, rule, method
):
    """CPAS A's other dossier with a request of Marie's dossier: a plain 404."""
    login_as(inquiry_world.director_a)
    before = _inquiry_state(app)
    mark = last_entry_id(app)
    url, response = _open(
        client, endpoint, rule, method, objects, dossier_id=objects["other"]["dossier_id"]
    )
    assert response.status_code == 404, (method, url, response.status_code)
    assert _refusals(app, mark) == []
    assert _inquiry_state(app) == before
