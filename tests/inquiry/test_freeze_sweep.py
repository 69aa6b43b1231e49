"""The freeze on every inquiry route (issue 15 §8, seed 001 §15–16): once the request is
submitted to the Council, every POST route of the inquiry is refused — 409 or 422 with the
freeze message — and no row changes (the inquiry tables, the members' addresses, the
request's events and the audit compared before and after); every page is read-only (the
message, no form posting to the inquiry); after « Compléter l'enquête sociale » each POST
works again. The routes and their data are the permission matrix's (``EXPECTED``)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cpas.access.models import User
from cpas.aid.models import AidRequest, AidRequestEvent
from cpas.audit import AuditEntry
from cpas.dossiers.models import HouseholdMember
from cpas.extensions import db
from cpas.inquiry.models import Expense, FormA, FormAMember, MemberInquiry, Resource
from tests.helpers import page_text
from tests.inquiry.test_permissions import CASES, EXPECTED, _open, _url
from tests.inquiry.test_permissions import objects as objects  # noqa: F401  (the fixture)

FROZEN = "La demande a été soumise au Conseil : l'enquête sociale est figée."
POST_CASES = [c for c in CASES if c.values[2] == "POST"]
GET_CASES = [c for c in CASES if c.values[2] == "GET"]
TABLES = (MemberInquiry, Resource, Expense, FormA, FormAMember, HouseholdMember)


def _dump(app) -> dict[str, Any]:
    """Every row of the inquiry tables and of the household (every column), the events of
    every request and the audit of the inquiry."""
    with app.app_context():
        dump: dict[str, Any] = {}
        for model in TABLES:
            columns = [c.key for c in model.__table__.columns]
            dump[model.__name__] = sorted(
                tuple(getattr(row, name) for name in columns)
                for row in db.session.scalars(db.select(model))
            )
        dump["events"] = sorted(
            (e.request_id, e.kind) for e in db.session.scalars(db.select(AidRequestEvent))
        )
        dump["inquiry audit"] = sorted(
            e.id
            for e in db.session.scalars(
                db.select(AuditEntry).where(AuditEntry.action.like("inquiry.%"))
            )
            if e.action != "inquiry.view"
        )
        return dump


def _refresh_versions(app, objects: dict[str, Any]) -> dict[str, Any]:
    """The versions the forms would carry now."""
    with app.app_context():
        member = db.session.get(HouseholdMember, objects["member_id"])
        resource = db.session.get(Resource, objects["resource_id"])
        expense = db.session.get(Expense, objects["expense_id"])
        assert member is not None and resource is not None and expense is not None
        return {
            **objects,
            "member_version": str(member.version),
            "inquiry_version": str(resource.inquiry.version),
            "resource_version": str(resource.version),
            "expense_version": str(expense.version),
        }


@pytest.fixture
def submitted(app, inquiry_world, objects, submit):  # noqa: F811
    """The objects' request submitted to the Council (through the workflow)."""
    req = submit(inquiry_world.request, inquiry_world.social_a)
    assert req.status == "soumise"
    return _refresh_versions(app, objects)


@pytest.mark.parametrize("endpoint,rule,method", POST_CASES)
def test_every_post_is_refused_once_submitted_and_nothing_changes(
    app, client, login_as, inquiry_world, submitted, endpoint, rule, method
):
    """The director (every function) posts what works on an open request."""
    login_as(inquiry_world.director_a)
    before = _dump(app)
    url, response = _open(client, endpoint, rule, method, submitted)
    assert response.status_code in (409, 422), (url, response.status_code)
    assert FROZEN in page_text(response), (url, page_text(response)[:800])
    assert _dump(app) == before


@pytest.mark.parametrize("endpoint,rule,method", POST_CASES)
def test_a_tampered_htmx_post_is_refused_too(
    app, client, login_as, inquiry_world, submitted, endpoint, rule, method
):
    login_as(inquiry_world.director_a)
    before = _dump(app)
    row = EXPECTED[endpoint, method]
    url = _url(rule, row, submitted)
    response = client.post(url, data=row.data(submitted), headers={"HX-Request": "true"})
    assert response.status_code in (409, 422), (url, response.status_code)
    assert FROZEN in page_text(response)
    assert _dump(app) == before


