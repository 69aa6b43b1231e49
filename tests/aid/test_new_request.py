"""« Nouvelle demande » (seed 001 §6) through the route: numbering, the creation event, the
household snapshot of the request, the integration « en enquête » (the seed's example),
field messages with the typed values kept, tampered fields, a refusal of the BCSS."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cpas.aid.models import AidRequest, AidRequestEvent
from cpas.dossiers.models import Dossier, HouseholdSnapshot
from cpas.extensions import db
from cpas.registry.adapters import IntegrationResult, LocalBcss, get_bcss
from tests.helpers import page_text

GOOD = {
    "request_date": "15/01/2026",
    "effective_date": "01/01/2026",
    "kind": "demande",
    "nature": "Aide sociale financière : arriérés de loyer.",
}


def post_new(client, aid_urls, dossier, **changes):
    data = {**GOOD, **changes}
    return client.post(aid_urls.new(dossier), data={k: v for k, v in data.items() if v is not None})


def flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def requests_of(app, dossier_id: int) -> list[AidRequest]:
    with app.app_context():
        found = list(
            db.session.scalars(
                select(AidRequest)
                .where(AidRequest.dossier_id == dossier_id)
                .order_by(AidRequest.number)
            )
        )
        for row in found:
            db.session.expunge(row)
        return found


def error_of(html: str, field: str) -> str:
    found = re.search(rf'<div class="field-error" id="{field}-msg">(.*?)</div>', html, re.S)
    assert found, f"no message slot for {field}"
    return found.group(1).strip()


# --------------------------------------------------------------------------- the form


def test_the_form_asks_the_four_values_with_today_by_default(client, login_as, aid_world, aid_urls):
    login_as(aid_world.social_a)
    response = client.get(aid_urls.new(aid_world.dossier_a))
    assert response.status_code == 200
    html = page_text(response)
    today = date.today().strftime("%d/%m/%Y")
    assert re.search(rf'id="request_date"[^>]*value="{today}"', html)
    assert re.search(rf'id="effective_date"[^>]*value="{today}"', html)
    assert 'type="radio" value="demande"' in html and 'type="radio" value="office"' in html
    assert "Agissant d'office" in html and "<textarea" in html and "Enregistrer</button>" in html
    assert (
        "La date de la demande ne pourra plus être changée une fois la demande enregistrée." in html
    )
    assert "Anciens dossiers" not in html  # the dossier is a current one
    # the dossier's sidebar and its breadcrumb
    assert "Page principale du dossier" in html and "DUPONT Marie" in html


def test_an_archived_dossier_still_takes_a_request_and_says_so(
    app, client, login_as, aid_world, aid_urls
):
    from cpas.access.models import User
    from cpas.dossiers import services

    with app.app_context():
        dossier = db.session.get(Dossier, aid_world.dossier_a.id)
        services.set_archived(dossier, True, db.session.get(User, aid_world.director_a.id))
    login_as(aid_world.social_a)
    html = page_text(client.get(aid_urls.new(aid_world.dossier_a)))
    assert "Ce dossier se trouve dans « Anciens dossiers »" in html
    response = post_new(client, aid_urls, aid_world.dossier_a)
    assert response.status_code == 302
    assert [r.number for r in requests_of(app, aid_world.dossier_a.id)] == [1]


# --------------------------------------------------------------------------- creation


def test_requests_are_numbered_per_dossier(app, client, login_as, aid_world, aid_urls):
    login_as(aid_world.social_a)
    first = post_new(client, aid_urls, aid_world.dossier_a)
    assert first.status_code == 302
    [one] = requests_of(app, aid_world.dossier_a.id)
    assert first.headers["Location"].endswith(aid_urls.request(aid_world.dossier_a, one))
    assert ("success", "Demande d'aide n° 1 créée.") in flashes(client)

    second = post_new(
        client, aid_urls, aid_world.dossier_a, request_date="20/01/2026", kind="office"
    )
    assert second.status_code == 302
    assert ("success", "Demande d'aide n° 2 créée.") in flashes(client)
    other = post_new(client, aid_urls, aid_world.dossier_a2)
    assert other.status_code == 302
    login_as(aid_world.social_b)
    theirs = post_new(client, aid_urls, aid_world.dossier_b)
    assert theirs.status_code == 302

    rows = requests_of(app, aid_world.dossier_a.id)
    assert [(r.number, r.request_date, r.kind, r.status) for r in rows] == [
        (1, date(2026, 1, 15), "demande", "en_cours"),
        (2, date(2026, 1, 20), "office", "en_cours"),
    ]
    assert rows[0].effective_date == date(2026, 1, 1)  # before the request date: allowed
    assert rows[0].nature == GOOD["nature"] and rows[0].created_by_id == aid_world.social_a.id
    assert rows[0].organisation_id == aid_world.cpas_a.id
    assert [r.number for r in requests_of(app, aid_world.dossier_a2.id)] == [1]
    [b] = requests_of(app, aid_world.dossier_b.id)
    assert b.number == 1 and b.organisation_id == aid_world.cpas_b.id


def test_the_creation_event_and_the_household_snapshot_of_the_request(
    app, client, login_as, aid_world, aid_urls
):
    login_as(aid_world.social_a)
    assert post_new(client, aid_urls, aid_world.dossier_a).status_code == 302
    [req] = requests_of(app, aid_world.dossier_a.id)
    with app.app_context():
        events = db.session.scalars(
            select(AidRequestEvent).where(AidRequestEvent.request_id == req.id)
        ).all()
        assert [(e.kind, e.label, e.user_id) for e in events] == [
            ("creation", "Création de la demande", aid_world.social_a.id)
        ]
        snapshots = db.session.scalars(
            select(HouseholdSnapshot).where(HouseholdSnapshot.request_id == req.id)
        ).all()
        assert len(snapshots) == 1 and snapshots[0].dossier_id == aid_world.dossier_a.id
        people = {p.niss for p in snapshots[0].people}
    # the register's composition the day of the request: Marie, Jean, Lucas
    assert people == {
        aid_world.people.marie.niss,
        aid_world.people.jean.niss,
        aid_world.people.lucas.niss,
    }


def test_the_seed_example_en_enquete_from_15_01_to_14_02(
    app, client, login_as, aid_world, aid_urls
):
    """Seed 001 §6: « une demande, créée en date du 15/01, générera automatiquement une
    intégration « en enquête » du demandeur jusqu'au 14/02 »."""
    login_as(aid_world.social_a)
    assert (
        post_new(client, aid_urls, aid_world.dossier_a, request_date="15/01/2026").status_code
        == 302
    )
    with app.app_context():
        periods = get_bcss().consult(
            aid_world.cpas_a.id, aid_world.people.marie.niss, date(2025, 1, 1), date(2027, 1, 1)
        )
        # only the main beneficiary is integrated; not his partner
        jean = get_bcss().consult(
            aid_world.cpas_a.id, aid_world.people.jean.niss, date(2025, 1, 1), None
        )
    assert [(code, p.start, p.end) for code, p in periods] == [
        ("001", date(2026, 1, 15), date(2026, 2, 14))
    ]
    assert jean == []
    [req] = requests_of(app, aid_world.dossier_a.id)
    assert req.integration_ok is True and req.integration_message is None
    # « Consulter » on the integrations page shows it
    response = client.post(
        f"/dossiers/{aid_world.dossier_a.id}/integrations/consulter",
        data={"con-member": str(aid_world.dossier_a.main_member_id), "con-start": "01/01/2026"},
    )
    section = re.search(
        r'<section class="card" id="consultation"(.*?)</section>', page_text(response), re.S
    )
    assert section, "no consultation block"
    shown = " ".join(re.sub(r"<[^>]+>", " ", section.group(1)).split())
    assert "001" in shown and "15/01/2026" in shown and "14/02/2026" in shown, shown


