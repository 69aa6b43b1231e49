"""Every record loaded by an id in the URL goes through the one scoping helper.

A sweep over ``app.url_map``: a rule with an argument named ``id`` or ``*_id`` must hand
that argument to ``cpas.scoping.get_scoped_or_404`` or to a domain loader marked
``@scoped_loader`` (``scoping.LOADERS``), in the view function itself or in a module-level
helper of the same module that the view calls with it. Each loader must itself call
``get_scoped_or_404`` or another loader. Then, at run time: another organisation's record
is a 404 with one security event, a ``same=`` mismatch a plain 404.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from types import FunctionType
from typing import Any

import pytest
from sqlalchemy import select

from cpas.access.models import Profile, User
from cpas.audit import CROSS_ORG, AuditEntry
from cpas.extensions import db
from cpas.scoping import LOADERS, get_scoped_or_404, scoped_loader

SCOPER = "get_scoped_or_404"

#: Rules whose id argument is not a record of the database, reviewed one by one:
#: ``(endpoint, argument) -> why``. Keep it short; a record id never belongs here.
NOT_RECORDS: dict[tuple[str, str], str] = {}


def _id_arguments(rule: Any) -> list[str]:
    return sorted(a for a in rule.arguments if a == "id" or a.endswith("_id"))


def _tree(fn: Callable[..., Any]) -> ast.AST:
    return ast.parse(textwrap.dedent(inspect.getsource(fn)))


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _names_in(call: ast.Call) -> set[str]:
    """The plain names passed to a call, at any depth (``f(x)``, ``f(id=int(x))``)."""
    names: set[str] = set()
    for arg in [*call.args, *(k.value for k in call.keywords)]:
        names |= {n.id for n in ast.walk(arg) if isinstance(n, ast.Name)}
    return names


def _calls(fn: Callable[..., Any]) -> list[ast.Call]:
    return [node for node in ast.walk(_tree(fn)) if isinstance(node, ast.Call)]


def _is_loader(name: str | None) -> bool:
    return name == SCOPER or name in LOADERS


def _module_helper(view: FunctionType, name: str | None) -> FunctionType | None:
    """A module-level function of the view's own module, called by ``name``."""
    if name is None:
        return None
    helper = view.__globals__.get(name)
    if isinstance(helper, FunctionType) and helper.__module__ == view.__module__:
        return helper
    return None


def _loads(view: FunctionType, argument: str) -> bool:
    """Does ``view`` pass ``argument`` to a loader, itself or through one local helper?"""
    for call in _calls(view):
        if argument not in _names_in(call):
            continue
        name = _callee(call)
        if _is_loader(name):
            return True
        helper = _module_helper(view, name)
        if helper is not None and any(_is_loader(_callee(c)) for c in _calls(helper)):
            return True
    return False


def _offenders(app: Any) -> list[str]:
    out = []
    for rule in app.url_map.iter_rules():
        view = inspect.unwrap(app.view_functions[rule.endpoint])
        for argument in _id_arguments(rule):
            if (rule.endpoint, argument) in NOT_RECORDS:
                continue
            if not isinstance(view, FunctionType) or not _loads(view, argument):
                out.append(f"{rule.endpoint} ({rule.rule}): {argument}")
    return sorted(set(out))


def test_every_route_with_an_id_loads_it_through_the_scoping_helper(app):
    offenders = _offenders(app)
    assert offenders == [], "ids not loaded through get_scoped_or_404 or a @scoped_loader:\n" + (
        "\n".join(offenders)
    )


def test_the_sweep_sees_routes_with_ids(app):
    """The sweep is not vacuous: the app has many routes taking record ids."""
    with_ids = [r for r in app.url_map.iter_rules() if _id_arguments(r)]
    assert len(with_ids) > 20


def _lazy_loaders() -> list[str]:
    """The @scoped_loader functions that call neither the helper nor another loader."""
    return [
        name
        for name, fn in LOADERS.items()
        if not any(_is_loader(_callee(c)) and _callee(c) != name for c in _calls(fn))
    ]


def test_every_scoped_loader_loads_through_the_helper(app):
    assert len(LOADERS) >= 5, "the domain loaders are not registered"
    assert _lazy_loaders() == [], "@scoped_loader functions that call no loader"


def test_the_allowlist_names_existing_rules_with_a_reason(app):
    rules = {(r.endpoint, a) for r in app.url_map.iter_rules() for a in _id_arguments(r)}
    for key, why in NOT_RECORDS.items():
        assert key in rules, f"stale allowlist entry {key}"
        assert len(why) > 20, f"say why {key} is not a record"


# --------------------------------------------------------------------------- the sweep fails


def _bare_query(thing_id):
    return db.session.get(User, thing_id)


def _helper_that_scopes(thing_id):
    return get_scoped_or_404(User, thing_id)


def _bare_view(thing_id):
    return str(db.session.get(User, thing_id).id)


def _view_with_bare_helper(thing_id):
    return str(_bare_query(thing_id).id)


def _view_loading_another_value(thing_id):
    return str(get_scoped_or_404(User, 1).id + thing_id)


def _view_scoping(thing_id):
    return str(get_scoped_or_404(User, thing_id).id)


def _view_through_helper(thing_id):
    return str(_helper_that_scopes(thing_id).id)


