"""« Formulaire A » (issue 15 item 7, seed 001 §12) over HTTP: the effective date and the
main beneficiary's nationality saved; each de facto member's line (secondary beneficiary,
suffix, status, relation among two choices only, nationality); the suffix of a person
proposed again on a later request of the dossier (duplicated or new) and never given to
another person; the warning for a secondary beneficiary not integrated « en enquête »; the
B-forms date check; the freeze; an event and an audit entry per change; another CPAS 404."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from cpas.extensions import db
from cpas.inquiry.form_a import check_against_b_forms
from cpas.inquiry.models import FormA, FormAMember
from cpas.inquiry.services import InquiryRuleError
from tests.audit_helpers import entries_since, last_entry_id
from tests.helpers import page_text

FROZEN = "l'enquête sociale est figée"


@pytest.fixture
def world(inquiry_world, login_as):
    login_as(inquiry_world.social_a)
    return inquiry_world


@pytest.fixture
def url(world, inquiry_urls):
    def _url(request=None, member=None) -> str:
        base = inquiry_urls.request(world.dossier, request or world.request, "formulaire-a")
        return base + (f"/membres/{member.id}" if member is not None else "")

    return _url


def _line(app, request_id: int, member_id: int) -> FormAMember | None:
    with app.app_context():
        row = db.session.scalar(
            select(FormAMember)
            .join(FormA, FormA.id == FormAMember.form_id)
            .where(FormA.request_id == request_id, FormAMember.member_id == member_id)
        )
        if row is not None:
            db.session.expunge(row)
        return row


def _form(app, request_id: int) -> FormA | None:
    with app.app_context():
        row = db.session.scalar(select(FormA).where(FormA.request_id == request_id))
        if row is not None:
            db.session.expunge(row)
        return row


def _version_of(app, request_id: int, member_id: int) -> str:
    line = _line(app, request_id, member_id)
    return str(line.version) if line else "0"


@pytest.fixture
def save_line(app, client, world, url):
    """POST a member's line (version read from the database unless given)."""

    def _save(member, request=None, version: str | None = None, **values: str):
        request = request or world.request
        data = {
            "secondary": "oui",
            "suffix": "1",
            "status": "belge",
            "relation": "partner",
            "nationality": "Belge",
            **values,
        }
        posted = {f"m{member.id}-{k}": v for k, v in data.items()}
        posted[f"m{member.id}-version"] = (
            version if version is not None else _version_of(app, request.id, member.id)
        )
        return client.post(url(request, member), data=posted)

    return _save


def _suffix_input(html: str, member_id: int) -> str | None:
    found = re.search(rf'<input[^>]*name="m{member_id}-suffix"[^>]*>', html)
    assert found, "no suffix input"
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else None


def _message(html: str, field_id: str) -> str:
    found = re.search(rf'id="{field_id}-msg">(.*?)</div>', html, re.S)
    assert found, f"no message slot for {field_id}"
    return " ".join(found.group(1).split())


# ------------------------------------------------------------------ the page and the form


def test_the_request_menu_gets_formulaire_a_for_who_may_see_it(app, world):
    from cpas.access.models import User
    from cpas.aid import extend

    with app.app_context():
        social = db.session.get(User, world.social_a.id)
        viewer = db.session.get(User, world.viewer_a.id)
        entry = next(e for e in extend.menu_entries(social) if e.name == "form_a")
        assert (entry.endpoint, entry.order, str(entry.label), entry.function) == (
            "inquiry.form_a",
            20,
            "Formulaire A",
            "inquiry.form_a_view",
        )
        assert "inquiry.form_a_member_save" in entry.current
        assert "form_a" not in {e.name for e in extend.menu_entries(viewer)}


def test_the_page_lists_every_de_facto_member_but_the_main_beneficiary(app, client, world, url):
    mark = last_entry_id(app)
    response = client.get(url())
    assert response.status_code == 200
    html = page_text(response)
    rows = re.findall(r'<tr id="form-a-member-(\d+)"', html)
    members = world.dossier.members
    assert sorted(map(int, rows)) == sorted(
        members[r].id for r in ("partner", "minor_child", "first_degree", "cohabitant")
    )
    assert f'value="{date.today():%d/%m/%Y}"' in html, "the request's effective date by default"
    seen = {e.niss for e in entries_since(app, mark, "inquiry.view")}
    assert {m.niss for m in members.values()} <= seen, "each NISS shown is a consultation"


