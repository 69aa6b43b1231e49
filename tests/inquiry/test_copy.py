"""« Dupliquer » and « Réviser » copy the social inquiry into the new request (issue 15
§10): each member's information, resources and expenses, and formulaire A with its lines
(suffixes kept); the copy is the new request's own: changing it over HTTP leaves the
original unchanged, and a copy of a frozen request is editable while the original stays
frozen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from cpas.access.models import User
from cpas.aid.models import AidRequest
from cpas.dossiers.models import HouseholdMember
from cpas.extensions import db
from cpas.inquiry.models import FormA, MemberInquiry
from tests.helpers import page_text
from tests.inquiry.conftest import _fire

INFO_COLUMNS = (
    "registre_manual",
    "category",
    "housing",
    "homeless",
    "student_piis",
    "dependent_children",
    "nationality",
    "residence_permit",
    "arrival_date",
    "insurability",
    "health_insurer",
    "informed",
    "no_resources",
)
CLOSE = ("proposal", "submit", "decide", "send_form", "close")


def _encode(app, world, request_id: int) -> None:
    """An inquiry on the request: Marie's information and rent, Jean's salary and
    information, Anne « Pas de ressources », formulaire A with Jean (suffix 1)."""
    from cpas.inquiry import expenses, form_a, information, resources

    with app.app_context():
        req = db.session.get(AidRequest, request_id)
        by = db.session.get(User, world.social_a.id)
        m = {k: db.session.get(HouseholdMember, v.id) for k, v in world.dossier.members.items()}
        assert req is not None and by is not None
        information.save_information(
            req,
            m["beneficiary"],
            {
                "category": "famille",
                "housing": "locataire",
                "dependent_children": 1,
                "arrival_date": date(2001, 9, 1),
                "insurability": "en_ordre",
                "health_insurer": "300",
            },
            by,
            version=0,
        )
        information.save_information(req, m["partner"], {"dependent_children": 1}, by, version=0)
        resources.add_resource(
            req,
            m["partner"],
            resources.ResourceData(
                "salaire", "Boulangerie", Decimal("21600.00"), date(2022, 9, 1), None, True
            ),
            by,
        )
        resources.add_resource(
            req,
            m["partner"],
            resources.ResourceData("mobilier", "Épargne", Decimal("120.50"), None, None, False),
            by,
        )
        resources.set_no_resources(req, m["first_degree"], True, by)
        expenses.add_expense(
            req,
            m["beneficiary"],
            expenses.ExpenseData("loyer", date(2023, 1, 1), None, Decimal("7440.00")),
            by,
        )
        expenses.add_expense(
            req,
            m["minor_child"],
            expenses.ExpenseData("scolaire", None, date(2026, 6, 30), Decimal("480.00")),
            by,
        )
        form_a.save_form(req, req.effective_date, "Belge", by, version=0)
        form_a.save_member(
            req,
            m["partner"],
            form_a.FormAMemberData(True, 1, "belge", "partner", "Belge"),
            by,
            version=0,
        )


def _inquiry(app, request_id: int) -> dict[str, Any]:
    """The request's inquiry as plain values, by member id (no ids of the rows)."""
    with app.app_context():
        rows = db.session.scalars(
            select(MemberInquiry).where(MemberInquiry.request_id == request_id)
        ).all()
        members = {
            row.member_id: {
                "info": tuple(getattr(row, c) for c in INFO_COLUMNS),
                "resources": [
                    (
                        r.kind,
                        r.detail,
                        r.annual_amount,
                        r.start_date,
                        r.end_date,
                        r.counts_for_dis,
                    )
                    for r in row.resources
                ],
                "expenses": [
                    (e.kind, e.start_date, e.end_date, e.annual_amount) for e in row.expenses
                ],
            }
            for row in rows
        }
        form = db.session.scalar(select(FormA).where(FormA.request_id == request_id))
        lines = (
            sorted(
                (m.member_id, m.niss, m.secondary, m.suffix, m.status, m.relation, m.nationality)
                for m in form.members
            )
            if form
            else None
        )
        return {
            "members": members,
            "form": (form.main_nationality, lines) if form else None,
            "form_date": form.effective_date if form else None,
        }