def _post_urls(objects: dict[str, Any]) -> set[str]:
    return {_url(c.values[1], EXPECTED[c.values[0], "POST"], objects) for c in POST_CASES}


@pytest.mark.parametrize("endpoint,rule,method", GET_CASES)
def test_every_page_is_read_only_once_submitted(
    app, client, login_as, inquiry_world, submitted, endpoint, rule, method
):
    """The message, and no form posting to an inquiry route (the edit buttons are gone)."""
    login_as(inquiry_world.director_a)
    url, response = _open(client, endpoint, rule, method, submitted)
    assert response.status_code in (200, 422), (url, response.status_code)
    html = page_text(response)
    assert FROZEN in html, url
    actions = set(re.findall(r'<form[^>]*action="([^"]+)"', html))
    paths = {a.split("?", 1)[0] for a in actions}
    assert not paths & _post_urls(submitted), (url, paths & _post_urls(submitted))
    assert "?nouvelle=" not in html and "modifier=" not in html, url


@pytest.mark.parametrize("endpoint,rule,method", POST_CASES)
def test_after_completing_the_inquiry_each_post_works_again(
    app, client, login_as, inquiry_world, submitted, complete, endpoint, rule, method
):
    reopened = complete(inquiry_world.request, inquiry_world.social_a)
    assert reopened.status == "en_cours"
    objects = _refresh_versions(app, submitted)
    row = EXPECTED[endpoint, method]
    login_as(inquiry_world.director_a)
    url, response = _open(client, endpoint, rule, method, objects)
    assert response.status_code == row.status, (url, page_text(response)[:800])
    assert FROZEN not in page_text(response)


def test_the_services_refuse_a_frozen_request_without_any_screen(app, inquiry_world, submitted):
    """Called directly (a script, another screen), each part's write meets the freeze."""
    from decimal import Decimal

    from cpas.inquiry import expenses, form_a, information, resources
    from cpas.inquiry.services import InquiryRuleError

    before = _dump(app)
    with app.app_context():
        req = db.session.get(AidRequest, inquiry_world.request.id)
        by = db.session.get(User, inquiry_world.director_a.id)
        marie = db.session.get(HouseholdMember, submitted["member_id"])
        jean = db.session.get(HouseholdMember, submitted["partner_id"])
        resource = db.session.get(Resource, submitted["resource_id"])
        expense = db.session.get(Expense, submitted["expense_id"])
        assert req and by and marie and jean and resource and expense
        res_data = resources.ResourceData("salaire", None, Decimal("1.00"), None, None, True)
        exp_data = expenses.ExpenseData("loyer", None, None, Decimal("1.00"))
        calls = [
            lambda: information.save_information(req, marie, {}, by, version=None),
            lambda: information.save_registre(req, marie, "x", by, version=None),
            lambda: information.refresh_legal_data(req, marie, by),
            lambda: resources.add_resource(req, marie, res_data, by),
            lambda: resources.update_resource(req, marie, resource, res_data, None, by),
            lambda: resources.delete_resource(req, marie, resource, None, by),
            lambda: resources.set_no_resources(req, marie, False, by),
            lambda: expenses.add_expense(req, marie, exp_data, by),
            lambda: expenses.update_expense(req, marie, expense, exp_data, by, version=None),
            lambda: expenses.delete_expense(req, marie, expense, by, version=None),
            lambda: form_a.save_form(req, req.effective_date, None, by, version=0),
            lambda: form_a.save_member(
                req, jean, form_a.FormAMemberData(False, None, None, None, None), by, version=0
            ),
        ]
        for call in calls:
            with pytest.raises(InquiryRuleError) as refused:
                call()
            assert FROZEN in str(refused.value)
            db.session.rollback()
    assert _dump(app) == before