@pytest.mark.parametrize(
    "view, scoped",
    [
        (_bare_view, False),
        (_view_with_bare_helper, False),
        (_view_loading_another_value, False),
        (_view_scoping, True),
        (_view_through_helper, True),
    ],
)
def test_the_sweep_tells_scoped_views_from_the_others(view, scoped):
    assert _loads(view, "thing_id") is scoped


def test_the_sweep_reports_a_registered_route_that_does_not_scope(app):
    from cpas.access.function_types import EVERY_KIND
    from cpas.domains import DomainBlueprint
    from cpas.security import signed_in

    bp = DomainBlueprint("probe_scoping", __name__, kinds=EVERY_KIND)
    bp.add_url_rule("/essai/sonde/<int:thing_id>", "bare", signed_in(_bare_view))
    bp.add_url_rule("/essai/scope/<int:thing_id>", "scoped", signed_in(_view_scoping))
    app.register_blueprint(bp)
    found = [o for o in _offenders(app) if o.startswith("probe_scoping.")]
    assert found == ["probe_scoping.bare (/essai/sonde/<int:thing_id>): thing_id"]


def test_a_loader_that_does_not_scope_is_found(monkeypatch):
    def get_thing_or_404(thing_id):
        return db.session.get(User, thing_id)

    monkeypatch.setitem(LOADERS, "get_thing_or_404", get_thing_or_404)
    assert "get_thing_or_404" in _lazy_loaders()


# --------------------------------------------------------------------------- at run time


@pytest.fixture
def scoped_routes(app):
    """Routes loading a user through the helper, with and without ``same=``."""
    from cpas.access.function_types import EVERY_KIND
    from cpas.domains import DomainBlueprint
    from cpas.security import signed_in

    bp = DomainBlueprint("scoped_probe", __name__, kinds=EVERY_KIND)

    @bp.route("/essai/personnes/<int:user_id>")
    @signed_in
    def person(user_id):
        return get_scoped_or_404(User, user_id).email

    @bp.route("/essai/personnes/<int:user_id>/<name>")
    @signed_in
    def named(user_id, name):
        return get_scoped_or_404(User, user_id, same={"first_name": name}).email

    @bp.route("/essai/profils/<int:profile_id>")
    @signed_in
    def profile(profile_id):
        return get_scoped_or_404(Profile, profile_id).name_fr

    app.register_blueprint(bp)
    return bp


def _security_events(app) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == CROSS_ORG)))


def test_a_record_of_another_organisation_is_a_404_and_one_security_event(
    app, client, login_as, make_org, make_user, scoped_routes
):
    mine, theirs = make_org(), make_org()
    me = make_user(mine)
    foreign = make_user(theirs)
    login_as(me)
    before = len(_security_events(app))
    response = client.get(f"/essai/personnes/{foreign.id}")
    assert response.status_code == 404
    assert foreign.email not in response.get_data(as_text=True)
    events = _security_events(app)
    assert len(events) == before + 1
    entry = events[-1]
    assert (entry.user_id, entry.organisation_id) == (me.id, mine.id)
    assert (entry.object_type, entry.object_id, entry.outcome) == (
        "User",
        str(foreign.id),
        "denied",
    )


def test_a_visible_record_is_shown_and_logs_no_security_event(
    app, client, login_as, make_org, make_user, scoped_routes
):
    org = make_org()
    me, colleague = make_user(org), make_user(org)
    login_as(me)
    response = client.get(f"/essai/personnes/{colleague.id}")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == colleague.email
    assert _security_events(app) == []


def test_a_missing_record_is_a_plain_404(app, client, login_as, make_user, scoped_routes):
    login_as(make_user())
    assert client.get("/essai/personnes/999999").status_code == 404
    assert _security_events(app) == []


def test_a_same_mismatch_is_a_plain_404_without_security_event(
    app, client, login_as, make_org, make_user, scoped_routes
):
    org = make_org()
    me = make_user(org)
    colleague = make_user(org, first_name="Autre")
    login_as(me)
    assert client.get(f"/essai/personnes/{colleague.id}/Autre").status_code == 200
    assert client.get(f"/essai/personnes/{colleague.id}/Prénom").status_code == 404
    assert _security_events(app) == []


def test_a_model_rule_decides_who_sees_a_record(
    app, client, login_as, make_org, make_user, make_profile, scoped_routes, monkeypatch
):
    """``visible_to`` replaces the organisation rule (a water request: both of its sides)."""
    org, other = make_org(), make_org()
    login_as(make_user(org))
    profile = make_profile(other, name_fr="Profil d'ailleurs")
    assert client.get(f"/essai/profils/{profile.id}").status_code == 404
    monkeypatch.setattr(Profile, "visible_to", lambda self, user: True, raising=False)
    assert client.get(f"/essai/profils/{profile.id}").status_code == 200


def test_scoped_loader_registers_the_function_unchanged(monkeypatch):
    monkeypatch.setattr("cpas.scoping.LOADERS", dict(LOADERS))
    from cpas import scoping

    def get_probe_or_404(probe_id):
        return get_scoped_or_404(User, probe_id)

    assert scoped_loader(get_probe_or_404) is get_probe_or_404
    assert scoping.LOADERS["get_probe_or_404"] is get_probe_or_404
