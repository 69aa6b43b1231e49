"""« Ressources » of a member, « Pas de ressources », « Ressources du ménage » and the
computation for the D.I.S., through HTTP (seed 001 §9.4, §9.6, issue 15 items 4–5).

Decisions tested here: « Pas de ressources » is exclusive by refusal both ways (ticking it
with resources listed is refused; adding a resource while it is ticked is refused);
``1234.56`` is read as 1.234,56 € (a dot before one or two digits is a decimal point).
"""

from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from cpas.access.models import User
from cpas.aid.models import AidRequest
from cpas.dossiers.models import HouseholdMember
from cpas.extensions import db
from cpas.inquiry import calc
from cpas.inquiry.models import MemberInquiry, Resource
from tests.audit_helpers import entries_since, last_entry_id, statements
from tests.helpers import page_text

ALL_TYPES = [
    "salaire",
    "art35",
    "artistique",
    "chomage",
    "mutuelle",
    "pension",
    "allocations_familiales",
    "pension_alimentaire",
    "immobilier",
    "mobilier",
    "nature",
    "divers",
]
FROZEN = "La demande a été soumise au Conseil : l'enquête sociale est figée."


def plain(response: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page_text(response))).split())


def version(app, resource_id: int) -> str:
    with app.app_context():
        row = db.session.get(Resource, resource_id)
        assert row is not None
        return str(row.version)


def offered_types(response: Any) -> list[str]:
    found = re.search(r'<select name="nouvelle"[^>]*>(.*?)</select>', page_text(response), re.S)
    return re.findall(r'value="([^"]+)"', found.group(1)) if found else []


def field_error(response: Any, name: str) -> str:
    found = re.search(rf'id="{name}-msg">(.*?)</div>', page_text(response), re.S)
    return found.group(1).strip() if found else ""


def input_value(response: Any, name: str) -> str | None:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page_text(response))
    if not found:
        return None
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def form_data(kind: str = "chomage", amount: str = "1.234,56", **extra: str) -> dict[str, str]:
    data = {"kind": kind, "annual_amount": amount, "counts_for_dis": "y"}
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def world(inquiry_world, login_as):
    login_as(inquiry_world.social_a)
    return inquiry_world


@pytest.fixture
def url(inquiry_urls, inquiry_world):
    """A member's resources URL (``rel`` the member's relation) on the world's request."""

    def _url(rel: str = "beneficiary", tail: str = "ressources", request: Any = None) -> str:
        member = inquiry_world.dossier.members[rel]
        return inquiry_urls.member(
            inquiry_world.dossier, request or inquiry_world.request, member, tail
        )

    return _url


@pytest.fixture
def saved(app, inquiry_world):
    """The member's saved resources: (kind, amount, D.I.S.) in order."""

    def _saved(rel: str = "beneficiary", request: Any = None) -> list[tuple[str, Decimal, bool]]:
        req = request or inquiry_world.request
        member_id = inquiry_world.dossier.members[rel].id
        with app.app_context():
            rows = db.session.execute(
                select(Resource.kind, Resource.annual_amount, Resource.counts_for_dis)
                .join(MemberInquiry, Resource.inquiry_id == MemberInquiry.id)
                .where(MemberInquiry.request_id == req.id, MemberInquiry.member_id == member_id)
                .order_by(Resource.id)
            ).all()
            return [(k, a, d) for k, a, d in rows]

    return _saved


def resource_ids(app, request: Any, member_id: int) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Resource.id)
                .join(MemberInquiry, Resource.inquiry_id == MemberInquiry.id)
                .where(
                    MemberInquiry.request_id == request.id,
                    MemberInquiry.member_id == member_id,
                )
                .order_by(Resource.id)
            )
        )


def set_inquiry(app, world: Any, rel: str, request: Any = None, **values: Any) -> None:
    """Set the member's information (helper F's screen) straight in the database."""
    from cpas.inquiry.services import inquiry_for

    with app.app_context():
        req = db.session.get(AidRequest, (request or world.request).id)
        member = db.session.get(HouseholdMember, world.dossier.members[rel].id)
        actor = db.session.get(User, world.social_a.id)
        assert req is not None and member is not None
        inquiry = inquiry_for(req, member, actor)
        for key, value in values.items():
            setattr(inquiry, key, value)
        db.session.commit()