# --------------------------------------------------------------------------- refused input


CASES = [
    ("request_date", {"request_date": ""}, "Indiquez la date de la demande"),
    ("request_date", {"request_date": None}, "Indiquez la date de la demande"),
    ("request_date", {"request_date": "32/13/2025"}, "Date attendue au format JJ/MM/AAAA."),
    ("request_date", {"request_date": "abc"}, "Date attendue au format JJ/MM/AAAA."),
    ("effective_date", {"effective_date": ""}, "Indiquez la date d'entrée en vigueur proposée"),
    ("effective_date", {"effective_date": "31/02/2026"}, "Date attendue au format JJ/MM/AAAA."),
    ("kind", {"kind": None}, "Choisissez le type de la demande."),
    ("kind", {"kind": "autre"}, ""),
    ("nature", {"nature": ""}, "Décrivez la nature de la demande."),
    ("nature", {"nature": "   "}, "Décrivez la nature de la demande."),
    ("nature", {"nature": "x" * 4001}, "ne peut dépasser 4000 caractères"),
    ("nature", {"nature": "ab\x00cd"}, ""),
]


@pytest.mark.parametrize(("field", "changes", "message"), CASES)
def test_a_missing_or_invalid_field_is_a_422_with_the_typed_values_kept(
    app, client, login_as, aid_world, aid_urls, field, changes, message
):
    typed = {
        "request_date": "10/01/2026",
        "effective_date": "05/01/2026",
        "kind": "office",
        "nature": "Nature tapée <b>gardée</b>",
    }
    login_as(aid_world.social_a)
    response = client.post(
        aid_urls.new(aid_world.dossier_a),
        data={k: v for k, v in {**typed, **changes}.items() if v is not None},
    )
    assert response.status_code == 422
    html = page_text(response)
    slot = error_of(html, field)
    assert slot and message in slot, slot
    for other in {"request_date", "effective_date"} - {field}:
        assert re.search(rf'id="{other}"[^>]*value="{typed[other]}"', html), other
        assert error_of(html, other) == ""
    if field != "kind":
        assert re.search(r'checked[^>]*value="office"|value="office"[^>]*checked', html)
    if field != "nature":
        assert "Nature tapée &lt;b&gt;gardée&lt;/b&gt;" in response.get_data(
            as_text=True
        )  # escaped
    if field in ("request_date", "effective_date") and changes[field]:
        assert re.search(rf'id="{field}"[^>]*value="{re.escape(changes[field])}"', html)
    assert requests_of(app, aid_world.dossier_a.id) == []


