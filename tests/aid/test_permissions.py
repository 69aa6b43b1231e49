"""Permission matrix of the aid blueprint (issue 14's contract, written literally).

The routes come from the app's URL map (every ``aid.*`` endpoint and method); what each
needs and what an allowed user gets are written below from the contract's table (the
function tree of seed 002): a route added without a row, or a rule that drifts from its
row, fails ``test_every_route_has_its_row``. A user holding exactly the route's function
(and what it requires) gets the real answer for a record of their own CPAS, never a 404;
every other function set is refused (403); a distributor holding every function and an
anonymous visitor are refused; another CPAS gets a 404 (and a security event) for every
dossier and request id, and a request of another dossier of the same CPAS is a 404 too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import pytest

from cpas.access.functions import ALL_FUNCTION_CODES, complete_dependencies
from cpas.access.models import OrganisationKind, User
from cpas.aid.lifecycle import AID
from cpas.aid.models import AidRequest
from cpas.audit import CROSS_ORG
from cpas.extensions import db
from tests.audit_helpers import entries_since, last_entry_id
from tests.helpers import page_text
from tests.route_matrix import collect_routes, declared_rule, routes_of

PREFIXES = ("aid.",)
ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
ID_ARGUMENTS = ("dossier_id", "request_id")

Data = Callable[[dict[str, Any]], dict[str, Any] | None]


class Row(NamedTuple):
    """What a route needs, and what a user holding exactly that gets (with ``data``)."""

    needs: str
    status: int
    data: Data = lambda o: None  # noqa: E731
    #: the path the redirect leads to (``{name}`` filled from the objects)
    location: str | None = None
    #: which request the route is tried on (a key of the objects)
    request: str = "request_id"
    #: the query string of a GET (the parts of a preview)
    query: str = ""
    #: the function the workflow checks after the route's own (aid.step)
    grants: str = ""
    #: the ``<action>`` segment of aid.step
    action: str = ""
    #: the answer's content type when it is not a page
    mimetype: str | None = None


def _version(o: dict[str, Any]) -> dict[str, Any]:
    return {"version": o["request_version"]}


def _new(o: dict[str, Any]) -> dict[str, Any]:
    return {
        "request_date": "15/01/2026",
        "effective_date": "15/01/2026",
        "kind": "demande",
        "nature": "Mazout pour l'hiver",
    }


def _modify(o: dict[str, Any]) -> dict[str, Any]:
    return {
        **_version(o),
        "kind": "office",
        "effective_date": "01/01/2026",
        "nature": "Mazout pour l'hiver (complété)",
    }


def _report(o: dict[str, Any]) -> dict[str, Any]:
    return {**_version(o), "report": "Rapport social de la visite à domicile."}


def _proposal(o: dict[str, Any]) -> dict[str, Any]:
    return {
        **_version(o),
        "proposal": "Aide de 500 €.",
        "meeting_date": date.today().strftime("%d/%m/%Y"),
    }


def _submit(o: dict[str, Any]) -> dict[str, Any]:
    return {**_version(o), "confirmed": "1"}


REQUEST = "/dossiers/{dossier_id}/demandes/{request_id}"

# fmt: off
EXPECTED: dict[tuple[str, str], Row] = {
    # --- helper A: the history, « Nouvelle demande », the moves
    ("aid.history", "GET"): Row("aid.list", 200),
    ("aid.new", "GET"): Row("aid.create", 200),
    ("aid.new", "POST"): Row("aid.create", 302, _new, "/dossiers/{dossier_id}/demandes/{new}"),
    ("aid.archive", "POST"): Row("aid.edit", 302, _version, "/dossiers/{dossier_id}"),
    ("aid.unarchive", "POST"): Row(
        "aid.edit", 302, lambda o: {"version": o["archived_version"]},
        "/dossiers/{dossier_id}/demandes", request="archived_id"),
    ("aid.archive_closed", "POST"): Row("aid.edit", 302, location="/dossiers/{dossier_id}"),
    # --- helper B: the request page, modify, rapport, proposition, steps, integration
    ("aid.request", "GET"): Row("aid.list", 200),
    ("aid.modify", "GET"): Row("aid.edit", 200),
    ("aid.modify", "POST"): Row("aid.edit", 302, _modify, REQUEST),
    ("aid.report", "GET"): Row("aid.list", 200),
    ("aid.report_save", "POST"): Row("aid.edit", 302, _report, REQUEST),
    ("aid.proposal", "GET"): Row("aid.list", 200),
    ("aid.proposal_save", "POST"): Row("aid.edit", 302, _proposal, REQUEST),
    ("aid.step", "POST"): Row(
        "aid.list", 302, _submit, REQUEST, grants="aid.submit", action="soumettre"),
    ("aid.retry_integration", "POST"): Row("aid.create", 302, _version, REQUEST),
    # --- helper C: printing
    ("aid.print", "GET"): Row("aid.print", 200),
    ("aid.print_preview", "GET"): Row(
        "aid.print", 200, query="?partie=demande&partie=rapport"),
    ("aid.print_pdf", "POST"): Row(
        "aid.print", 200, lambda o: {"partie": ["demande", "proposition"]},
        mimetype="application/pdf"),
}
# fmt: on


ROUTES = collect_routes(PREFIXES)
CASES = [
    pytest.param(endpoint, rule, method, id=f"{method} {endpoint}")
    for endpoint, rule, method in ROUTES
    if (endpoint, method) in EXPECTED  # a route without a row fails the test below
]
REQUEST_CASES = [c for c in CASES if "<int:request_id>" in c.values[1]]


@pytest.fixture
def objects(app, aid_world, make_request):
    """CPAS A's objects in Marie's dossier: an open request with its proposition saved and
    its integration refused by the BCSS (so the retry has work), an archived request, a
    closed one; their versions as the forms carry them."""
    social = aid_world.social_a
    dossier = aid_world.dossier_a
    closed = make_request(dossier, social, status="cloturee")
    archived = make_request(dossier, social, archived=True)
    current = make_request(dossier, social)
    with app.app_context():
        req = db.session.get(AidRequest, current.id)
        by = db.session.get(User, social.id)
        assert req is not None and by is not None
        AID.fire(
            req,
            "proposal",
            by,
            req.version,
            {"proposal": "Aide.", "meeting_date": req.request_date},
        )
        req.integration_ok = False
        req.integration_message = "Service BCSS indisponible"
        db.session.commit()
        version = req.version
        archived_version = db.session.get(AidRequest, archived.id).version
    return {
        "dossier_id": dossier.id,
        "request_id": current.id,
        "request_version": str(version),
        "archived_id": archived.id,
        "archived_version": str(archived_version),
        "closed_id": closed.id,
    }


def _open(client, endpoint: str, rule: str, method: str, objects: dict[str, Any]):
    row = EXPECTED[endpoint, method]
    values = {**objects, "request_id": objects[row.request], "action": row.action}
    url = ARGUMENT.sub(lambda m: str(values[m.group(1)]), rule) + row.query
    return url, client.open(url, method=method, data=row.data(objects))


#: Ids for the tests refused before any object is loaded (kinds, sign-in).
ANY_IDS: dict[str, Any] = {
    "dossier_id": 1,
    "request_id": 1,
    "archived_id": 1,
    "closed_id": 1,
    "request_version": "1",
    "archived_version": "1",
}


def _granted(row: Row) -> list[str]:
    granted, _added = complete_dependencies(set(f"{row.needs} {row.grants}".split()))
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


#: The URLs of the contract (the rule each endpoint answers).
RULES: dict[str, str] = {
    "aid.history": "/dossiers/<int:dossier_id>/demandes",
    "aid.new": "/dossiers/<int:dossier_id>/demandes/nouvelle",
    "aid.archive": "/dossiers/<int:dossier_id>/demandes/<int:request_id>/archiver",
    "aid.unarchive": "/dossiers/<int:dossier_id>/demandes/<int:request_id>/replacer",
    "aid.archive_closed": "/dossiers/<int:dossier_id>/demandes/archiver-cloturees",
    "aid.request": "/dossiers/<int:dossier_id>/demandes/<int:request_id>",
    "aid.modify": "/dossiers/<int:dossier_id>/demandes/<int:request_id>/modifier",
    "aid.report": "/dossiers/<int:dossier_id>/demandes/<int:request_id>/rapport",
    "aid.report_save": "/dossiers/<int:dossier_id>/demandes/<int:request_id>/rapport",
    "aid.proposal": "/dossiers/<int:dossier_id>/demandes/<int:request_id>/proposition",
    "aid.proposal_save": "/dossiers/<int:dossier_id>/demandes/<int:request_id>/proposition",
    "aid.step": "/dossiers/<int:dossier_id>/demandes/<int:request_id>/etape/<action>",
    "aid.retry_integration": "/dossiers/<int:dossier_id>/demandes/<int:request_id>/integration",
    "aid.print": "/dossiers/<int:dossier_id>/demandes/<int:request_id>/impression",
    "aid.print_preview": "/dossiers/<int:dossier_id>/demandes/<int:request_id>/impression/apercu",
    "aid.print_pdf": "/dossiers/<int:dossier_id>/demandes/<int:request_id>/impression/pdf",
}


def test_every_route_has_the_contract_s_url():
    assert {endpoint: rule for endpoint, rule, _method in ROUTES} == RULES


# --------------------------------------------------------------------------- allowed


@pytest.mark.parametrize("endpoint,rule,method", CASES)
def test_exactly_the_route_s_function_gives_the_real_answer(
    app, client, login_as, make_user, aid_world, objects, endpoint, rule, method
):
    row = EXPECTED[endpoint, method]
    login_as(make_user(aid_world.cpas_a, functions=_granted(row)))
    url, response = _open(client, endpoint, rule, method, objects)
    assert response.status_code == row.status, (method, url, page_text(response)[:600])
    if row.mimetype is not None:
        assert response.mimetype == row.mimetype
    if row.location is not None:
        with app.app_context():
            newest = max(
                db.session.scalars(
                    db.select(AidRequest.id).where(AidRequest.dossier_id == objects["dossier_id"])
                )
            )
        expected = row.location.format(**objects, new=newest)
        assert urlsplit(response.headers["Location"]).path == expected


def test_a_step_needs_the_step_s_own_function_too(
    app, client, login_as, make_user, aid_world, objects
):
    """« Listing des demandes d'aide » opens the route; the workflow then refuses the
    submission to whoever lacks « Soumission au conseil », and nothing changes."""
    login_as(make_user(aid_world.cpas_a, functions=_granted(Row("aid.list aid.edit", 0))))
    url = f"/dossiers/{objects['dossier_id']}/demandes/{objects['request_id']}/etape/soumettre"
    response = client.post(url, data={"version": objects["request_version"], "confirmed": "1"})
    assert response.status_code in (403, 422), response.status_code
    with app.app_context():
        req = db.session.get(AidRequest, objects["request_id"])
        assert req is not None and req.status == "en_cours"
        assert str(req.version) == objects["request_version"]


def test_an_unknown_step_is_not_found(client, login_as, aid_world, objects):
    login_as(aid_world.director_a)
    url = f"/dossiers/{objects['dossier_id']}/demandes/{objects['request_id']}/etape/inconnue"
    response = client.post(url, data={"version": objects["request_version"], "confirmed": "1"})
    assert response.status_code == 404


# --------------------------------------------------------------------------- refused


@pytest.mark.parametrize("endpoint,rule,method", CASES)
def test_every_function_but_the_route_s_is_refused(
    client, login_as, make_user, aid_world, objects, endpoint, rule, method
):
    needs = set(EXPECTED[endpoint, method].needs.split())
    login_as(make_user(aid_world.cpas_a, functions=sorted(ALL_FUNCTION_CODES - needs)))
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


@pytest.mark.parametrize("endpoint,rule,method", CASES)
def test_another_cpas_gets_404_on_every_dossier(
    app, client, login_as, aid_world, objects, endpoint, rule, method
):
    """CPAS B's director (every function) on CPAS A's ids, with the data that works for A:
    a 404, the refusal logged as a security event on the dossier, and nothing changed."""
    login_as(aid_world.director_b)
    mark = last_entry_id(app)
    url, response = _open(client, endpoint, rule, method, objects)
    assert response.status_code == 404, (method, url, response.status_code)
    assert _refusals(app, mark) == [("Dossier", str(objects["dossier_id"]))]
    assert [e.action for e in entries_since(app, mark) if e.action != CROSS_ORG] == []


@pytest.mark.parametrize("endpoint,rule,method", REQUEST_CASES)
def test_another_cpas_s_request_through_its_own_dossier_is_404(
    app, client, login_as, aid_world, objects, endpoint, rule, method
):
    """CPAS B's own dossier id with CPAS A's request id: not found, logged on the request."""
    login_as(aid_world.director_b)
    own = {**objects, "dossier_id": aid_world.dossier_b.id}
    mark = last_entry_id(app)
    url, response = _open(client, endpoint, rule, method, own)
    assert response.status_code == 404, (method, url, response.status_code)
    request_key = EXPECTED[endpoint, method].request
    assert _refusals(app, mark) == [("AidRequest", str(objects[request_key]))]


@pytest.mark.parametrize("endpoint,rule,method", REQUEST_CASES)
def test_a_request_of_another_dossier_of_the_same_cpas_is_404(
    app, client, login_as, aid_world, objects, endpoint, rule, method
):
    """CPAS A's other dossier (MARTIN Ahmed) with a request of Marie's dossier: a plain
    404 (our own CPAS's record: no security event), and the request is unchanged."""
    login_as(aid_world.director_a)
    other = {**objects, "dossier_id": aid_world.dossier_a2.id}
    with app.app_context():
        before = {
            r.id: (r.status, r.version, r.archived)
            for r in db.session.scalars(db.select(AidRequest))
        }
    mark = last_entry_id(app)
    url, response = _open(client, endpoint, rule, method, other)
    assert response.status_code == 404, (method, url, response.status_code)
    assert _refusals(app, mark) == []
    with app.app_context():
        after = {
            r.id: (r.status, r.version, r.archived)
            for r in db.session.scalars(db.select(AidRequest))
        }
    assert after == before


# --------------------------------------------------------------------------- each step's function

# fmt: off
#: URL segment → (the step's own function, the status it is taken from). Seed 002's
#: functions; the Council's two (decision, form) are declared now for the whole table.
STEP_FUNCTIONS: dict[str, tuple[str, str]] = {
    "soumettre": ("aid.submit", "en_cours"),
    "completer": ("aid.complete", "soumise"),
    "decision": ("aid.decide", "soumise"),
    "formulaire": ("aid.send_form", "decision"),
    "dupliquer": ("aid.duplicate", "en_cours"),
    "cloturer": ("aid.close", "decision"),
    "reviser": ("aid.revise", "cloturee"),
}
# fmt: on


@pytest.fixture
def at_status(app, aid_world, make_request):
    def _at(status: str) -> tuple[int, str]:
        made = make_request(aid_world.dossier_a, aid_world.social_a, status=status)
        with app.app_context():
            req = db.session.get(AidRequest, made.id)
            assert req is not None
            if status == "en_cours":  # the submission needs a saved proposition
                by = db.session.get(User, aid_world.social_a.id)
                AID.fire(
                    req,
                    "proposal",
                    by,
                    req.version,
                    {"proposal": "Aide.", "meeting_date": req.request_date},
                )
            return req.id, str(req.version)

    return _at


@pytest.mark.parametrize("segment", sorted(STEP_FUNCTIONS))
def test_a_step_with_listing_and_its_own_function_is_taken(
    app, client, login_as, make_user, aid_world, at_status, segment
):
    function, status = STEP_FUNCTIONS[segment]
    request_id, version = at_status(status)
    login_as(make_user(aid_world.cpas_a, functions=_granted(Row("aid.list", 0, grants=function))))
    response = client.post(
        f"/dossiers/{aid_world.dossier_a.id}/demandes/{request_id}/etape/{segment}",
        data={"version": version, "confirmed": "1"},
    )
    assert response.status_code == 302, page_text(response)[:400]
    with app.app_context():
        req = db.session.get(AidRequest, request_id)
        assert req is not None and str(req.version) != version


@pytest.mark.parametrize("segment", sorted(STEP_FUNCTIONS))
def test_a_step_without_its_own_function_is_refused_and_changes_nothing(
    app, client, login_as, make_user, aid_world, at_status, segment
):
    """Every function but the step's: the route opens (« Listing »), the workflow refuses."""
    function, status = STEP_FUNCTIONS[segment]
    request_id, version = at_status(status)
    login_as(make_user(aid_world.cpas_a, functions=sorted(ALL_FUNCTION_CODES - {function})))
    mark = last_entry_id(app)
    response = client.post(
        f"/dossiers/{aid_world.dossier_a.id}/demandes/{request_id}/etape/{segment}",
        data={"version": version, "confirmed": "1"},
    )
    assert response.status_code in (403, 422), response.status_code
    with app.app_context():
        req = db.session.get(AidRequest, request_id)
        assert req is not None and (req.status, str(req.version)) == (status, version)
        count = db.session.scalar(
            db.select(db.func.count())
            .select_from(AidRequest)
            .where(AidRequest.dossier_id == aid_world.dossier_a.id)
        )
        assert count == 1  # no copy made
    # the page drawn again is a consultation (« aid.view »), never a write
    written = [e.action for e in entries_since(app, mark) if e.action.startswith("aid.")]
    assert set(written) <= {"aid.view"}, written