# ------------------------------------------------------------------ relation rules


@pytest.mark.parametrize(
    ("rel", "types"),
    [
        ("beneficiary", ALL_TYPES),
        ("partner", ALL_TYPES),
        ("first_degree", ["divers"]),
        ("cohabitant", ["divers"]),
    ],
)
def test_the_types_offered_follow_the_relation(client, world, url, rel, types):
    response = client.get(url(rel))
    assert response.status_code == 200
    assert offered_types(response) == types
    assert "Pas de ressources" in plain(response)


def test_a_minor_child_has_no_resources_part(client, world, url, saved):
    assert client.get(url("minor_child")).status_code == 404
    assert client.post(url("minor_child"), data=form_data("divers")).status_code == 404
    assert (
        client.post(url("minor_child", "pas-de-ressources"), data={"value": "1"}).status_code == 404
    )
    assert saved("minor_child") == []


@pytest.mark.parametrize("rel", ["first_degree", "cohabitant"])
@pytest.mark.parametrize("kind", ["salaire", "chomage", "art35"])
def test_a_tampered_type_is_refused_for_a_limited_relation(client, world, url, saved, rel, kind):
    response = client.post(url(rel), data=form_data(kind))
    assert response.status_code == 422
    assert "seul le type « Divers » est possible" in plain(response)
    assert saved(rel) == []
    assert client.post(url(rel), data=form_data("divers")).status_code == 302
    assert saved(rel) == [("divers", Decimal("1234.56"), True)]


def test_an_unknown_type_is_refused(client, world, url, saved):
    response = client.post(url(), data=form_data("bitcoin"))
    assert response.status_code == 422
    assert "Type de ressource inconnu." in plain(response)
    assert client.get(url() + "?nouvelle=bitcoin").status_code == 422
    assert saved() == []


def test_ajouter_draws_the_fields_of_the_type(client, world, url):
    response = client.get(url() + "?nouvelle=mutuelle")
    assert response.status_code == 200
    text = plain(response)
    assert "Nouvelle ressource : Indemnités de mutuelle" in text
    assert "Mutualité" in text  # the detail field's label (RESOURCE_DETAIL_LABELS)
    assert "Montant annuel réel" in text and "D.I.S." in text
    assert input_value(response, "kind") == "mutuelle"


# ------------------------------------------------------------------ « Etudiant avec PIIS »


@pytest.mark.parametrize("kind", ["art35", "artistique"])
def test_a_piis_student_cannot_have_art35_or_artistic_income(app, client, world, url, saved, kind):
    set_inquiry(app, world, "beneficiary", student_piis=True)
    response = client.post(url(), data=form_data(kind))
    assert response.status_code == 422
    assert "« Etudiant avec PIIS »" in plain(response)
    assert "article 35" in plain(response)
    assert client.get(url() + f"?nouvelle={kind}").status_code == 422
    assert saved() == []
    assert client.post(url(), data=form_data("salaire")).status_code == 302
    assert saved() == [("salaire", Decimal("1234.56"), True)]


def test_without_piis_art35_is_accepted(client, world, url, saved):
    assert client.post(url(), data=form_data("art35")).status_code == 302
    assert saved() == [("art35", Decimal("1234.56"), True)]


# ------------------------------------------------------------------ « Pas de ressources »


def test_pas_de_ressources_is_refused_while_resources_are_listed(
    client, world, url, saved, inquiry_row
):
    assert client.post(url(), data=form_data()).status_code == 302
    response = client.post(url(tail="pas-de-ressources"), data={"value": "1"})
    assert response.status_code == 422
    assert "ce membre a des ressources encodées" in plain(response)
    row = inquiry_row(world.request, world.dossier.members["beneficiary"])
    assert row is not None and row.no_resources is False