def _step(client, world, request_id: int, path: str):
    with client.application.app_context():
        version = db.session.get(AidRequest, request_id).version
    return client.post(
        f"/dossiers/{world.dossier.id}/demandes/{request_id}/etape/{path}",
        data={"version": str(version), "confirmed": "1"},
    )


def _newest(app, world) -> AidRequest:
    with app.app_context():
        req = db.session.scalar(
            select(AidRequest)
            .where(AidRequest.dossier_id == world.dossier.id)
            .order_by(AidRequest.id.desc())
            .limit(1)
        )
        assert req is not None
        db.session.expunge(req)
        return req


@pytest.fixture
def duplicated(app, client, login_as, inquiry_world):
    """The open request with its inquiry, then « Dupliquer la demande » over HTTP."""
    w = inquiry_world
    _encode(app, w, w.request.id)
    login_as(w.social_a)
    response = _step(client, w, w.request.id, "dupliquer")
    assert response.status_code in (302, 303), page_text(response)[:800]
    new = _newest(app, w)
    assert new.id != w.request.id and new.origin_id == w.request.id
    return new


def test_duplicating_copies_the_whole_inquiry(app, inquiry_world, duplicated):
    original = _inquiry(app, inquiry_world.request.id)
    copy = _inquiry(app, duplicated.id)
    assert len(original["members"]) == 4  # Marie, Jean, Lucas (expenses), Anne
    assert copy["members"] == original["members"]
    assert copy["form"] == original["form"]
    jean = inquiry_world.dossier.members["partner"].id
    assert (jean, 1) in {(line[0], line[3]) for line in copy["form"][1]}  # suffix kept
    assert copy["form_date"] == duplicated.effective_date


def test_the_copy_is_shown_on_the_new_request_s_screens(
    client, login_as, inquiry_world, duplicated
):
    w = inquiry_world
    login_as(w.social_a)
    base = f"/dossiers/{w.dossier.id}/demandes/{duplicated.id}"
    jean = w.dossier.members["partner"].id
    html = page_text(client.get(f"{base}/membres/{jean}/ressources"))
    assert "Boulangerie" in html and "21.600,00 €" in html
    marie = w.dossier.members["beneficiary"].id
    assert "7.440,00 €" in page_text(client.get(f"{base}/membres/{marie}/depenses"))
    assert "Partenaire du bénéficiaire" in page_text(client.get(f"{base}/formulaire-a"))


def test_changing_the_copy_leaves_the_original_unchanged(
    app, client, login_as, inquiry_world, duplicated
):
    w = inquiry_world
    original = _inquiry(app, w.request.id)
    login_as(w.social_a)
    base = f"/dossiers/{w.dossier.id}/demandes/{duplicated.id}"
    members = w.dossier.members
    with app.app_context():
        new_rows = {
            row.member_id: row
            for row in db.session.scalars(
                select(MemberInquiry).where(MemberInquiry.request_id == duplicated.id)
            )
        }
        jean_inquiry = new_rows[members["partner"].id]
        salary = jean_inquiry.resources[0]
        salary_id, salary_version = salary.id, salary.version
        savings = jean_inquiry.resources[1]
        savings_id, savings_version = savings.id, savings.version
        rent = new_rows[members["beneficiary"].id].expenses[0]
        rent_id, rent_version = rent.id, rent.version
        marie_version = new_rows[members["beneficiary"].id].version
        form = db.session.scalar(select(FormA).where(FormA.request_id == duplicated.id))
        assert form is not None
        line = next(m for m in form.members if m.member_id == members["partner"].id)
        line_version = line.version
    jean_url = f"{base}/membres/{members['partner'].id}"
    marie_url = f"{base}/membres/{members['beneficiary'].id}"
    answers = [
        client.post(
            f"{jean_url}/ressources/{salary_id}/modifier",
            data={
                "detail": "Boulangerie (CDI)",
                "annual_amount": "24.000,00",
                "counts_for_dis": "y",
                "version": str(salary_version),
            },
        ),
        client.post(
            f"{jean_url}/ressources/{savings_id}/supprimer",
            data={"confirmed": "1", "version": str(savings_version)},
        ),
        client.post(
            f"{marie_url}/depenses/{rent_id}/modifier",
            data={
                f"e{rent_id}-kind": "loyer",
                f"e{rent_id}-annual_amount": "7.800,00",
                f"e{rent_id}-version": str(rent_version),
            },
        ),
        client.post(f"{marie_url}/depenses", data={"kind": "energie", "annual_amount": "1.740"}),
        client.post(
            f"{marie_url}/information",
            data={"category": "isole", "housing": "heberge", "version": str(marie_version)},
        ),
        client.post(
            f"{base}/formulaire-a/membres/{members['partner'].id}",
            data={
                f"m{members['partner'].id}-secondary": "non",
                f"m{members['partner'].id}-suffix": "1",
                f"m{members['partner'].id}-version": str(line_version),
            },
        ),
    ]
    for response in answers:
        assert response.status_code == 302, page_text(response)[:800]
    changed = _inquiry(app, duplicated.id)
    assert changed["members"] != original["members"]
    assert changed["form"] != original["form"]
    assert _inquiry(app, w.request.id) == original


