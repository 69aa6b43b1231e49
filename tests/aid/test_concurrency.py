"""Two people on one request (issue 14 §11, the mechanism of « Make what exists
trustworthy »): the second change made from a stale page is refused with 409, what that
person typed is kept, the other's saved value is shown beside it, and nothing of theirs is
saved. Two « Nouvelle demande » at the same moment in one dossier get 1 and 2, and the
database itself refuses a number twice.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from cpas.access.models import User
from cpas.aid import queries, services
from cpas.aid.lifecycle import AID
from cpas.aid.models import AidRequest, AidRequestEvent
from cpas.dossiers.models import Dossier
from cpas.extensions import db
from cpas.timeutil import utcnow
from tests.helpers import page_text

VERSION = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')
TEXT_A = "Rapport d'Anne : visite du 10/11, loyer impayé depuis deux mois."
TEXT_B = "Rapport de Bruno : revenus du ménage vérifiés auprès de la BCSS."


@pytest.fixture
def two(app, client, login_as, aid_world, make_request):
    """The social worker (A) and the director (B) of CPAS A, each with their own browser,
    and an open request of Marie's dossier with its proposition saved."""
    made = make_request(aid_world.dossier_a, aid_world.social_a)
    with app.app_context():
        req = db.session.get(AidRequest, made.id)
        by = db.session.get(User, aid_world.social_a.id)
        AID.fire(
            req, "proposal", by, req.version, {"proposal": "Aide.", "meeting_date": date.today()}
        )
    first = login_as(aid_world.social_a)
    second = login_as(aid_world.director_a, on=app.test_client())
    base = f"/dossiers/{aid_world.dossier_a.id}/demandes/{made.id}"
    return first, second, made.id, base


def version_in(response) -> str:
    """The version the page's form carries (the first form)."""
    match = VERSION.search(response.get_data(as_text=True))
    assert match, "no version field in the page"
    return match.group(1) or match.group(2)


def events_of(app, request_id: int) -> list[str]:
    with app.app_context():
        return [
            e.kind
            for e in db.session.scalars(
                select(AidRequestEvent)
                .where(AidRequestEvent.request_id == request_id)
                .order_by(AidRequestEvent.id)
            )
        ]


def saved(app, request_id: int) -> AidRequest:
    with app.app_context():
        row = db.session.get(AidRequest, request_id)
        assert row is not None
        db.session.expunge(row)
        return row


def test_the_second_rapport_from_a_stale_page_is_refused_and_kept(app, two):
    a, b, request_id, base = two
    version_a = version_in(a.get(f"{base}/rapport"))
    version_b = version_in(b.get(f"{base}/rapport"))
    assert version_a == version_b
    first = a.post(f"{base}/rapport", data={"version": version_a, "report": TEXT_A})
    assert first.status_code == 302
    second = b.post(f"{base}/rapport", data={"version": version_b, "report": TEXT_B})
    assert second.status_code == 409
    text = page_text(second)
    assert "Cette demande a été modifiée" in text
    # what B typed, kept in the field; A's text beside it
    assert re.search(rf'<textarea[^>]*name="report"[^>]*>\s*{re.escape(TEXT_B)}</textarea>', text)
    assert f"Valeur enregistrée : <strong>{TEXT_A}</strong>" in text
    # the form now carries the saved version: saving again is possible
    assert version_in(second) == str(saved(app, request_id).version)
    row = saved(app, request_id)
    assert row.report == TEXT_A
    assert events_of(app, request_id).count("report") == 1


def test_the_second_modification_from_a_stale_page_is_refused_and_kept(app, two):
    a, b, request_id, base = two
    version = version_in(a.get(f"{base}/modifier"))
    assert version_in(b.get(f"{base}/modifier")) == version
    first = a.post(
        f"{base}/modifier",
        data={
            "version": version,
            "kind": "demande",
            "effective_date": "01/12/2026",
            "nature": "Mazout (complété par Anne)",
        },
    )
    assert first.status_code == 302
    second = b.post(
        f"{base}/modifier",
        data={
            "version": version,
            "kind": "office",
            "effective_date": "15/11/2026",
            "nature": "Électricité (Bruno)",
        },
    )
    assert second.status_code == 409
    text = page_text(second)
    assert "Électricité (Bruno)" in text and "15/11/2026" in text  # kept
    assert "Valeur enregistrée : <strong>Mazout (complété par Anne)</strong>" in text
    row = saved(app, request_id)
    assert (row.kind, row.effective_date, row.nature) == (
        "demande",
        date(2026, 12, 1),
        "Mazout (complété par Anne)",
    )
    assert events_of(app, request_id).count("modify") == 1