def test_a_resource_is_refused_while_pas_de_ressources_is_ticked(
    client, world, url, saved, inquiry_row
):
    member = world.dossier.members["beneficiary"]
    assert client.post(url(tail="pas-de-ressources"), data={"value": "1"}).status_code == 302
    assert inquiry_row(world.request, member).no_resources is True
    page = client.get(url())
    assert "Décocher « Pas de ressources »" in plain(page) and offered_types(page) == []
    response = client.post(url(), data=form_data())
    assert response.status_code == 422
    assert "décochez-le d'abord" in plain(response)
    assert client.get(url() + "?nouvelle=chomage").status_code == 422
    assert saved() == []
    # untick, then the resource is accepted
    assert client.post(url(tail="pas-de-ressources"), data={"value": "0"}).status_code == 302
    assert inquiry_row(world.request, member).no_resources is False
    assert client.post(url(), data=form_data()).status_code == 302
    assert saved() == [("chomage", Decimal("1234.56"), True)]


def test_pas_de_ressources_refuses_a_garbage_value(client, world, url, inquiry_row):
    assert client.post(url(tail="pas-de-ressources"), data={"value": "oui"}).status_code == 422
    assert inquiry_row(world.request, world.dossier.members["beneficiary"]) is None


# ------------------------------------------------------------------ money and bad input


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1.234,56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1234.56", "1234.56"),  # a dot before two digits: a decimal point
        ("7.500", "7500.00"),  # a dot before three digits: thousands
        ("12.000.000,00", None),  # above 10.000.000: refused
        ("10.000.000,00", "10000000.00"),
        ("1 234,56 €", "1234.56"),
    ],
)
def test_belgian_money_input(client, world, url, saved, typed, stored):
    response = client.post(url(), data=form_data(amount=typed))
    if stored is None:
        assert response.status_code == 422
        assert saved() == []
    else:
        assert response.status_code == 302
        assert saved() == [("chomage", Decimal(stored), True)]
        page = plain(client.get(url()))
        assert f"{calc_money(Decimal(stored))}" in page


def calc_money(value: Decimal) -> str:
    from cpas.templating import format_money

    return format_money(value)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"annual_amount": "-5,00"}, "annual_amount", "Le montant ne peut pas être négatif."),
        ({"annual_amount": "abc"}, "annual_amount", "Montant invalide (ex. 1.234,56)."),
        ({"annual_amount": "99.999.999,00"}, "annual_amount", "Montant trop élevé"),
        ({"annual_amount": "0,00"}, "annual_amount", "supérieur à zéro"),
        ({"annual_amount": ""}, "annual_amount", "Indiquez le montant annuel réel"),
        (
            {"start_date": "01/03/2025", "end_date": "28/02/2025"},
            "end_date",
            "La date de fin ne peut pas précéder la date de début.",
        ),
        ({"start_date": "31/02/2025"}, "start_date", "JJ/MM/AAAA"),
        # two fields wrong at once: the form says both (the service is not reached)
        ({"annual_amount": "0,00", "end_date": "32/01/2025"}, "annual_amount", "supérieur à zéro"),
    ],
)
def test_bad_input_is_answered_next_to_the_field_with_the_typed_values(
    client, world, url, saved, data, field, message
):
    # one resource already saved: a refused form loses nothing
    assert client.post(url(), data=form_data("salaire", "500,00")).status_code == 302
    posted = form_data("chomage", detail="ONEM", start_date="01/01/2025", **{})
    posted.update(data)
    response = client.post(url(), data=posted)
    assert response.status_code == 422
    assert message in field_error(response, field)
    for name, value in posted.items():
        if name == "annual_amount" and field != name:
            value = "1234,56"  # a valid amount comes back as MoneyField writes it
        if name in ("annual_amount", "start_date", "end_date", "detail"):
            assert input_value(response, name) == value, name
    assert saved() == [("salaire", Decimal("500.00"), True)]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"annual_amount": Decimal("0.00")}, "annual_amount"),
        ({"annual_amount": Decimal("-1.00")}, "annual_amount"),
        ({"annual_amount": Decimal("10000000.01")}, "annual_amount"),
        ({"start_date": date(2025, 3, 1), "end_date": date(2025, 2, 28)}, "end_date"),
    ],
)
def test_the_service_refuses_bad_values_by_itself(app, inquiry_world, saved, values, field):
    """A caller without the form (another screen, a script) meets the same rules."""
    from cpas.inquiry import resources as service
    from cpas.inquiry.services import InquiryRuleError

    data = {
        "kind": "chomage",
        "detail": None,
        "annual_amount": Decimal("100.00"),
        "start_date": None,
        "end_date": None,
        "counts_for_dis": True,
    }
    data.update(values)
    with app.app_context():
        req = db.session.get(AidRequest, inquiry_world.request.id)
        member = db.session.get(HouseholdMember, inquiry_world.dossier.members["beneficiary"].id)
        actor = db.session.get(User, inquiry_world.social_a.id)
        with pytest.raises(InquiryRuleError) as refused:
            service.add_resource(req, member, service.ResourceData(**data), actor)
        assert refused.value.field == field
        db.session.rollback()
    assert saved() == []