def test_save_the_effective_date_and_the_main_nationality(app, client, world, url, events):
    mark = last_entry_id(app)
    before = events(world.request)
    response = client.post(
        url(),
        data={"effective_date": "01/02/2026", "main_nationality": "Marocaine", "version": "0"},
    )
    assert response.status_code == 302
    form = _form(app, world.request.id)
    assert form is not None
    assert form.effective_date == date(2026, 2, 1) and form.main_nationality == "Marocaine"
    assert events(world.request) == [*before, "modify"]
    (entry,) = entries_since(app, mark, "inquiry.form_a_save")
    assert entry.niss == world.dossier.niss and entry.user_id == world.social_a.id
    page = page_text(client.get(url()))
    assert 'value="01/02/2026"' in page and "Marocaine" in page
    edit = page_text(client.get(url() + "?modifier=principal"))
    assert re.search(r'name="main_nationality"[^>]*value="Marocaine"', edit)
    again = client.post(
        url(),
        data={
            "effective_date": "15/02/2026",
            "main_nationality": "Belge",
            "version": str(form.version),
        },
    )
    assert again.status_code == 302
    assert _form(app, world.request.id).effective_date == date(2026, 2, 15)


def test_a_stale_form_is_a_conflict(app, client, world, url):
    client.post(url(), data={"effective_date": "01/02/2026", "version": "0"})
    response = client.post(url(), data={"effective_date": "03/02/2026", "version": "0"})
    assert response.status_code == 409
    html = page_text(response)
    assert 'value="03/02/2026"' in html and "Le formulaire A a été modifié" in html
    assert "Valeur enregistrée : <strong>01/02/2026</strong>" in html
    assert _form(app, world.request.id).effective_date == date(2026, 2, 1)


def test_a_bad_date_is_kept_next_to_its_message(app, client, world, url):
    response = client.post(url(), data={"effective_date": "31/02/2026", "version": "0"})
    assert response.status_code == 422
    html = page_text(response)
    assert 'value="31/02/2026"' in html
    assert "JJ/MM/AAAA" in _message(html, "effective_date")
    assert _form(app, world.request.id) is None


def test_save_a_secondary_beneficiary(app, world, save_line, events):
    partner = world.dossier.members["partner"]
    mark = last_entry_id(app)
    before = events(world.request)
    response = save_line(partner, suffix="3", status="ue", nationality="Française")
    assert response.status_code == 302, page_text(response)
    line = _line(app, world.request.id, partner.id)
    assert line is not None
    assert (line.secondary, line.suffix, line.status, line.relation, line.nationality) == (
        True,
        3,
        "ue",
        "partner",
        "Française",
    )
    assert line.niss == partner.niss and line.dossier_id == world.dossier.id
    assert events(world.request) == [*before, "modify"]
    (entry,) = entries_since(app, mark, "inquiry.form_a_member_save")
    assert entry.niss == partner.niss


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"suffix": ""}, "suffix", "Indiquez le suffixe"),
        ({"status": ""}, "status", "Choisissez le statut"),
        ({"relation": ""}, "relation", "Choisissez la relation"),
        ({"suffix": "0"}, "suffix", "Le suffixe est un nombre de 1 à 99."),
        ({"suffix": "100"}, "suffix", "Le suffixe est un nombre de 1 à 99."),
        ({"suffix": "x1"}, "suffix", "Le suffixe est un nombre de 1 à 99."),
        ({"relation": "cohabitant"}, "relation", "« Partenaire du bénéficiaire » ou"),
        ({"relation": "first_degree"}, "relation", "« Partenaire du bénéficiaire » ou"),
        ({"status": "martien"}, "status", "Choisissez un statut de la liste."),
    ],
)
def test_a_refused_line_keeps_what_was_typed(app, world, save_line, values, field, message):
    partner = world.dossier.members["partner"]
    response = save_line(partner, **values)
    assert response.status_code == 422
    html = page_text(response)
    assert message in _message(html, f"m{partner.id}-{field}")
    assert f'<tr id="form-a-member-{partner.id}" class="editing"' in html
    typed = values.get("suffix", "1")
    assert _suffix_input(html, partner.id) == typed
    assert _line(app, world.request.id, partner.id) is None


