"""What every request pays for, made cheap without changing what it decides: the user and
their function codes in one query, the « last seen » mark rewritten at most every 30 s,
capped counts for huge lists, and link builders for table rows."""

from __future__ import annotations

import pytest
from flask import url_for
from sqlalchemy import event, select

from cpas.access.functions import ALL_FUNCTION_CODES
from cpas.access.models import Profile, User
from cpas.extensions import db
from cpas.pagination import paginate
from cpas.security import SEEN_RESOLUTION_SECONDS
from cpas.timeutil import utcnow
from cpas.urls import id_url


def test_function_codes_are_the_union_of_the_users_own_profiles(
    app, make_org, make_user, make_profile
):
    org = make_org()
    extra = make_profile(org, ["water.fse.view", "access.users"])
    both = make_user(org, functions=["access.profiles", "access.users"])
    other = make_user(org, functions=["redi.view"])
    nothing = make_user(org)
    admin = make_user(org, all_access=True)
    with app.app_context():
        user = db.session.get(User, both.id)
        user.profiles.append(db.session.get(Profile, extra.id))
        db.session.commit()
        db.session.remove()
        loaded = {u.id: User.load_with_function_codes(u.id) for u in (both, other, nothing, admin)}
        assert loaded[both.id].function_codes == {
            "access.profiles",
            "access.users",
            "water.fse.view",
        }
        assert loaded[other.id].function_codes == {"redi.view"}
        assert loaded[nothing.id].function_codes == frozenset()
        assert loaded[admin.id].function_codes == ALL_FUNCTION_CODES
        # The same answer as the profiles themselves give, one by one.
        for user in loaded.values():
            db.session.expire(user, ["profiles"])
            codes: set[str] = set()
            for profile in user.profiles:
                codes |= profile.function_codes
            assert user.function_codes == frozenset(codes)
        assert User.load_with_function_codes(999_999) is None
        # A user loaded otherwise (no codes yet, profiles not loaded) asks for them alone.
        db.session.remove()
        plain = {u.id: db.session.get(User, u.id) for u in (both, other, nothing, admin)}
        for user_id, user in plain.items():
            assert "profiles" not in user.__dict__
            assert user.function_codes == loaded[user_id].function_codes


def test_signed_in_user_costs_one_query(app, client, make_user, login_as):
    login_as(make_user(functions=["access.users"]))
    client.get("/")  # warm up
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get("/acces/utilisateurs").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    touching_users = [s for s in statements if "FROM user_account" in s and "user_profile" in s]
    assert len(touching_users) == 1, touching_users
    assert not [s for s in statements if s.lstrip().startswith("SELECT profile.")]


def test_removed_function_is_refused_on_the_next_request(
    app, client, make_org, make_user, login_as
):
    user = make_user(functions=["access.users"])
    login_as(user)
    assert client.get("/acces/utilisateurs").status_code == 200
    with app.app_context():
        db.session.get(User, user.id).profiles = []
        db.session.commit()
    assert client.get("/acces/utilisateurs").status_code == 403


@pytest.mark.parametrize(
    ("age", "rewritten"),
    [(5, False), (SEEN_RESOLUTION_SECONDS + 10, True)],
)
def test_last_seen_mark_is_refreshed_at_most_every_30_seconds(
    client, make_user, login_as, age, rewritten
):
    login_as(make_user(functions=["access.users"]))
    client.get("/acces/utilisateurs")  # the first page stores the CSRF token in the session
    before = utcnow().timestamp() - age
    with client.session_transaction() as session:
        session["seen"] = before
    response = client.get("/acces/utilisateurs")
    assert response.status_code == 200
    assert ("Set-Cookie" in response.headers) == rewritten
    with client.session_transaction() as session:
        assert (session["seen"] > before) == rewritten


def test_capped_count_pages_on_while_rows_remain(app, make_org, make_user):
    org = make_org()
    for n in range(7):
        make_user(org, last_name=f"Capé{n}")
    with app.app_context():
        query = select(User).where(User.organisation_id == org.id).order_by(User.last_name)
        exact = paginate(query, 1, 3)
        assert (exact.total, exact.pages, exact.capped) == (7, 3, False)
        first = paginate(query, 1, 3, count_limit=5)
        assert (first.total, first.capped, first.more, first.has_next) == (5, True, True, True)
        assert [u.last_name for u in first.items] == ["Capé0", "Capé1", "Capé2"]
        last = paginate(query, 3, 3, count_limit=5)
        assert [u.last_name for u in last.items] == ["Capé6"]
        assert (last.has_next, last.has_prev, last.pages) == (False, True, 3)
        under = paginate(query, 9, 3, count_limit=7)
        assert (under.capped, under.total, under.page) == (False, 7, 3)


def test_id_url_builds_what_url_for_builds(app):
    with app.test_request_context("/"):
        for endpoint in ("water_fund.fse_detail", "water_fund.fat_edit"):
            build = id_url(endpoint, "request_id")
            for request_id in (1, 42, 10_000_000):
                assert build(request_id) == url_for(endpoint, request_id=request_id)
        with pytest.raises(ValueError):
            build("1/../../x")


def test_derived_page_statements_live_only_as_long_as_their_list_statement():
    import gc

    from sqlalchemy import column, table

    from cpas.pagination import _DERIVED, _derived

    rows = table("t", column("a"), column("b"))
    kept = select(rows).order_by(rows.c.b)
    assert _derived(kept) is _derived(kept)  # built once per statement
    before = len(_DERIVED)
    for n in range(50):
        _derived(select(rows).where(rows.c.a == n))
    gc.collect()
    assert len(_DERIVED) == before and kept in _DERIVED