# ------------------------------------------------------------------ edit and delete


def test_edit_and_delete_a_resource(app, client, world, url, saved, events, inquiry_urls):
    member = world.dossier.members["beneficiary"]
    assert client.post(url(), data=form_data("pension", "9.000,00")).status_code == 302
    (rid,) = resource_ids(app, world.request, member.id)
    edit_url = url(tail=f"ressources/{rid}/modifier")
    page = client.get(edit_url)
    assert page.status_code == 200
    assert input_value(page, "annual_amount") == "9000,00"
    assert input_value(page, "version") == version(app, rid)
    data = form_data("pension", "9.600,00", version=version(app, rid))
    data.pop("counts_for_dis")
    assert client.post(edit_url, data=data).status_code == 302
    assert saved() == [("pension", Decimal("9600.00"), False)]
    # the type stays the resource's own even when a tampered form names another
    again = form_data("art35", "9.700,00", version=version(app, rid))
    assert client.post(edit_url, data=again).status_code == 302
    assert saved() == [("pension", Decimal("9700.00"), True)]
    # delete: without confirmation a question, nothing deleted
    delete_url = url(tail=f"ressources/{rid}/supprimer")
    asked = client.post(delete_url, data={"version": version(app, rid)})
    assert asked.status_code == 200 and "Supprimer cette ressource ?" in plain(asked)
    assert len(saved()) == 1
    done = client.post(delete_url, data={"version": version(app, rid), "confirmed": "1"})
    assert done.status_code == 302
    assert saved() == []
    assert client.get(edit_url).status_code == 404


def test_a_stale_edit_is_a_conflict_keeping_the_typed_values(app, client, world, url, saved):
    member = world.dossier.members["beneficiary"]
    assert client.post(url(), data=form_data("pension", "9.000,00")).status_code == 302
    (rid,) = resource_ids(app, world.request, member.id)
    edit_url = url(tail=f"ressources/{rid}/modifier")
    loaded = input_value(client.get(edit_url), "version")
    assert (
        client.post(edit_url, data=form_data("pension", "9.100,00", version=loaded)).status_code
        == 302
    )
    stale = client.post(edit_url, data=form_data("pension", "9.200,00", version=loaded))
    assert stale.status_code == 409
    assert input_value(stale, "annual_amount") == "9200,00"  # what was typed, kept
    assert "Cette ressource a été modifiée" in plain(stale)
    assert saved() == [("pension", Decimal("9100.00"), True)]
    # a stale delete is refused too
    gone = client.post(
        url(tail=f"ressources/{rid}/supprimer"), data={"version": loaded, "confirmed": "1"}
    )
    assert gone.status_code == 409
    assert len(saved()) == 1


# ------------------------------------------------------------------ freeze