def test_the_relation_offers_the_two_choices_only(client, world, url):
    partner = world.dossier.members["partner"]
    html = page_text(client.get(url() + f"?modifier={partner.id}"))
    select_html = re.search(rf'<select[^>]*name="m{partner.id}-relation".*?</select>', html, re.S)
    assert select_html
    options = re.findall(r'<option[^>]*value="([^"]*)"', select_html.group(0))
    assert options == ["", "partner", "minor_child"]


def test_an_adult_child_needs_a_dossier_of_its_own(app, client, world, url, save_line):
    anne = world.dossier.members["first_degree"]  # born 1955
    html = page_text(client.get(url() + f"?modifier={anne.id}"))
    note = re.search(rf'id="m{anne.id}-relation-note">(.*?)</small>', html, re.S)
    assert note and "dossier particulier" in note.group(1)
    lucas = world.dossier.members["minor_child"]
    assert f'id="m{lucas.id}-relation-note"' not in page_text(
        client.get(url() + f"?modifier={lucas.id}")
    )
    response = save_line(anne, relation="minor_child", suffix="4")
    assert response.status_code == 422
    assert "dossier particulier" in _message(page_text(response), f"m{anne.id}-relation")
    assert _line(app, world.request.id, anne.id) is None
    assert save_line(lucas, relation="minor_child", suffix="5").status_code == 302


def test_not_secondary_needs_nothing_else(app, world, save_line):
    luc = world.dossier.members["cohabitant"]
    response = save_line(luc, secondary="non", suffix="", status="", relation="")
    assert response.status_code == 302
    line = _line(app, world.request.id, luc.id)
    assert line is not None and line.secondary is False and line.suffix is None


def test_the_main_beneficiary_has_no_line(app, world, save_line):
    main = world.dossier.main
    assert save_line(main).status_code == 422
    assert _line(app, world.request.id, main.id) is None


def test_a_stale_line_is_a_conflict(app, world, save_line):
    partner = world.dossier.members["partner"]
    assert save_line(partner, suffix="3").status_code == 302
    response = save_line(partner, suffix="4", version="0")
    assert response.status_code == 409
    html = page_text(response)
    assert _suffix_input(html, partner.id) == "4"
    assert "Valeur enregistrée : <strong>3</strong>" in html
    assert _line(app, world.request.id, partner.id).suffix == 3


# ------------------------------------------------------------------ suffix stability


def _duplicate(client, world, inquiry_urls) -> int:
    """« Dupliquer » the open request over HTTP; the new request's id."""
    from cpas.aid.models import AidRequest

    response = client.post(
        inquiry_urls.request(world.dossier, world.request, "etape/dupliquer"),
        data={"version": str(_request_version(world.request.id)), "confirmed": "1"},
    )
    assert response.status_code == 302, page_text(response)
    found = re.search(r"/demandes/(\d+)$", response.headers["Location"])
    assert found
    new_id = int(found.group(1))
    assert new_id != world.request.id
    assert AidRequest
    return new_id


def _request_version(request_id: int) -> int:
    from cpas.aid.models import AidRequest

    row = db.session.get(AidRequest, request_id)
    assert row is not None
    return row.version


def test_the_suffix_comes_back_on_a_duplicated_request(
    app, client, world, url, save_line, inquiry_urls
):
    partner = world.dossier.members["partner"]
    assert save_line(partner, suffix="7").status_code == 302
    with app.app_context():
        new_id = _duplicate(client, world, inquiry_urls)
    html = page_text(client.get(url(new_id)))
    row = re.search(rf'<tr id="form-a-member-{partner.id}">.*?</tr>', html, re.S)
    assert row and re.search(r"<td>7", row.group(0)), "Jean's suffix on the new request"
    edit = page_text(client.get(url(new_id) + f"?modifier={partner.id}"))
    assert _suffix_input(edit, partner.id) == "7"


