"""Every NISS a dossier screen shows is audited: one entry per NISS, written in one statement."""

from __future__ import annotations

from datetime import date, timedelta

from flask import g

from cpas import audit
from cpas.dossiers.models import Dossier
from cpas.extensions import db
from cpas.registry.numbers import niss_for
from tests.audit_helpers import audit_inserts, entries_since, last_entry_id, niss_in
from tests.dossiers.conftest import add_person
from tests.helpers import page_text


def _fmt(niss: str) -> str:
    return f"{niss[:2]}.{niss[2:4]}.{niss[4:6]}-{niss[6:9]}.{niss[9:]}"


def _dossiers(create_dossier, world, *names: str) -> dict[str, int]:
    return {name: create_dossier(getattr(world.people, name).id) for name in names}


def test_index_by_letter_logs_each_dossier_listed(app, client, world, create_dossier):
    ids = _dossiers(create_dossier, world, "marie", "lucas", "anne", "ahmed")
    p = world.people
    mark = last_entry_id(app)
    response = client.get("/dossiers/?lettre=D")
    assert response.status_code == 200
    entries = entries_since(app, mark)
    # the three DUPONT are listed under D; MARTIN Ahmed is not
    expected = {p.marie.niss, p.lucas.niss, p.anne.niss}
    assert niss_in(page_text(response)) == expected
    assert {e.niss for e in entries} == expected and len(entries) == 3
    assert {e.action for e in entries} == {"dossiers.index"}
    assert {(e.object_type, e.object_id) for e in entries} == {
        ("Dossier", str(ids[name])) for name in ("marie", "lucas", "anne")
    }
    assert {e.user_id for e in entries} == {world.user_a.id}


def test_index_page_of_25_is_one_insert(app, client, login_as, world):
    with app.app_context():
        for k in range(30):
            born = date(1960, 1, 1) + timedelta(days=40 * k)
            db.session.add(
                Dossier(
                    organisation_id=world.cpas_a.id,
                    niss=niss_for(born, 11),
                    dossier_number=str(1000 + k),
                    opened_on=date(2024, 1, 1),
                    last_name=f"DURAND{k:02d}",
                    first_name="Test",
                    name_key=f"durand{k:02d}",
                    first_key="test",
                    sex="M",
                )
            )
        db.session.add(
            Dossier(
                organisation_id=world.cpas_a.id,
                niss=world.people.ahmed.niss,
                dossier_number="1",
                opened_on=date(2024, 1, 1),
                last_name="MARTIN",
                first_name="Ahmed",
                name_key="martin",
                first_key="ahmed",
                sex="M",
            )
        )
        db.session.commit()
    login_as(world.user_a)
    for letter, rows in (("D", 25), ("M", 1)):
        mark = last_entry_id(app)
        with audit_inserts(app) as inserts:
            response = client.get(f"/dossiers/?lettre={letter}")
        entries = entries_since(app, mark)
        assert len(entries) == rows == len(niss_in(page_text(response)))
        # one statement whatever the number of rows (executemany / multi-row VALUES)
        assert len(inserts) == 1, inserts


def test_search_logs_each_dossier_found(app, client, world, create_dossier):
    _dossiers(create_dossier, world, "marie", "lucas", "ahmed")
    p = world.people
    mark = last_entry_id(app)
    response = client.post("/dossiers/rechercher", data={"nom": "dupont"})
    assert response.status_code == 200
    entries = entries_since(app, mark)
    expected = {p.marie.niss, p.lucas.niss}
    assert niss_in(page_text(response)) == expected
    assert {e.niss for e in entries} == expected and len(entries) == 2
    assert {e.action for e in entries} == {"dossiers.search"}


def test_search_by_niss_without_result_logs_the_niss_searched(app, client, world, create_dossier):
    create_dossier(world.people.marie.id)
    jean = world.people.jean.niss  # no dossier
    mark = last_entry_id(app)
    response = client.post("/dossiers/rechercher", data={"niss": _fmt(jean)})
    assert response.status_code == 200
    entries = entries_since(app, mark)
    text = page_text(response)
    assert niss_in(text) == set()  # no dossier listed; the NISS searched stays in the form
    assert f'value="{jean}"' in text or f'value="{_fmt(jean)}"' in text
    assert [(e.action, e.niss) for e in entries] == [("dossiers.search", jean)]


