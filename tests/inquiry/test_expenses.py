"""« Dépenses » (issue 15 item 6, seed 001 §9.5) over HTTP: « Ajouter » redraws the table
body, « Mettre à jour » turns a row into its form and saves it in place, « Supprimer »
removes the row; bad input stays typed beside its message (422), a stale row is a 409
with both values, the freeze refuses every write, each change is an event and an audit
entry with the member's NISS, another CPAS's rows are 404."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from cpas.extensions import db
from cpas.inquiry.models import Expense, MemberInquiry
from tests.audit_helpers import entries_since, last_entry_id, statements
from tests.helpers import page_text

HX = {"HX-Request": "true"}
GOOD = {"kind": "loyer", "start_date": "01/01/2026", "end_date": "", "annual_amount": "7.200,00"}


def _expenses(app, request_id: int, member_id: int) -> list[tuple[str, Decimal, int]]:
    with app.app_context():
        rows = db.session.execute(
            select(Expense.kind, Expense.annual_amount, Expense.id)
            .join(MemberInquiry, MemberInquiry.id == Expense.inquiry_id)
            .where(MemberInquiry.request_id == request_id, MemberInquiry.member_id == member_id)
            .order_by(Expense.id)
        ).all()
        return [tuple(r) for r in rows]


def _version(app, expense_id: int) -> int:
    with app.app_context():
        row = db.session.get(Expense, expense_id)
        assert row is not None
        return row.version


@pytest.fixture
def world(inquiry_world, login_as):
    login_as(inquiry_world.social_a)
    return inquiry_world


@pytest.fixture
def url(world, inquiry_urls):
    """The expenses URL of a member of the open request (``tail`` after « depenses »)."""

    def _url(relation: str = "beneficiary", tail: str = "", request=None) -> str:
        member = world.dossier.members[relation]
        base = inquiry_urls.member(world.dossier, request or world.request, member, "depenses")
        return base + (f"/{tail}" if tail else "")

    return _url


@pytest.fixture
def add(client, url):
    """Add an expense over htmx; return its id."""

    def _add(relation: str = "beneficiary", **values: str) -> int:
        response = client.post(url(relation), data={**GOOD, **values}, headers=HX)
        assert response.status_code == 200, page_text(response)
        ids = re.findall(r'<tr id="expense-(\d+)"', page_text(response))
        return int(ids[-1])

    return _add


def _field_message(html: str, field_id: str) -> str:
    found = re.search(rf'id="{field_id}-msg">(.*?)</div>', html, re.S)
    assert found, f"no message slot for {field_id}"
    return " ".join(found.group(1).split())


# ------------------------------------------------------------------ add


def test_add_over_htmx_redraws_the_table_body_with_the_new_row(
    app, client, world, url, events, inquiry_row
):
    mark = last_entry_id(app)
    before = events(world.request)
    response = client.post(url(), data=GOOD, headers=HX)
    assert response.status_code == 200
    html = page_text(response)
    assert html.lstrip().startswith('<tbody id="expenses-body"'), "the fragment is the body"
    assert "<html" not in html
    assert "Loyer" in html and "7.200,00 €" in html and "01/01/2026" in html
    assert 'id="expense-new"' in html, "the add row is drawn again, empty"
    assert 'value="7.200,00"' not in html
    member = world.dossier.members["beneficiary"]
    assert _expenses(app, world.request.id, member.id)[0][:2] == ("loyer", Decimal("7200.00"))
    assert events(world.request) == [*before, "modify"]  # « Enrichissement de la demande »
    (entry,) = entries_since(app, mark, "inquiry.expense_add")
    assert entry.niss == member.niss and entry.user_id == world.social_a.id
    assert inquiry_row(world.request, member) is not None


def test_add_without_javascript_redirects_to_the_page_which_shows_the_row(client, world, url):
    response = client.post(url("partner"), data={**GOOD, "kind": "energie"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url("partner"))
    page = client.get(url("partner"))
    assert page.status_code == 200
    assert "Énergie (gaz, électricité, mazout)" in page_text(page)
    assert "<html" in page_text(page)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"annual_amount": "-50"}, "annual_amount", "Le montant ne peut pas être négatif."),
        ({"annual_amount": "abc"}, "annual_amount", "Montant invalide (ex. 1.234,56)."),
        ({"annual_amount": "0"}, "annual_amount", "Le montant annuel doit être supérieur à zéro."),
        (
            {"annual_amount": "2.000.000,00"},
            "annual_amount",
            "Montant trop élevé : 1.000.000,00 € au plus.",
        ),
        ({"annual_amount": ""}, "annual_amount", "Indiquez le montant annuel"),
        ({"end_date": "31/12/2025"}, "end_date", "La date de fin ne peut pas précéder"),
        ({"start_date": "32/13/2026"}, "start_date", "Date attendue au format JJ/MM/AAAA."),
        ({"kind": "caviar"}, "kind", "Choisissez un type de dépense de la liste."),
    ],
)
def test_bad_input_is_kept_with_its_message_next_to_the_field(
    app, client, world, url, values, field, message
):
    posted = {**GOOD, **values}
    response = client.post(url(), data=posted, headers=HX)
    assert response.status_code == 422
    html = page_text(response)
    assert html.lstrip().startswith('<tbody id="expenses-body"')
    assert message in _field_message(html, field)
    for name in ("start_date", "end_date", "annual_amount"):
        if posted[name]:
            assert f'value="{posted[name]}"' in html, f"{name} typed value lost"
    assert _expenses(app, world.request.id, world.dossier.members["beneficiary"].id) == []


def test_belgian_amounts_are_exact_decimals(app, add, world):
    add(annual_amount="1.234,56")
    add(annual_amount="1234,5")
    add(annual_amount="0,01")
    member = world.dossier.members["beneficiary"]
    amounts = [row[1] for row in _expenses(app, world.request.id, member.id)]
    assert amounts == [Decimal("1234.56"), Decimal("1234.50"), Decimal("0.01")]


# ------------------------------------------------------------------ inline update


def test_update_turns_the_row_into_its_form_then_saves_it_in_place(
    app, client, world, url, add, events
):
    expense_id = add()
    edit = client.get(url(tail=str(expense_id)) + "?modifier=1", headers=HX)
    assert edit.status_code == 200
    html = page_text(edit)
    assert html.lstrip().startswith(f'<tr id="expense-{expense_id}" class="editing"')
    assert 'value="7200,00"' in html and 'value="01/01/2026"' in html
    version = _version(app, expense_id)
    assert re.search(rf'name="e{expense_id}-version"[^>]*value="{version}"', html)
    mark = last_entry_id(app)
    before = events(world.request)
    response = client.post(
        url(tail=f"{expense_id}/modifier"),
        data={
            f"e{expense_id}-kind": "charges",
            f"e{expense_id}-start_date": "01/02/2026",
            f"e{expense_id}-end_date": "31/12/2026",
            f"e{expense_id}-annual_amount": "960",
            f"e{expense_id}-version": str(version),
        },
        headers=HX,
    )
    assert response.status_code == 200
    html = page_text(response)
    assert html.lstrip().startswith(f'<tr id="expense-{expense_id}">')
    assert "Charges locatives" in html and "960,00 €" in html and "31/12/2026" in html
    member = world.dossier.members["beneficiary"]
    assert _expenses(app, world.request.id, member.id) == [
        ("charges", Decimal("960.00"), expense_id)
    ]
    assert events(world.request) == [*before, "modify"]
    (entry,) = entries_since(app, mark, "inquiry.expense_update")
    assert entry.niss == member.niss


def test_cancel_draws_the_row_back_as_saved(client, url, add):
    expense_id = add()
    response = client.get(url(tail=str(expense_id)), headers=HX)
    assert response.status_code == 200
    html = page_text(response)
    assert html.lstrip().startswith(f'<tr id="expense-{expense_id}">')
    assert "Mettre à jour" in html and "<input" not in html.split("<form")[0]


def test_without_javascript_the_edit_link_opens_the_page_with_the_row_as_a_form(client, url, add):
    expense_id = add()
    response = client.get(url(tail=str(expense_id)) + "?modifier=1")
    assert response.status_code == 200
    html = page_text(response)
    assert "<html" in html and f'id="expense-{expense_id}-form"' in html


def test_bad_input_on_a_row_keeps_the_row_in_edit_mode(app, client, world, url, add):
    expense_id = add()
    response = client.post(
        url(tail=f"{expense_id}/modifier"),
        data={
            f"e{expense_id}-kind": "loyer",
            f"e{expense_id}-start_date": "",
            f"e{expense_id}-end_date": "",
            f"e{expense_id}-annual_amount": "douze",
            f"e{expense_id}-version": str(_version(app, expense_id)),
        },
        headers=HX,
    )
    assert response.status_code == 422
    html = page_text(response)
    assert html.lstrip().startswith(f'<tr id="expense-{expense_id}" class="editing"')
    assert 'value="douze"' in html
    assert "Montant invalide" in _field_message(html, f"e{expense_id}-annual_amount")
    member = world.dossier.members["beneficiary"]
    assert _expenses(app, world.request.id, member.id)[0][1] == Decimal("7200.00")


def test_a_stale_row_is_a_conflict_keeping_both_values(app, client, world, url, add):
    expense_id = add()
    fields = {
        f"e{expense_id}-kind": "loyer",
        f"e{expense_id}-start_date": "01/01/2026",
        f"e{expense_id}-end_date": "",
        f"e{expense_id}-version": str(_version(app, expense_id)),
    }
    first = client.post(
        url(tail=f"{expense_id}/modifier"),
        data={**fields, f"e{expense_id}-annual_amount": "8.000"},
        headers=HX,
    )
    assert first.status_code == 200
    response = client.post(  # drawn at the first version, saved meanwhile
        url(tail=f"{expense_id}/modifier"),
        data={**fields, f"e{expense_id}-annual_amount": "9.999,99"},
        headers=HX,
    )
    assert response.status_code == 409
    html = page_text(response)
    assert html.lstrip().startswith(f'<tr id="expense-{expense_id}" class="editing"')
    assert 'value="9.999,99"' in html, "the typed value is kept"
    assert "Valeur enregistrée : <strong>8000,00</strong>" in html
    assert "Cette dépense a été modifiée" in html
    assert f'value="{_version(app, expense_id)}"' in html, "saving again is possible"
    member = world.dossier.members["beneficiary"]
    assert _expenses(app, world.request.id, member.id)[0][1] == Decimal("8000.00")


# ------------------------------------------------------------------ delete


def test_delete_asks_first_then_the_row_disappears(app, client, world, url, add, events):
    expense_id = add()
    member = world.dossier.members["beneficiary"]
    version = str(_version(app, expense_id))
    asked = client.post(url(tail=f"{expense_id}/supprimer"), data={"version": version})
    assert asked.status_code == 200
    assert 'id="confirm-step"' in page_text(asked)
    assert len(_expenses(app, world.request.id, member.id)) == 1, "nothing deleted yet"
    mark = last_entry_id(app)
    before = events(world.request)
    response = client.post(
        url(tail=f"{expense_id}/supprimer"), data={"version": version, "confirmed": "1"}, headers=HX
    )
    assert response.status_code == 200
    assert '<tr id="expense-' not in page_text(response), "nothing replaces the row"
    assert _expenses(app, world.request.id, member.id) == []
    assert events(world.request) == [*before, "modify"]
    (entry,) = entries_since(app, mark, "inquiry.expense_delete")
    assert entry.niss == member.niss


def test_deleting_a_row_changed_meanwhile_is_a_conflict(app, client, world, url, add):
    expense_id = add()
    drawn = str(_version(app, expense_id))
    client.post(
        url(tail=f"{expense_id}/modifier"),
        data={
            f"e{expense_id}-kind": "loyer",
            f"e{expense_id}-annual_amount": "100",
            f"e{expense_id}-version": drawn,
        },
        headers=HX,
    )
    response = client.post(
        url(tail=f"{expense_id}/supprimer"), data={"version": drawn, "confirmed": "1"}, headers=HX
    )
    assert response.status_code == 409
    assert "Cette dépense a été modifiée" in page_text(response)
    assert len(_expenses(app, world.request.id, world.dossier.members["beneficiary"].id)) == 1


# ------------------------------------------------------------------ every member, freeze, scope


@pytest.mark.parametrize(
    "relation", ["beneficiary", "partner", "minor_child", "first_degree", "cohabitant"]
)
def test_every_member_has_expenses(app, client, world, url, relation):
    page = client.get(url(relation))
    assert page.status_code == 200
    response = client.post(url(relation), data=GOOD, headers=HX)
    assert response.status_code == 200
    assert len(_expenses(app, world.request.id, world.dossier.members[relation].id)) == 1


def test_the_page_is_a_consultation_of_the_member(app, client, world, url):
    mark = last_entry_id(app)
    assert client.get(url("partner")).status_code == 200
    views = entries_since(app, mark, "inquiry.view")
    assert world.dossier.members["partner"].niss in {e.niss for e in views}


def test_frozen_after_submission_and_open_again_after_complete(
    app, client, world, url, add, submit, complete, events
):
    expense_id = add()
    member = world.dossier.members["beneficiary"]
    version = str(_version(app, expense_id))
    submit(world.request, world.social_a)
    page = page_text(client.get(url()))
    assert "l'enquête sociale est figée" in page
    assert 'id="expense-new"' not in page and "Supprimer" not in page
    assert "?modifier=1" not in page
    assert not re.search(r'action="[^"]*depenses[^"]*"', page), "no form left to post"
    before = events(world.request)
    refused = [
        client.post(url(), data=GOOD, headers=HX),
        client.post(url(), data={}, headers=HX),  # the freeze before any missing field
        client.post(
            url(tail=f"{expense_id}/modifier"),
            data={
                f"e{expense_id}-kind": "eau",
                f"e{expense_id}-annual_amount": "1",
                f"e{expense_id}-version": version,
            },
            headers=HX,
        ),
        client.post(url(tail=f"{expense_id}/supprimer"), data={"version": version}),
        client.post(
            url(tail=f"{expense_id}/supprimer"),
            data={"version": version, "confirmed": "1"},
            headers=HX,
        ),
    ]
    for response in refused:
        assert response.status_code == 422
        assert "l'enquête sociale est figée" in page_text(response)
    assert _expenses(app, world.request.id, member.id) == [
        ("loyer", Decimal("7200.00"), expense_id)
    ]
    assert events(world.request) == before
    complete(world.request, world.director_a)
    assert client.post(url(), data=GOOD, headers=HX).status_code == 200
    assert len(_expenses(app, world.request.id, member.id)) == 2


def test_another_cpas_gets_404(client, login_as, world, url, add, inquiry_urls):
    expense_id = add()
    login_as(world.social_b)
    assert client.get(url()).status_code == 404
    assert client.get(url(tail=str(expense_id))).status_code == 404
    assert client.post(url(), data=GOOD).status_code == 404
    assert (
        client.post(url(tail=f"{expense_id}/supprimer"), data={"confirmed": "1"}).status_code == 404
    )


def test_an_expense_of_another_member_is_404(client, world, url, add):
    expense_id = add("partner")
    assert client.get(url("beneficiary", str(expense_id))).status_code == 404
    response = client.post(
        url("beneficiary", f"{expense_id}/supprimer"),
        data={"version": "1", "confirmed": "1"},
        headers=HX,
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "caviar"}, "kind"),
        ({"start_date": date(2026, 2, 1), "end_date": date(2026, 1, 31)}, "end_date"),
        ({"annual_amount": Decimal("0")}, "annual_amount"),
        ({"annual_amount": Decimal("-1")}, "annual_amount"),
        ({"annual_amount": Decimal("1000000.01")}, "annual_amount"),
    ],
)
def test_the_service_refuses_what_the_form_would_have_refused(changes, field):
    """A caller without the form (the demo, a tampered POST past it) meets the same rules."""
    from cpas.inquiry.expenses import ExpenseData, check_expense
    from cpas.inquiry.services import InquiryRuleError

    given = {"kind": "loyer", "start_date": None, "end_date": None, "annual_amount": Decimal(1)}
    with pytest.raises(InquiryRuleError) as caught:
        check_expense(ExpenseData(**{**given, **changes}))
    assert caught.value.field == field
    check_expense(ExpenseData(**given))
    check_expense(ExpenseData(**{**given, "annual_amount": Decimal("1000000")}))


def test_the_page_makes_few_queries_whatever_the_number_of_rows(app, client, world, url, add):
    for amount in ("100", "200", "300", "400", "500", "600"):
        add(annual_amount=amount)
    client.get(url())  # warm: the session's recent dossiers
    with statements(app) as seen:
        response = client.get(url())
    assert response.status_code == 200
    assert "600,00 €" in page_text(response)
    selects = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 10, selects  # issue 15: member pages ≤ 10 queries


def test_the_page_in_dutch(client, world, url, add):
    add()
    response = client.post("/langue", data={"locale": "nl", "next": "/"})
    assert response.status_code == 302
    html = page_text(client.get(url()))
    for dutch in ("Uitgaven", "Soorten uitgaven", "Huur", "Bijwerken", "Toevoegen"):
        assert dutch in html, dutch
    for french in ("Types de dépenses", "Loyer", "Mettre à jour", "Montant annuel"):
        assert french not in html, french


def test_the_inputs_of_a_row_belong_to_its_form(client, url, add):
    """A row's inputs sit in its cells and reach its form through ``form="…"``: that form's
    id must be unique in the page, and every input must name it (the add row too)."""
    expense_id = add()
    html = page_text(client.get(url(tail=str(expense_id)) + "?modifier=1"))
    for row_id in (f"expense-{expense_id}", "expense-new"):
        row = re.search(rf'<tr id="{row_id}"[^>]*>.*?</tr>', html, re.S)
        assert row, row_id
        form_id = re.search(r'<form method="post" id="([^"]+)"', row.group(0)).group(1)
        assert len(re.findall(rf'id="{form_id}"', html)) == 1, "the form's id is unique"
        inputs = re.findall(r"<(?:input|select)\b[^>]*>", row.group(0).split("<form")[0])
        assert len(inputs) == 4
        for tag in inputs:
            assert f'form="{form_id}"' in tag, tag