def test_the_suffix_is_proposed_on_a_new_request(app, client, world, url, save_line, new_request):
    partner = world.dossier.members["partner"]
    assert save_line(partner, suffix="7").status_code == 302
    second = new_request(world.dossier, world.social_a)
    assert _form(app, second.id) is None, "a fresh request has no formulaire A yet"
    html = page_text(client.get(url(second) + f"?modifier={partner.id}"))
    assert _suffix_input(html, partner.id) == "7", "proposed from the earlier request"
    assert "Suffixe des demandes précédentes : 7" in html
    lucas = world.dossier.members["minor_child"]
    other = page_text(client.get(url(second) + f"?modifier={lucas.id}"))
    assert _suffix_input(other, lucas.id) in (None, ""), "nobody else gets Jean's suffix"


def test_a_suffix_of_another_person_is_refused_in_any_request(app, world, save_line, new_request):
    partner = world.dossier.members["partner"]
    lucas = world.dossier.members["minor_child"]
    assert save_line(partner, suffix="7").status_code == 302
    same = save_line(lucas, relation="minor_child", suffix="7")
    assert same.status_code == 422
    message = _message(page_text(same), f"m{lucas.id}-suffix")
    assert "Le suffixe 7 est déjà celui de LEFEBVRE Jean" in message
    assert "demande n° 1" in message
    second = new_request(world.dossier, world.social_a)
    later = save_line(lucas, request=second, relation="minor_child", suffix="7")
    assert later.status_code == 422
    assert _line(app, second.id, lucas.id) is None
    assert save_line(partner, request=second, suffix="7").status_code == 302, "his own suffix"


def test_suffixes_of_another_dossier_do_not_count(app, client, login_as, world, inquiry_urls):
    from cpas.inquiry import form_a

    with app.app_context():
        from cpas.aid.models import AidRequest

        req = db.session.get(AidRequest, world.request_b.id)
        assert req is not None
        assert form_a.suffix_holder(req, 7, "00000000000") is None


# ------------------------------------------------------------------ integration warning


def test_a_secondary_beneficiary_not_integrated_gets_a_warning(app, client, world, url, save_line):
    partner = world.dossier.members["partner"]
    assert "form-a-warnings" not in page_text(client.get(url()))
    assert save_line(partner, suffix="2").status_code == 302
    html = page_text(client.get(url()))
    warning = re.search(r'<section[^>]*id="form-a-warnings".*?</section>', html, re.S)
    assert warning, "no warning"
    assert "LEFEBVRE Jean" in warning.group(0) and "en enquête" in warning.group(0)
    assert f'href="/dossiers/{world.dossier.id}/integrations"' in warning.group(0)
    assert "Intégrations - Désintégrations" in warning.group(0)
    integrated = client.post(
        f"/dossiers/{world.dossier.id}/integrations/integrer",
        data={
            "int-members": str(partner.id),
            "int-code": "001",
            "int-start": (date.today() - timedelta(days=1)).strftime("%d/%m/%Y"),
            "int-end": (date.today() + timedelta(days=20)).strftime("%d/%m/%Y"),
        },
    )
    assert integrated.status_code == 200, page_text(integrated)
    assert "form-a-warnings" not in page_text(client.get(url()))


# ------------------------------------------------------------------ the B forms' check


@pytest.mark.parametrize(
    ("b_dates", "refused"),
    [
        ([], False),
        ([date(2026, 3, 1)], False),
        ([date(2026, 3, 1), date(2026, 4, 1)], False),
        ([date(2026, 4, 1), date(2026, 2, 28)], True),
        ([date(2026, 2, 28)], True),
    ],
)
def test_check_against_b_forms(app, b_dates, refused):
    form = FormA(effective_date=date(2026, 3, 1))  # ``app``: every model mapped
    if refused:
        with pytest.raises(InquiryRuleError) as caught:
            check_against_b_forms(form, b_dates)
        assert "01/03/2026" in str(caught.value) and "28/02/2026" in str(caught.value)
        assert caught.value.field == "effective_date"
    else:
        check_against_b_forms(form, b_dates)


# ------------------------------------------------------------------ freeze and scope