def test_every_post_is_refused_once_submitted_and_accepted_after_complete(
    app, client, world, url, saved, submit, complete, inquiry_row
):
    member = world.dossier.members["beneficiary"]
    assert client.post(url(), data=form_data("pension", "9.000,00")).status_code == 302
    (rid,) = resource_ids(app, world.request, member.id)
    current = version(app, rid)
    submit(world.request, world.social_a)
    before = saved()
    posts = [
        (url(), form_data("chomage")),
        (url(tail=f"ressources/{rid}/modifier"), form_data("pension", "1,00", version=current)),
        (url(tail=f"ressources/{rid}/supprimer"), {"version": current, "confirmed": "1"}),
        (url(tail=f"ressources/{rid}/supprimer"), {"version": current}),
        (url(tail="pas-de-ressources"), {"value": "1"}),
        # empty or garbage POSTs: the freeze is said before any field is read
        (url(), {}),
        (url(tail=f"ressources/{rid}/modifier"), {"annual_amount": "abc"}),
        (url(tail="pas-de-ressources"), {"value": "peut-être"}),
    ]
    for target, data in posts:
        response = client.post(target, data=data)
        assert response.status_code == 422, target
        assert FROZEN in plain(response), target
        assert re.search(r'id="resources-message">[^<]*figée', page_text(response)), target
    assert client.get(url() + "?nouvelle=chomage").status_code == 422
    assert client.get(url(tail=f"ressources/{rid}/modifier")).status_code == 422
    assert saved() == before
    assert inquiry_row(world.request, member).no_resources is False
    page = client.get(url())
    assert page.status_code == 200
    assert FROZEN in plain(page)
    assert "Supprimer" not in plain(page) and "Modifier" not in plain(page)
    assert offered_types(page) == []
    # « Compléter l'enquête sociale » reopens it
    complete(world.request, world.social_a)
    assert client.post(url(), data=form_data("chomage")).status_code == 302
    assert [k for k, _a, _d in saved()] == ["pension", "chomage"]


# ------------------------------------------------------------------ event and audit


def test_each_change_writes_the_event_and_the_audit_with_the_members_niss(
    app, client, world, url, events
):
    partner = world.dossier.members["partner"]
    mark = last_entry_id(app)
    before = events(world.request)
    assert client.post(url("partner"), data=form_data("salaire")).status_code == 302
    (rid,) = resource_ids(app, world.request, partner.id)
    edit_url = url("partner", f"ressources/{rid}/modifier")
    data = form_data("salaire", "2.000,00", version=version(app, rid))
    assert client.post(edit_url, data=data).status_code == 302
    delete_url = url("partner", f"ressources/{rid}/supprimer")
    data = {"version": version(app, rid), "confirmed": "1"}
    assert client.post(delete_url, data=data).status_code == 302
    assert client.post(url("partner", "pas-de-ressources"), data={"value": "1"}).status_code == 302
    assert events(world.request)[len(before) :] == ["modify"] * 4
    changes = [
        (e.action, e.niss)
        for e in entries_since(app, mark)
        if e.action.startswith("inquiry.") and e.action != "inquiry.view"
    ]
    assert changes == [
        ("inquiry.resource_add", partner.niss),
        ("inquiry.resource_edit", partner.niss),
        ("inquiry.resource_delete", partner.niss),
        ("inquiry.no_resources", partner.niss),
    ]
    # a refused change writes neither
    mark = last_entry_id(app)
    assert client.post(url("partner"), data=form_data("salaire")).status_code == 422
    assert events(world.request)[len(before) + 4 :] == []
    assert [e.action for e in entries_since(app, mark) if e.action != "inquiry.view"] == []


def test_the_page_is_a_consultation_with_the_members_niss(app, client, world, url):
    mark = last_entry_id(app)
    assert client.get(url("cohabitant")).status_code == 200
    views = entries_since(app, mark, "inquiry.view")
    assert [v.niss for v in views] == [world.dossier.members["cohabitant"].niss]


# ------------------------------------------------------------------ the computation


@pytest.fixture
def computed(app, client, world, url, new_request, inquiry_urls):
    """A request effective 01/03/2025 (verified amounts) with the household's resources."""
    req = new_request(world.dossier, world.social_a, request_date=date(2025, 3, 1))
    set_inquiry(app, world, "beneficiary", request=req, category="isole")
    posts = [
        ("beneficiary", form_data("art35", "6.000,00")),
        ("beneficiary", form_data("allocations_familiales", "3.000,00")),
        ("partner", form_data("chomage", "9.600,00")),
        ("partner", form_data("divers", "500,00", counts_for_dis=None)),
        ("first_degree", form_data("divers", "1.200,00")),
    ]
    for rel, data in posts:
        data = {k: v for k, v in data.items() if v is not None}
        assert client.post(url(rel, request=req), data=data).status_code == 302
    # by hand: 6.000 − 12 × 309,48 = 2.286,24; allocations familiales 0; 9.600; 500 not
    # ticked; 1.200 → 13.086,24; / 12 = 1.090,52 < 1.314,20 → − 250 = 12.836,24;
    # / 12 = 1.069,686… → 1.069,69
    return req