def test_a_submission_from_a_stale_page_is_refused(app, two):
    """A submits; B, on the page loaded before, submits too: 409, one submission."""
    a, b, request_id, base = two
    version = version_in(a.get(base))
    assert version_in(b.get(base)) == version
    done = a.post(f"{base}/etape/soumettre", data={"version": version, "confirmed": "1"})
    assert done.status_code == 302
    stale = b.post(f"{base}/etape/soumettre", data={"version": version, "confirmed": "1"})
    assert stale.status_code == 409
    text = page_text(stale)
    assert "Cette demande a été modifiée" in text
    assert "n'est plus possible" in text and "Rapport envoyé au Conseil" in text
    assert saved(app, request_id).status == "soumise"
    assert events_of(app, request_id).count("submit") == 1


def test_b_submits_after_a_completed_the_inquiry(app, two):
    """The request is before the Council; both load it; A « Compléter l'enquête sociale »;
    B, on the stale page, completes too: 409, the request « en cours » once, one event."""
    a, b, request_id, base = two
    version = version_in(a.get(base))
    submitted = a.post(f"{base}/etape/soumettre", data={"version": version, "confirmed": "1"})
    assert submitted.status_code == 302
    version = version_in(a.get(base))
    assert version_in(b.get(base)) == version
    done = a.post(f"{base}/etape/completer", data={"version": version, "confirmed": "1"})
    assert done.status_code == 302
    stale = b.post(f"{base}/etape/completer", data={"version": version, "confirmed": "1"})
    assert stale.status_code == 409
    assert saved(app, request_id).status == "en_cours"
    assert events_of(app, request_id).count("complete") == 1
    # and B submitting from the page loaded before A completed is refused the same way
    stale_submit = b.post(f"{base}/etape/soumettre", data={"version": version, "confirmed": "1"})
    assert stale_submit.status_code == 409
    assert saved(app, request_id).status == "en_cours"
    assert events_of(app, request_id).count("submit") == 1


# --------------------------------------------------------------------------- numbers


def test_two_new_requests_in_one_dossier_get_1_and_2(app, aid_world):
    with app.app_context():
        dossier = db.session.get(Dossier, aid_world.dossier_a.id)
        social = db.session.get(User, aid_world.social_a.id)
        director = db.session.get(User, aid_world.director_a.id)
        data = services.NewRequest(date(2026, 11, 30), date(2026, 11, 30), "demande", "Mazout")
        first = services.create_request(dossier, data, social)
        second = services.create_request(dossier, data, director)
        assert (first.number, second.number) == (1, 2)


def test_a_number_taken_meanwhile_is_retried(app, aid_world, monkeypatch):
    """A colleague numbered request 1 between our reading of the next number and our
    insert: the unique constraint refuses ours, the service reads again and saves 2."""
    with app.app_context():
        dossier = db.session.get(Dossier, aid_world.dossier_a.id)
        social = db.session.get(User, aid_world.social_a.id)
        data = services.NewRequest(date(2026, 11, 30), date(2026, 11, 30), "demande", "Mazout")
        services.create_request(dossier, data, social)
        real = queries.next_number
        stale = iter([1])
        monkeypatch.setattr(
            queries, "next_number", lambda dossier_id: next(stale, None) or real(dossier_id)
        )
        again = services.create_request(dossier, data, social)
        assert again.number == 2
        numbers = db.session.scalars(
            select(AidRequest.number).where(AidRequest.dossier_id == dossier.id)
        ).all()
        assert sorted(numbers) == [1, 2]


def test_the_database_refuses_a_number_twice_in_a_dossier(app, aid_world):
    with app.app_context():
        dossier = db.session.get(Dossier, aid_world.dossier_a.id)
        social = db.session.get(User, aid_world.social_a.id)
        data = services.NewRequest(date(2026, 11, 30), date(2026, 11, 30), "demande", "Mazout")
        services.create_request(dossier, data, social)
        twin = AidRequest(
            organisation_id=dossier.organisation_id,
            dossier_id=dossier.id,
            number=1,
            request_date=date(2026, 11, 30),
            effective_date=date(2026, 11, 30),
            kind="demande",
            nature="Doublon",
            status="en_cours",
            created_at=utcnow(),
        )
        db.session.add(twin)
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        # the same number in another dossier is fine
        other = db.session.get(Dossier, aid_world.dossier_a2.id)
        services.create_request(other, data, social)
        assert db.session.scalar(select(func.count()).select_from(AidRequest)) == 2
