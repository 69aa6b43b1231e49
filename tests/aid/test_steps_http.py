"""The request's steps over HTTP (issue 14 §5–8, seed 001 §13–17): each step from each
status, allowed or refused; the confirmation without JavaScript; the stale page; the
request date that never changes; duplicate, close and revise; rapport and proposition."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from cpas.aid.models import AidRequest, AidRequestEvent
from cpas.dossiers.models import HouseholdSnapshot
from cpas.extensions import db
from tests.audit_helpers import entries_since, last_entry_id
from tests.helpers import page_text

STATUSES = ("en_cours", "soumise", "decision", "formulaire", "cloturee")

#: The status each step reaches from each status it may start from (seed 001 §15–17);
#: every other (status, step) is refused. duplicate / revise keep the status (a new
#: request is made).
ALLOWED = {
    ("en_cours", "submit"): "soumise",  # with a proposal (see ``_ready``)
    ("soumise", "complete"): "en_cours",
    ("soumise", "decide"): "decision",
    ("decision", "send_form"): "formulaire",
    ("decision", "close"): "cloturee",
    ("formulaire", "close"): "cloturee",
    ("en_cours", "duplicate"): "en_cours",
    ("soumise", "duplicate"): "soumise",
    ("decision", "duplicate"): "decision",
    ("formulaire", "duplicate"): "formulaire",
    ("cloturee", "revise"): "cloturee",
}
STEPS = {
    "submit": "soumettre",
    "complete": "completer",
    "decide": "decision",
    "send_form": "formulaire",
    "duplicate": "dupliquer",
    "close": "cloturer",
    "revise": "reviser",
}
EVENT = {
    "submit": "Soumission au Conseil",
    "complete": "Complétude de l'enquête sociale",
    "decide": "Décision encodée",
    "send_form": "Formulaire envoyé au SPP IS",
    "close": "Clôture de la demande",
}


def plain(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split())


def state(app, request_id: int) -> tuple[str, int, int, str | None, str | None]:
    """(status, version, number of events, report, proposal) of a request."""
    with app.app_context():
        req = db.session.get(AidRequest, request_id)
        count = db.session.scalar(
            select(func.count())
            .select_from(AidRequestEvent)
            .where(AidRequestEvent.request_id == request_id)
        )
        return req.status, req.version, count, req.report, req.proposal


def events_of(app, request_id: int) -> list[tuple[str, int | None]]:
    with app.app_context():
        rows = db.session.scalars(
            select(AidRequestEvent)
            .where(AidRequestEvent.request_id == request_id)
            .order_by(AidRequestEvent.id)
        )
        return [(row.label, row.user_id) for row in rows]


def requests_of(app, dossier_id: int) -> list[AidRequest]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(AidRequest)
                .where(AidRequest.dossier_id == dossier_id)
                .order_by(AidRequest.number)
            )
        )
        for row in rows:
            db.session.expunge(row)
        return rows


def post_step(client, aid_urls, dossier, req, step: str, **data):
    data.setdefault("version", state(client.application, req.id)[1])
    return client.post(aid_urls.request(dossier, req, f"etape/{STEPS[step]}"), data=data)


# ------------------------------------------------------------------ the table


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("step", sorted(STEPS))
def test_each_step_from_each_status(
    client, login_as, aid_world, make_request, aid_urls, status, step
):
    """As the director (every function): allowed → the status reached, one event, one audit
    entry aid.<step> naming the user; refused → 422 with the message, nothing changed."""
    app = client.application
    dossier = aid_world.dossier_a
    req = make_request(dossier, aid_world.social_a, status=status)
    login_as(aid_world.director_a)
    if (status, step) == ("en_cours", "submit"):  # submitting needs a saved proposal
        saved = client.post(
            aid_urls.request(dossier, req, "proposition"),
            data={
                "version": req.version,
                "proposal": "Aide de 200 EUR.",
                "meeting_date": "20/12/2026",
            },
        )
        assert saved.status_code == 302
    before = state(app, req.id)
    count_before = len(requests_of(app, dossier.id))
    mark = last_entry_id(app)
    response = post_step(client, aid_urls, dossier, req, step, confirmed="1")
    after = state(app, req.id)
    if (status, step) in ALLOWED:
        assert response.status_code == 302, plain(response)
        assert after[0] == ALLOWED[(status, step)]
        assert after[2] == before[2] + 1  # one event on the request
        entries = entries_since(app, mark, f"aid.{step}")
        assert len(entries) == 1 and entries[0].user_id == aid_world.director_a.id
        assert entries[0].object_id == str(req.id)
        if step in EVENT:
            assert events_of(app, req.id)[-1] == (EVENT[step], aid_world.director_a.id)
        if step in ("duplicate", "revise"):
            assert len(requests_of(app, dossier.id)) == count_before + 1
    else:
        assert response.status_code == 422
        assert "Cette action n'est pas possible pour cet élément dans son statut actuel." in plain(
            response
        )
        assert after == before
        assert entries_since(app, mark, f"aid.{step}") == []
        assert len(requests_of(app, dossier.id)) == count_before


@pytest.mark.parametrize("status", ["decision", "formulaire"])
def test_a_social_worker_never_closes(client, login_as, aid_world, make_request, aid_urls, status):
    req = make_request(aid_world.dossier_a, aid_world.social_a, status=status)
    login_as(aid_world.social_a)
    before = state(client.application, req.id)
    response = post_step(client, aid_urls, aid_world.dossier_a, req, "close", confirmed="1")
    assert response.status_code == 422
    assert state(client.application, req.id) == before


def test_submit_without_a_proposal_is_refused_with_the_reason(
    client, login_as, aid_world, make_request, aid_urls
):
    req = make_request(aid_world.dossier_a, aid_world.social_a)
    login_as(aid_world.social_a)
    before = state(client.application, req.id)
    response = post_step(client, aid_urls, aid_world.dossier_a, req, "submit", confirmed="1")
    assert response.status_code == 422
    assert "Enregistrez d'abord une proposition" in plain(response)
    assert state(client.application, req.id) == before


def test_an_unknown_step_is_not_found(client, login_as, aid_world, make_request, aid_urls):
    req = make_request(aid_world.dossier_a, aid_world.social_a)
    login_as(aid_world.director_a)
    for segment in ("submit", "supprimer", "etape"):
        response = client.post(
            aid_urls.request(aid_world.dossier_a, req, f"etape/{segment}"),
            data={"version": req.version},
        )
        assert response.status_code == 404


# ------------------------------------------------------------------ confirmation and conflicts


@pytest.mark.parametrize(
    ("status", "step"),
    [
        ("soumise", "complete"),
        ("en_cours", "duplicate"),
        ("decision", "close"),
        ("cloturee", "revise"),
    ],
)
def test_without_confirmation_the_page_asks_and_nothing_changes(
    client, login_as, aid_world, make_request, aid_urls, status, step
):
    app = client.application
    req = make_request(aid_world.dossier_a, aid_world.social_a, status=status)
    login_as(aid_world.director_a)
    before = state(app, req.id)
    response = post_step(client, aid_urls, aid_world.dossier_a, req, step)
    assert response.status_code == 200
    html = page_text(response)
    form = re.search(
        r'<form method="post" action="([^"]+)"[^>]*id="confirm-step".*?</form>', html, re.S
    )
    assert form and form.group(1) == aid_urls.request(
        aid_world.dossier_a, req, f"etape/{STEPS[step]}"
    )
    assert 'name="confirmed" value="1"' in form.group(0)
    assert "Oui, confirmer" in form.group(0) and "Non, ne rien changer" in form.group(0)
    assert state(app, req.id) == before
    assert len(requests_of(app, aid_world.dossier_a.id)) == 1
    # « Oui » then takes it
    version = re.search(r'name="version" value="(\d+)"', form.group(0)).group(1)
    done = client.post(form.group(1), data={"version": version, "confirmed": "1"})
    assert done.status_code == 302


def test_a_stale_step_is_a_conflict_and_nothing_changes(
    client, login_as, aid_world, make_request, aid_urls
):
    req = make_request(aid_world.dossier_a, aid_world.social_a, status="soumise")
    login_as(aid_world.director_a)
    before = state(client.application, req.id)
    response = post_step(
        client, aid_urls, aid_world.dossier_a, req, "complete", version=before[1] - 1, confirmed="1"
    )
    assert response.status_code == 409
    assert "notice-conflict" in page_text(response)
    assert state(client.application, req.id) == before


def test_a_stale_report_keeps_the_typed_text_beside_the_saved_one(
    client, login_as, aid_world, make_request, aid_urls
):
    app = client.application
    req = make_request(aid_world.dossier_a, aid_world.social_a)
    url = aid_urls.request(aid_world.dossier_a, req, "rapport")
    login_as(aid_world.social_a)
    loaded = page_text(client.get(url)).split('id="report-form"', 1)[1]
    stale = int(re.search(r'name="version"[^>]*value="(\d+)"', loaded).group(1))
    # meanwhile the director saves another report
    other = app.test_client()
    login_as(aid_world.director_a, on=other)
    assert (
        other.post(url, data={"version": stale, "report": "Rapport du directeur."}).status_code
        == 302
    )
    before = state(app, req.id)
    response = client.post(url, data={"version": stale, "report": "Mon rapport\nde deux lignes."})
    assert response.status_code == 409
    html = page_text(response)
    assert re.search(
        r"<textarea[^>]*name=\"report\"[^>]*>\s*Mon rapport\nde deux lignes.</textarea>", html
    )
    assert "Valeur enregistrée : Rapport du directeur." in plain(response)
    assert f"par Prénom {aid_world.director_a.last_name}" in plain(response)
    assert state(app, req.id) == before
    # the form now carries the saved version: saving again goes through
    form = html.split('id="report-form"', 1)[1].split("</form>", 1)[0]
    version = int(re.search(r'name="version"[^>]*value="(\d+)"', form).group(1))
    assert version == before[1]
    again = client.post(url, data={"version": version, "report": "Mon rapport\nde deux lignes."})
    assert again.status_code == 302
    assert state(app, req.id)[3] == "Mon rapport\nde deux lignes."


# ------------------------------------------------------------------ rapport and proposition


def test_the_report_is_saved_and_the_page_comes_back(
    client, login_as, aid_world, make_request, aid_urls
):
    app = client.application
    req = make_request(aid_world.dossier_a, aid_world.social_a)
    url = aid_urls.request(aid_world.dossier_a, req, "rapport")
    login_as(aid_world.social_a)
    page = client.get(url)
    textarea = re.search(r"<textarea[^>]*>", page_text(page)).group(0)
    assert 'rows="20"' in textarea and 'name="report"' in textarea
    mark = last_entry_id(app)
    response = client.post(url, data={"version": req.version, "report": "Situation difficile."})
    assert response.status_code == 302
    assert response.headers["Location"] == aid_urls.request(aid_world.dossier_a, req)
    shown = client.get(response.headers["Location"])
    assert "Rapport enregistré." in plain(shown)
    assert state(app, req.id)[3] == "Situation difficile."
    assert events_of(app, req.id)[-1] == ("Rapport enregistré", aid_world.social_a.id)
    assert len(entries_since(app, mark, "aid.report")) == 1


def test_an_empty_report_is_refused_next_to_the_field(
    client, login_as, aid_world, make_request, aid_urls
):
    req = make_request(aid_world.dossier_a, aid_world.social_a)
    url = aid_urls.request(aid_world.dossier_a, req, "rapport")
    login_as(aid_world.social_a)
    before = state(client.application, req.id)
    response = client.post(url, data={"version": req.version, "report": "   "})
    assert response.status_code == 422
    msg = re.search(r'<div class="field-error" id="report-msg">([^<]*)</div>', page_text(response))
    assert msg and "Rédigez le rapport social avant de l'enregistrer." in msg.group(1)
    assert state(client.application, req.id) == before


def test_the_report_is_read_only_once_submitted(
    client, login_as, aid_world, make_request, aid_urls
):
    req = make_request(
        aid_world.dossier_a, aid_world.social_a, status="soumise", report="Rapport figé."
    )
    url = aid_urls.request(aid_world.dossier_a, req, "rapport")
    login_as(aid_world.social_a)
    page = page_text(client.get(url))
    assert "<textarea" not in page and "Rapport figé." in page
    before = state(client.application, req.id)
    response = client.post(url, data={"version": before[1], "report": "Changé."})
    assert response.status_code == 422
    assert state(client.application, req.id) == before
    assert "Cette action n'est pas possible pour cet élément dans son statut actuel." in plain(
        response
    )
    assert re.search(
        r'<textarea id="typed-report"[^>]*readonly[^>]*>Changé.</textarea>', page_text(response)
    )


def test_a_report_typed_while_the_request_was_submitted_is_kept(
    client, login_as, aid_world, make_request, aid_urls
):
    """The step went away with the other change: 409, why, and the typed text to copy."""
    app = client.application
    req = make_request(aid_world.dossier_a, aid_world.social_a)
    url = aid_urls.request(aid_world.dossier_a, req, "rapport")
    login_as(aid_world.social_a)
    loaded = page_text(client.get(url)).split('id="report-form"', 1)[1]
    stale = int(re.search(r'name="version"[^>]*value="(\d+)"', loaded).group(1))
    other = app.test_client()
    login_as(aid_world.director_a, on=other)
    saved = other.post(
        aid_urls.request(aid_world.dossier_a, req, "proposition"),
        data={"version": stale, "proposal": "Aide.", "meeting_date": "20/12/2026"},
    )
    assert saved.status_code == 302
    submitted = post_step(other, aid_urls, aid_world.dossier_a, req, "submit", confirmed="1")
    assert submitted.status_code == 302
    before = state(app, req.id)
    response = client.post(url, data={"version": stale, "report": "Mon rapport tardif."})
    assert response.status_code == 409
    text = plain(response)
    assert (
        "L'action « Rapport » n'est plus possible : le statut est maintenant "
        "« Rapport envoyé au Conseil »." in text
    )
    assert f"par Prénom {aid_world.director_a.last_name}" in text
    assert re.search(
        r'<textarea id="typed-report"[^>]*>Mon rapport tardif.</textarea>', page_text(response)
    )
    assert state(app, req.id) == before


def test_the_proposal_with_its_meeting_date_today_by_default(
    client, login_as, aid_world, make_request, aid_urls
):
    app = client.application
    req = make_request(aid_world.dossier_a, aid_world.social_a, date(2026, 1, 15))
    url = aid_urls.request(aid_world.dossier_a, req, "proposition")
    login_as(aid_world.social_a)
    page = page_text(client.get(url))
    meeting = re.search(r'<input[^>]*name="meeting_date"[^>]*>', page).group(0)
    assert f'value="{date.today():%d/%m/%Y}"' in meeting
    too_early = client.post(
        url, data={"version": req.version, "proposal": "Aide.", "meeting_date": "10/01/2026"}
    )
    assert too_early.status_code == 422
    assert "La date prévue de réunion ne peut pas précéder la date de la demande." in plain(
        too_early
    )
    assert re.search(r'name="meeting_date"[^>]*value="10/01/2026"', page_text(too_early))
    done = client.post(
        url,
        data={"version": req.version, "proposal": "Aide de 500 EUR.", "meeting_date": "05/02/2026"},
    )
    assert done.status_code == 302
    assert "Proposition enregistrée." in plain(client.get(done.headers["Location"]))
    with app.app_context():
        row = db.session.get(AidRequest, req.id)
        assert (row.proposal, row.meeting_date) == ("Aide de 500 EUR.", date(2026, 2, 5))


# ------------------------------------------------------------------ modify: never the request date


def test_modify_shows_the_request_date_read_only(
    client, login_as, aid_world, make_request, aid_urls
):
    req = make_request(aid_world.dossier_a, aid_world.social_a, date(2026, 1, 15), nature="Loyer")
    login_as(aid_world.social_a)
    page = page_text(client.get(aid_urls.request(aid_world.dossier_a, req, "modifier")))
    assert 'name="request_date"' not in page
    assert "15/01/2026" in page and "ne peut jamais être modifiée" in page
    assert re.search(r'<textarea[^>]*name="nature"[^>]*>\s*Loyer</textarea>', page)
    assert re.search(r'name="effective_date"[^>]*value="15/01/2026"', page)
    assert re.search(r'<option selected value="demande">|<option value="demande" selected>', page)


def test_a_tampered_request_date_is_refused_and_nothing_changes(
    client, login_as, aid_world, make_request, aid_urls
):
    app = client.application
    req = make_request(aid_world.dossier_a, aid_world.social_a, date(2026, 1, 15), nature="Loyer")
    login_as(aid_world.social_a)
    before = state(app, req.id)
    response = client.post(
        aid_urls.request(aid_world.dossier_a, req, "modifier"),
        data={
            "version": req.version,
            "request_date": "01/01/2026",
            "kind": "office",
            "effective_date": "01/02/2026",
            "nature": "Loyer et chauffage",
        },
    )
    assert response.status_code == 422
    assert (
        "La date de la demande ne peut jamais être modifiée une fois la demande enregistrée."
        in plain(response)
    )
    assert state(app, req.id) == before
    with app.app_context():
        row = db.session.get(AidRequest, req.id)
        assert (row.request_date, row.kind, row.effective_date, row.nature) == (
            date(2026, 1, 15),
            "demande",
            date(2026, 1, 15),
            "Loyer",
        )


def test_modify_without_the_request_date_leaves_it_as_it_was(
    client, login_as, aid_world, make_request, aid_urls
):
    app = client.application
    req = make_request(aid_world.dossier_a, aid_world.social_a, date(2026, 1, 15), nature="Loyer")
    login_as(aid_world.social_a)
    mark = last_entry_id(app)
    response = client.post(
        aid_urls.request(aid_world.dossier_a, req, "modifier"),
        data={
            "version": req.version,
            "kind": "office",
            "effective_date": "01/02/2026",
            "nature": "Loyer et chauffage",
        },
    )
    assert response.status_code == 302
    assert "Demande modifiée." in plain(client.get(response.headers["Location"]))
    with app.app_context():
        row = db.session.get(AidRequest, req.id)
        assert (row.request_date, row.kind, row.effective_date, row.nature) == (
            date(2026, 1, 15),
            "office",
            date(2026, 2, 1),
            "Loyer et chauffage",
        )
    assert events_of(app, req.id)[-1] == ("Enrichissement de la demande", aid_world.social_a.id)
    assert len(entries_since(app, mark, "aid.modify")) == 1


def test_modify_is_refused_once_submitted(client, login_as, aid_world, make_request, aid_urls):
    req = make_request(aid_world.dossier_a, aid_world.social_a, status="soumise")
    login_as(aid_world.social_a)
    before = state(client.application, req.id)
    response = client.post(
        aid_urls.request(aid_world.dossier_a, req, "modifier"),
        data={
            "version": before[1],
            "kind": "office",
            "effective_date": "01/02/2026",
            "nature": "X",
        },
    )
    assert response.status_code == 422
    assert state(client.application, req.id) == before


# ------------------------------------------------------------------ duplicate and revise


@pytest.mark.parametrize("status", ["en_cours", "soumise", "decision", "formulaire"])
def test_duplicate_from_each_open_status(
    client, login_as, aid_world, make_request, aid_urls, status
):
    app = client.application
    source = make_request(
        aid_world.dossier_a,
        aid_world.social_a,
        date(2026, 1, 15),
        status=status,
        kind="office",
        nature="Mazout",
    )
    login_as(aid_world.social_a)
    response = post_step(client, aid_urls, aid_world.dossier_a, source, "duplicate", confirmed="1")
    assert response.status_code == 302
    rows = requests_of(app, aid_world.dossier_a.id)
    assert len(rows) == 2
    new = rows[1]
    assert response.headers["Location"] == aid_urls.request(aid_world.dossier_a, new.id)
    assert "Demande dupliquée : demande n° 2." in plain(client.get(response.headers["Location"]))
    assert (new.number, new.status, new.kind, new.nature) == (2, "en_cours", "office", "Mazout")
    assert new.request_date == new.effective_date == date.today()
    assert (new.origin_id, new.origin) == (source.id, "duplicate")
    assert state(app, source.id)[0] == status
    with app.app_context():
        snapshots = db.session.scalar(
            select(func.count())
            .select_from(HouseholdSnapshot)
            .where(HouseholdSnapshot.request_id == new.id)
        )
    assert snapshots == 1
    assert events_of(app, source.id)[-1] == (
        "Duplication de la demande (nouvelle demande n° 2)",
        aid_world.social_a.id,
    )
    assert ("Création par duplication de la demande n° 1", aid_world.social_a.id) in events_of(
        app, new.id
    )


def test_revise_a_closed_request(client, login_as, aid_world, make_request, aid_urls):
    app = client.application
    source = make_request(
        aid_world.dossier_a,
        aid_world.social_a,
        date(2026, 1, 15),
        status="cloturee",
        nature="Loyer",
    )
    login_as(aid_world.social_a)
    response = post_step(client, aid_urls, aid_world.dossier_a, source, "revise", confirmed="1")
    assert response.status_code == 302
    new = requests_of(app, aid_world.dossier_a.id)[1]
    assert response.headers["Location"] == aid_urls.request(aid_world.dossier_a, new.id)
    assert "Demande révisée : nouvelle demande n° 2." in plain(
        client.get(response.headers["Location"])
    )
    assert (new.origin_id, new.origin, new.status, new.nature) == (
        source.id,
        "revision",
        "en_cours",
        "Loyer",
    )
    assert new.request_date == date.today()
    assert state(app, source.id)[0] == "cloturee"
    assert events_of(app, source.id)[-1] == (
        "Révision de la demande (nouvelle demande n° 2)",
        aid_world.social_a.id,
    )
    assert ("Création par révision de la demande n° 1", aid_world.social_a.id) in events_of(
        app, new.id
    )


def test_the_flash_after_each_menu_step(client, login_as, aid_world, make_request, aid_urls):
    req = make_request(aid_world.dossier_a, aid_world.social_a, status="soumise")
    login_as(aid_world.social_a)
    response = post_step(client, aid_urls, aid_world.dossier_a, req, "complete", confirmed="1")
    assert response.status_code == 302
    page = plain(client.get(response.headers["Location"]))
    assert "Enquête sociale rouverte : soumettez à nouveau la demande au Conseil." in page
    assert "Statut de la demande Demande en cours" in page
    login_as(aid_world.director_a)
    closed = make_request(aid_world.dossier_a2, aid_world.social_a, status="decision")
    response = post_step(client, aid_urls, aid_world.dossier_a2, closed, "close", confirmed="1")
    assert "Demande clôturée." in plain(client.get(response.headers["Location"]))