def expected(app, world, req) -> calc.Computation:
    """``calc`` on the saved resources (the screens must show these numbers)."""
    inputs = []
    with app.app_context():
        rows = db.session.execute(
            select(Resource, MemberInquiry, HouseholdMember)
            .join(MemberInquiry, Resource.inquiry_id == MemberInquiry.id)
            .join(HouseholdMember, MemberInquiry.member_id == HouseholdMember.id)
            .where(MemberInquiry.request_id == req.id)
            .order_by(HouseholdMember.id, Resource.id)
        ).all()
        for res, inq, member in rows:
            inputs.append(
                calc.ResourceInput(
                    res.id, member.id, member.relation, res.kind, res.annual_amount,
                    res.counts_for_dis, inq.student_piis, res.end_date,
                )
            )  # fmt: skip
    return calc.compute(inputs, "isole", date(2025, 3, 1))


def dd(response: Any, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:dd|span|td)>', page_text(response), re.S)
    assert found, element_id
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_the_dialog_shows_the_numbers_of_calc(app, client, world, computed, inquiry_urls):
    result = expected(app, world, computed)
    assert result.total_year == Decimal("12836.24") and result.total_month == Decimal("1069.69")
    base = inquiry_urls.request(world.dossier, computed, "ressources/calcul")
    response = client.get(base + "?details=1", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = page_text(response)
    assert html.lstrip().startswith("<dialog open") and "<html" not in html
    assert "HX-Request" in response.headers.get("Vary", "")
    assert dd(response, "computation-subtotal") == "13.086,24 €"
    assert dd(response, "computation-general") == "250,00 €"
    assert dd(response, "computation-total-year") == "12.836,24 €"
    assert dd(response, "computation-total-month") == "1.069,69 €"
    for line in result.lines:
        row = re.search(rf'id="computation-line-{line.key}">(.*?)</tr>', html, re.S)
        assert row, line
        assert calc_money(line.counted_amount) in row.group(1)
    text = plain(response)
    assert "exonération socioprofessionnelle (AR du 11 juillet 2002, art. 35) : 309,48 €" in text
    assert "allocations familiales" in text and "D.I.S. non coché" in text
    assert "exonération générale (AR du 11 juillet 2002, art. 22, § 2)" in text
    assert 'method="dialog"' in html and "Fermer" in text and "Sans détails" in text
    # without details: the members' totals, the same totals
    short = client.get(base, headers={"HX-Request": "true"})
    assert "computation-lines" not in page_text(short) and "Avec détails" in plain(short)
    assert dd(short, "computation-total-month") == "1.069,69 €"
    # without JavaScript: the household's page with the dialog and « Retour »
    page = client.get(base)
    assert "<html" in page_text(page) and "Retour" in plain(page)
    assert 'method="dialog"' not in page_text(page)
    assert dd(page, "computation-total-year") == "12.836,24 €"


def test_the_resources_page_shows_what_counts_per_resource(app, client, world, computed, url):
    result = expected(app, world, computed)
    response = client.get(url("beneficiary", request=computed))
    html = page_text(response)
    for line in result.lines:
        if line.member_key != world.dossier.members["beneficiary"].id:
            continue
        row = re.search(rf'id="resource-{line.key}">(.*?)</tr>', html, re.S)
        assert row
        cell = re.search(r'class="num nowrap counted-amount">(.*?)<br>', row.group(1), re.S)
        assert cell and cell.group(1).strip() == calc_money(line.counted_amount)
    assert "Ressource à prendre en compte" in plain(response)


def test_the_household_page_lists_the_members_and_their_totals(
    app, client, world, computed, inquiry_urls
):
    response = client.get(inquiry_urls.request(world.dossier, computed, "ressources"))
    assert response.status_code == 200
    html = page_text(response)
    result = expected(app, world, computed)
    members = world.dossier.members
    for rel in ("beneficiary", "partner", "first_degree", "cohabitant"):
        row = re.search(rf'id="household-member-{members[rel].id}">(.*?)</tr>', html, re.S)
        assert row, rel
        assert calc_money(result.member_total(members[rel].id)) in row.group(1)
    assert f'id="household-member-{members["minor_child"].id}"' not in html
    assert dd(response, "household-total-year") == "12.836,24 €"
    assert "Ressources du ménage" in plain(response)
    # one consultation per member shown, with their NISS
    mark = last_entry_id(app)
    client.get(inquiry_urls.request(world.dossier, computed, "ressources"))
    nisses = {v.niss for v in entries_since(app, mark, "inquiry.view")}
    assert nisses == {
        members[r].niss for r in ("beneficiary", "partner", "first_degree", "cohabitant")
    }


def test_today_the_amounts_are_not_verified_and_the_dialog_says_so(
    app, client, world, url, inquiry_urls
):
    set_inquiry(app, world, "beneficiary", category="isole")
    assert client.post(url(), data=form_data("art35", "6.000,00")).status_code == 302
    base = inquiry_urls.request(world.dossier, world.request, "ressources/calcul?details=1")
    response = client.get(base, headers={"HX-Request": "true"})
    text = plain(response)
    assert "exonération non appliquée : montant officiel non vérifié" in text
    assert "exonération générale non appliquée : montant officiel non vérifié" in text
    assert dd(response, "computation-total-year") == "6.000,00 €"


# ------------------------------------------------------------------ access and speed


def test_another_cpas_gets_404_everywhere(
    app, client, inquiry_world, login_as, url, inquiry_urls, saved
):
    login_as(inquiry_world.social_a)
    assert client.post(url(), data=form_data("pension")).status_code == 302
    (rid,) = resource_ids(
        app, inquiry_world.request, inquiry_world.dossier.members["beneficiary"].id
    )
    login_as(inquiry_world.social_b)
    for target in (url(), url(tail=f"ressources/{rid}/modifier"),
                   inquiry_urls.request(inquiry_world.dossier, inquiry_world.request, "ressources"),
                   inquiry_urls.request(inquiry_world.dossier, inquiry_world.request, "ressources/calcul")):  # fmt: skip
        assert client.get(target).status_code == 404, target
    for target, data in (
        (url(), form_data()),
        (url(tail=f"ressources/{rid}/modifier"), form_data("pension", version="1")),
        (url(tail=f"ressources/{rid}/supprimer"), {"version": "1", "confirmed": "1"}),
        (url(tail="pas-de-ressources"), {"value": "1"}),
    ):
        assert client.post(target, data=data).status_code == 404, target
    assert saved() == [("pension", Decimal("1234.56"), True)]
    # CPAS B's own resource is not reachable through CPAS A's member either
    login_as(inquiry_world.social_a)
    other = inquiry_world.dossier.members["partner"]
    wrong = inquiry_urls.member(
        inquiry_world.dossier, inquiry_world.request, other, f"ressources/{rid}/modifier"
    )
    assert client.post(url("partner"), data=form_data("salaire")).status_code == 302
    assert client.get(wrong).status_code == 404


def test_without_the_resources_functions(client, inquiry_world, login_as, url, inquiry_urls):
    login_as(inquiry_world.info_viewer_a)
    assert client.get(url()).status_code == 403
    assert (
        client.get(
            inquiry_urls.request(inquiry_world.dossier, inquiry_world.request, "ressources")
        ).status_code
        == 403
    )
    assert client.post(url(), data=form_data()).status_code == 403


def test_ressources_du_menage_is_a_request_menu_entry(app, inquiry_world):
    """Registered for the request menu's « Enquête sociale » group (the lead draws it)."""
    from cpas.aid.extend import menu_entries

    with app.app_context():
        social = db.session.get(User, inquiry_world.social_a.id)
        viewer = db.session.get(User, inquiry_world.info_viewer_a.id)
        entry = next(e for e in menu_entries(social) if e.name == "household_resources")
        assert (entry.order, entry.endpoint, str(entry.label), entry.function) == (
            10,
            "inquiry.household_resources",
            "Ressources du ménage",
            "inquiry.resources_view",
        )
        assert set(entry.current) == {"inquiry.household_resources", "inquiry.computation"}
        assert "household_resources" not in [e.name for e in menu_entries(viewer)]


def is_query(statement: str) -> bool:
    """A statement the page sends, apart from transaction control and the audit's insert."""
    text = statement.lstrip().upper()
    return not text.startswith(("BEGIN", "COMMIT", "ROLLBACK", "INSERT INTO AUDIT_ENTRY"))


def test_the_request_menu_links_ressources_du_menage(client, world, inquiry_urls, url):
    href = inquiry_urls.request(world.dossier, world.request, "ressources")
    household = page_text(client.get(href))
    assert re.search(rf'<a href="{href}"\s+aria-current="page">Ressources du ménage</a>', household)
    dialog = page_text(client.get(href + "/calcul"))
    assert re.search(rf'<a href="{href}"\s+aria-current="page">Ressources du ménage</a>', dialog)
    member_page = page_text(client.get(url()))
    assert re.search(rf'<a href="{href}">Ressources du ménage</a>', member_page)


def test_queries_stay_flat_with_the_households_resources(app, client, world, url, inquiry_urls):
    """The member page within 10 queries; the computation reads the household's inquiries
    and resources in the same number of queries for 4 resources as for 40."""

    def counts() -> tuple[int, int]:
        client.get(url())  # warm the session
        with statements(app) as seen:
            assert client.get(url()).status_code == 200
        member_page = [s for s in seen if is_query(s)]
        target = inquiry_urls.request(world.dossier, world.request, "ressources/calcul?details=1")
        with statements(app) as seen:
            assert client.get(target, headers={"HX-Request": "true"}).status_code == 200
        dialog = [s for s in seen if is_query(s)]
        return len(member_page), len(dialog)

    rels = ["beneficiary", "partner", "first_degree", "cohabitant"]
    for rel in rels:
        assert client.post(url(rel), data=form_data("divers")).status_code == 302
    small = counts()
    for rel in rels:
        for _n in range(9):
            assert client.post(url(rel), data=form_data("divers")).status_code == 302
    large = counts()
    assert large == small, (small, large)
    assert large[0] <= 10, large
    with app.app_context():
        total = db.session.scalar(
            select(db.func.count(Resource.id))
            .join(MemberInquiry, Resource.inquiry_id == MemberInquiry.id)
            .where(MemberInquiry.request_id == world.request.id)
        )
    assert total == 40


def test_the_screens_in_dutch(app, client, world, computed, url, inquiry_urls):
    assert client.post("/langue", data={"locale": "nl", "next": "/"}).status_code in (302, 303)
    page = plain(client.get(url("beneficiary", request=computed)))
    assert "Nieuw bestaansmiddel" in page and "Bestaansmiddelen van het gezin" in page
    assert "De in aanmerking te nemen bestaansmiddelen voor het RMI berekenen" in page
    assert (
        "Werkelijk jaarbedrag" in page and "Beroepsinkomsten met toepassing van artikel 35" in page
    )
    base = inquiry_urls.request(world.dossier, computed, "ressources/calcul?details=1")
    dialog = plain(client.get(base, headers={"HX-Request": "true"}))
    assert "In aanmerking te nemen bestaansmiddelen voor het R.M.I." in dialog
    assert "socioprofessionele vrijstelling (KB van 11 juli 2002, art. 35): 309,48 €" in dialog
    assert "algemene vrijstelling (KB van 11 juli 2002, art. 22, § 2)" in dialog
    assert "Sluiten" in dialog and "Zonder details" in dialog
    assert "Geen bestaansmiddelen" in plain(client.get(url("cohabitant", request=computed)))
    refused = client.post(url("first_degree", request=computed), data=form_data("salaire"))
    assert "enkel het type « Diversen » mogelijk" in plain(refused)