def test_phonetic_results_log_each_person_listed(app, client, login_as, world):
    with app.app_context():
        paul = add_person("DUPONT", "Paul", "M", date(1987, 2, 3), 7).niss
        sophie = add_person("DUPOND", "Sophie", "F", date(1980, 8, 9), 8).niss
        db.session.commit()
    login_as(world.user_a)
    mark = last_entry_id(app)
    response = client.post(
        "/dossiers/nouveau/recherche",
        data={"mode": "phonetique", "nom": "Dupont", "naissance": "00/00/1985", "tolerance": "5"},
    )
    assert response.status_code == 200
    entries = entries_since(app, mark)
    # born 1980-1990 with a surname sounding like Dupont: Marie, Paul and Sophie
    expected = {world.people.marie.niss, paul, sophie}
    assert niss_in(page_text(response)) == expected
    assert {e.niss for e in entries} == expected and len(entries) == 3
    assert {e.action for e in entries} == {"registry.search_phonetic"}


def test_household_search_logs_each_person_listed(app, client, world, marie_dossier):
    mark = last_entry_id(app)
    response = client.post(
        f"/dossiers/{marie_dossier.id}/menage/recherche",
        data={"mode": "phonetique", "nom": "Lefebvre", "naissance": "00/00/1983", "tolerance": "0"},
    )
    assert response.status_code == 200
    entries = entries_since(app, mark)
    assert niss_in(page_text(response)) == {world.people.jean.niss}
    assert [e.niss for e in entries] == [world.people.jean.niss]


def test_references_are_a_consultation_of_the_dossier(app, client, world, create_dossier):
    dossier_id = create_dossier(world.people.marie.id)
    for url in (
        f"/dossiers/{dossier_id}/references",
        f"/dossiers/{dossier_id}/references/modifier",
    ):
        mark = last_entry_id(app)
        assert client.get(url).status_code == 200
        entries = entries_since(app, mark)
        assert [(e.action, e.niss, e.object_id) for e in entries] == [
            ("dossiers.references", world.people.marie.niss, str(dossier_id))
        ]


def test_household_page_logs_every_person_it_shows(app, client, world, marie_dossier):
    mark = last_entry_id(app)
    response = client.get(f"/dossiers/{marie_dossier.id}/menage")
    assert response.status_code == 200
    entries = entries_since(app, mark, "household.view")
    logged = {e.niss for e in entries}
    assert niss_in(page_text(response)) <= logged
    assert {world.people.marie.niss, world.people.jean.niss} <= logged
    assert len(entries) == len(logged)  # one entry per person


def test_many_queued_views_are_written_in_one_statement(app):
    with app.test_request_context("/"), audit_inserts(app) as inserts:
        g.pop("pending_views", None)
        start = date(1950, 1, 1)
        nisses = [niss_for(start + timedelta(days=k), 21) for k in range(120)]
        audit.record_views("dossiers.index", nisses)
        audit.record_views("dossiers.index", nisses[:10])  # the same again: logged once
        # rows with other empty columns (no NISS, an object, a security event) join the batch
        audit.record_view("dossiers.search", details="0 résultat")
        audit.record_view("dossiers.view", object_type="Dossier", object_id=7, niss=nisses[0])
        audit.record_security_event(object_type="Dossier", object_id=8)
        audit.flush_pending(200)
        count = db.session.scalar(
            db.select(db.func.count(audit.AuditEntry.id)).where(
                audit.AuditEntry.action == "dossiers.index"
            )
        )
        total = db.session.scalar(db.select(db.func.count(audit.AuditEntry.id)))
    assert count == 120 and total == 123
    assert len(inserts) == 1


def test_a_failed_page_logs_no_consultation(app):
    with app.test_request_context("/"):
        audit.record_view("dossiers.view", niss="85073003328")
        audit.flush_pending(500)
        count = db.session.scalar(db.select(db.func.count(audit.AuditEntry.id)))
    assert count == 0