def test_frozen_after_submission_and_open_again_after_complete(
    app, client, world, url, save_line, submit, complete, events
):
    partner = world.dossier.members["partner"]
    assert save_line(partner, suffix="3").status_code == 302
    submit(world.request, world.social_a)
    page = page_text(client.get(url()))
    assert FROZEN in page
    assert "?modifier=" not in page and "Enregistrer" not in page
    assert not re.search(r'action="[^"]*formulaire-a[^"]*"', page), "no form left to post"
    form_version = str(_form(app, world.request.id).version)
    before = events(world.request)
    for response in (
        client.post(url(), data={"effective_date": "01/01/2026", "version": form_version}),
        client.post(url(), data={}),  # the freeze before any missing field
        client.post(url(member=partner), data={}),
        save_line(partner, suffix="4"),
        save_line(world.dossier.members["cohabitant"], secondary="non", suffix=""),
    ):
        assert response.status_code == 422
        assert FROZEN in page_text(response)
    assert _line(app, world.request.id, partner.id).suffix == 3
    assert _line(app, world.request.id, world.dossier.members["cohabitant"].id) is None
    assert events(world.request) == before
    complete(world.request, world.director_a)
    assert save_line(partner, suffix="4").status_code == 302


def test_another_cpas_gets_404(client, login_as, world, url, save_line):
    partner = world.dossier.members["partner"]
    login_as(world.social_b)
    assert client.get(url()).status_code == 404
    assert (
        client.post(url(), data={"effective_date": "01/01/2026", "version": "0"}).status_code == 404
    )
    assert save_line(partner).status_code == 404


def test_a_member_of_another_dossier_is_404(client, login_as, world, inquiry_urls):
    sofie = world.dossier_b.main
    response = client.post(
        inquiry_urls.request(world.dossier, world.request, f"formulaire-a/membres/{sofie.id}"),
        data={f"m{sofie.id}-secondary": "non", f"m{sofie.id}-version": "0"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"relation": "cohabitant"}, "relation"),
        ({"status": "martien"}, "status"),
        ({"suffix": 0}, "suffix"),
        ({"suffix": 100}, "suffix"),
        ({"suffix": None}, "suffix"),
    ],
)
def test_the_service_refuses_what_the_form_would_have_refused(app, world, values, field):
    """A caller without the form (the demo, a tampered POST past it) meets the same rules."""
    from cpas.access.models import User
    from cpas.aid.models import AidRequest
    from cpas.dossiers.models import HouseholdMember
    from cpas.inquiry import form_a

    given = {"secondary": True, "suffix": 2, "status": "belge", "relation": "partner"}
    data = form_a.FormAMemberData(nationality=None, **{**given, **values})
    with app.app_context():
        req = db.session.get(AidRequest, world.request.id)
        member = db.session.get(HouseholdMember, world.dossier.members["partner"].id)
        by = db.session.get(User, world.social_a.id)
        with pytest.raises(InquiryRuleError) as caught:
            form_a.save_member(req, member, data, by, version=0)
        assert caught.value.field == field
    assert _line(app, world.request.id, world.dossier.members["partner"].id) is None


def test_the_page_in_dutch(client, world, url, save_line):
    partner = world.dossier.members["partner"]
    assert save_line(partner, suffix="3").status_code == 302
    response = client.post("/langue", data={"locale": "nl", "next": "/"})
    assert response.status_code == 302
    html = page_text(client.get(url()))
    for dutch in ("Formulier A", "Hoofdbegunstigde", "Partner van de begunstigde", "Dossiernummer"):
        assert dutch in html, dutch
    for french in ("Bénéficiaire principal", "Partenaire du bénéficiaire", "Numéro de dossier"):
        assert french not in html, french


def test_the_inputs_of_a_line_belong_to_its_form(client, world, url):
    """The line's inputs sit in its cells and reach its form through ``form="…"``: that
    form's id must be unique in the page, and every input must name it."""
    partner = world.dossier.members["partner"]
    html = page_text(client.get(url() + f"?modifier={partner.id}"))
    row = re.search(rf'<tr id="form-a-member-{partner.id}" class="editing">.*?</tr>', html, re.S)
    assert row
    form_id = re.search(r'<form method="post" id="([^"]+)"', row.group(0)).group(1)
    assert len(re.findall(rf'id="{form_id}"', html)) == 1, "the form's id is unique"
    inputs = re.findall(r"<(?:input|select)\b[^>]*>", row.group(0).split("<form")[0])
    assert len(inputs) >= 6
    for tag in inputs:
        assert f'form="{form_id}"' in tag, tag