def test_a_request_date_in_the_future_is_refused(app, client, login_as, aid_world, aid_urls):
    tomorrow = (date.today() + timedelta(days=1)).strftime("%d/%m/%Y")
    login_as(aid_world.social_a)
    response = post_new(client, aid_urls, aid_world.dossier_a, request_date=tomorrow)
    assert response.status_code == 422
    html = page_text(response)
    assert "La date de la demande ne peut pas être dans le futur." in error_of(html, "request_date")
    assert re.search(rf'id="request_date"[^>]*value="{tomorrow}"', html)
    assert requests_of(app, aid_world.dossier_a.id) == []
    # today is fine, and a future effective date too
    later = (date.today() + timedelta(days=30)).strftime("%d/%m/%Y")
    today = date.today().strftime("%d/%m/%Y")
    assert (
        post_new(
            client, aid_urls, aid_world.dossier_a, request_date=today, effective_date=later
        ).status_code
        == 302
    )


def test_a_tampered_number_or_status_is_ignored(app, client, login_as, aid_world, aid_urls):
    login_as(aid_world.social_a)
    response = post_new(
        client,
        aid_urls,
        aid_world.dossier_a,
        number="99",
        status="cloturee",
        archived="1",
        organisation_id=str(aid_world.cpas_b.id),
        dossier_id=str(aid_world.dossier_b.id),
        integration_ok="0",
    )
    assert response.status_code == 302
    [req] = requests_of(app, aid_world.dossier_a.id)
    assert (req.number, req.status, req.archived, req.organisation_id) == (
        1,
        "en_cours",
        False,
        aid_world.cpas_a.id,
    )
    assert req.integration_ok is True
    assert requests_of(app, aid_world.dossier_b.id) == []


def test_a_refusal_of_the_bcss_keeps_the_request_and_says_so(
    app, client, login_as, aid_world, aid_urls, monkeypatch
):
    def refuse(self, organisation_id, niss, code, period, by_id):  # noqa: ARG001
        return IntegrationResult(niss, False, "Service BCSS indisponible.")

    monkeypatch.setattr(LocalBcss, "integrate", refuse)
    login_as(aid_world.social_a)
    response = post_new(client, aid_urls, aid_world.dossier_a)
    assert response.status_code == 302
    [req] = requests_of(app, aid_world.dossier_a.id)
    assert response.headers["Location"].endswith(aid_urls.request(aid_world.dossier_a, req))
    assert req.number == 1 and req.integration_ok is False
    assert req.integration_message == "Service BCSS indisponible."
    assert flashes(client) == [
        ("success", "Demande d'aide n° 1 créée."),
        (
            "error",
            "L'intégration « en enquête » à la BCSS a été refusée : Service BCSS indisponible.",
        ),
    ]
    with app.app_context():
        assert (
            get_bcss().consult(
                aid_world.cpas_a.id, aid_world.people.marie.niss, date(2025, 1, 1), None
            )
            == []
        )


def test_only_users_who_may_create_reach_the_form(
    app, client, login_as, make_user, aid_world, aid_urls
):
    lister = make_user(aid_world.cpas_a, ("dossiers.view", "dossiers.search", "aid.list"))
    for user in (aid_world.viewer_a, lister):
        login_as(user)
        assert client.get(aid_urls.new(aid_world.dossier_a)).status_code == 403
        assert post_new(client, aid_urls, aid_world.dossier_a).status_code == 403
    login_as(aid_world.director_a)
    assert client.get(aid_urls.new(aid_world.dossier_a)).status_code == 200
    assert post_new(client, aid_urls, aid_world.dossier_a).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AidRequest)) == 1