def test_a_copy_of_a_submitted_request_is_editable_and_the_original_stays_frozen(
    app, client, login_as, inquiry_world, submit
):
    w = inquiry_world
    _encode(app, w, w.request.id)
    submit(w.request, w.social_a)
    original = _inquiry(app, w.request.id)
    login_as(w.social_a)
    assert _step(client, w, w.request.id, "dupliquer").status_code in (302, 303)
    new = _newest(app, w)
    assert new.status == "en_cours"
    cohabitant = w.dossier.members["cohabitant"].id
    data = {"kind": "divers", "detail": "Aide d'un proche", "annual_amount": "600"}
    new_url = f"/dossiers/{w.dossier.id}/demandes/{new.id}/membres/{cohabitant}/ressources"
    assert client.post(new_url, data=data).status_code == 302
    old_url = f"/dossiers/{w.dossier.id}/demandes/{w.request.id}/membres/{cohabitant}/ressources"
    assert client.post(old_url, data=data).status_code in (409, 422)
    assert _inquiry(app, w.request.id) == original
    assert len(_inquiry(app, new.id)["members"]) == len(original["members"]) + 1


def test_revising_a_closed_request_copies_the_inquiry(app, client, login_as, inquiry_world):
    w = inquiry_world
    _encode(app, w, w.request.id)
    _fire(app, w.request, w.social_a, CLOSE, w.directors)
    original = _inquiry(app, w.request.id)
    login_as(w.director_a)
    response = _step(client, w, w.request.id, "reviser")
    assert response.status_code in (302, 303), page_text(response)[:800]
    new = _newest(app, w)
    assert new.origin_id == w.request.id and new.status == "en_cours"
    copy = _inquiry(app, new.id)
    assert copy["members"] == original["members"] and copy["form"] == original["form"]
    # the revision is editable: Jean's information changes in the copy only
    jean = w.dossier.members["partner"].id
    with app.app_context():
        row = db.session.scalar(
            select(MemberInquiry).where(
                MemberInquiry.request_id == new.id, MemberInquiry.member_id == jean
            )
        )
        assert row is not None
        version = row.version
    response = client.post(
        f"/dossiers/{w.dossier.id}/demandes/{new.id}/membres/{jean}/information",
        data={"dependent_children": "2", "version": str(version)},
    )
    assert response.status_code == 302, page_text(response)[:800]
    assert _inquiry(app, w.request.id) == original
    assert _inquiry(app, new.id)["members"][jean] != original["members"][jean]


def test_a_request_without_inquiry_duplicates_to_none(app, client, login_as, inquiry_world):
    w = inquiry_world
    login_as(w.social_a)
    assert _step(client, w, w.request.id, "dupliquer").status_code in (302, 303)
    copy = _inquiry(app, _newest(app, w).id)
    assert copy == {"members": {}, "form": None, "form_date": None}
