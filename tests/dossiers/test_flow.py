"""The dossier journey on the screens: find a person, create the dossier, household,
integrations."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from cpas.audit import AuditEntry
from cpas.dossiers.models import Dossier, HouseholdMember
from cpas.extensions import db
from cpas.registry.models import BcssIntegration
from tests.dossiers.conftest import ADDRESS
from tests.helpers import member_add_url, page_text, register_person_url, with_version


def plain(response) -> str:
    """The page's text without tags, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split())


def test_phonetic_search_with_unknown_day_finds_a_variant_spelling(client, login_as, world):
    login_as(world.user_a)
    response = client.post(
        "/dossiers/nouveau/recherche",
        data={
            "mode": "phonetique",
            "nom": "Dupond",
            "prenom": "Marie",
            "naissance": "00/03/1985",
            "tolerance": "0",
        },
        headers={"HX-Request": "true"},
    )
    text = page_text(response)
    assert response.status_code == 200
    assert "Liste des personnes trouvées (1)" in text
    assert "DUPONT" in text and "Marie" in text
    assert "01/03/1985 et le 31/03/1985" in text
    assert "Registre local (personnes fictives)" in text


def test_search_refuses_bad_dates_next_to_the_field(client, login_as, world):
    login_as(world.user_a)
    response = client.post(
        "/dossiers/nouveau/recherche",
        data={"mode": "phonetique", "nom": "Dupont", "naissance": "15/00/1985", "tolerance": "0"},
    )
    assert response.status_code == 422
    assert "le jour doit l'être aussi" in page_text(response)


def test_create_dossier_then_again_leads_to_the_same(app, client, login_as, world, create_dossier):
    dossier_id = create_dossier(world.people.marie.id)
    response = client.get(f"/dossiers/{dossier_id}")
    text = page_text(response)
    assert "DUPONT" in text and "85.03.14-002." in text
    again = client.post(
        register_person_url(client, world.people.marie.id),
        data={"action": "enregistrer", **ADDRESS},
    )
    assert again.headers["Location"].endswith(f"/dossiers/{dossier_id}")
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Dossier.id))) == 1
        views = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "dossiers.view")
        ).all()
        assert [v.niss for v in views] == [world.people.marie.niss]


def test_copy_legal_address_fills_the_effective_address(client, login_as, world):
    login_as(world.user_a)
    response = client.post(
        register_person_url(client, world.people.ahmed.id), data={"action": "copier"}
    )
    text = page_text(response)
    assert response.status_code == 200
    assert 'value="Rue Haute"' in text and 'value="1000"' in text


def test_household_add_partner_and_child_and_difference(app, client, world, create_dossier):
    dossier_id = create_dossier(world.people.marie.id)
    for ref, relation in (
        (world.people.jean.id, "partner"),
        (world.people.lucas.id, "minor_child"),
    ):
        response = client.post(
            member_add_url(client, dossier_id, ref),
            data={
                "action": "enregistrer",
                "relation": relation,
                "relation_start": "01/01/2020",
                **ADDRESS,
            },
        )
        assert response.status_code == 302, page_text(response)
    text = plain(client.get(f"/dossiers/{dossier_id}/menage"))
    assert "Partenaire" in text and "Enfant mineur à charge" in text
    # Anne is in the official composition, not in the de facto one
    assert "Dans la composition officielle mais pas dans le ménage de fait : DUPONT Anne" in text


def test_remove_member_and_undo(app, client, world, create_dossier):
    dossier_id = create_dossier(world.people.marie.id)
    client.post(
        member_add_url(client, dossier_id, world.people.jean.id),
        data={
            "action": "enregistrer",
            "relation": "partner",
            "relation_start": "01/01/2020",
            **ADDRESS,
        },
    )
    with app.app_context():
        jean = db.session.scalar(
            select(HouseholdMember).where(HouseholdMember.first_name == "Jean")
        )
        main = db.session.scalar(select(HouseholdMember).where(HouseholdMember.is_main.is_(True)))
        jean_id, main_id = jean.id, main.id
    removed = client.post(
        f"/dossiers/{dossier_id}/menage/membres/{jean_id}/supprimer",
        data=with_version(app, HouseholdMember, jean_id),
        headers={"HX-Request": "true"},
    )
    assert "Annuler la suppression" in page_text(removed)
    restored = client.post(
        f"/dossiers/{dossier_id}/menage/membres/{jean_id}/restaurer",
        data=with_version(app, HouseholdMember, jean_id),
        headers={"HX-Request": "true"},
    )
    assert "LEFEBVRE" in page_text(restored)
    refused = client.post(
        f"/dossiers/{dossier_id}/menage/membres/{main_id}/supprimer",
        data=with_version(app, HouseholdMember, main_id),
    )
    assert refused.status_code == 409


def test_integrate_members_default_two_months(app, client, world, create_dossier):
    dossier_id = create_dossier(world.people.marie.id)
    with app.app_context():
        main_id = db.session.scalar(select(HouseholdMember.id).where(HouseholdMember.is_main))
    response = client.post(
        f"/dossiers/{dossier_id}/integrations/integrer",
        data={"int-code": "001", "int-start": "15/01/2026", "int-members": [str(main_id)]},
    )
    text = plain(response)
    assert response.status_code == 200, text
    assert "Réussi" in text and "du 15/01/2026 au 14/03/2026" in text
    with app.app_context():
        row = db.session.scalar(select(BcssIntegration))
        assert (row.start, row.end) == (date(2026, 1, 15), date(2026, 3, 14))


def test_integration_beyond_the_maximum_is_refused_next_to_the_field(client, world, create_dossier):
    dossier_id = create_dossier(world.people.marie.id)
    response = client.post(
        f"/dossiers/{dossier_id}/integrations/integrer",
        data={
            "int-code": "001",
            "int-start": "15/01/2026",
            "int-end": "15/03/2026",
            "int-members": ["1"],
        },
    )
    assert response.status_code == 422
    assert "Au plus tard le 14/03/2026 pour le code 001" in page_text(response)


def test_references_inline_edit_and_unique_number(app, client, world, create_dossier):
    first = create_dossier(world.people.marie.id)
    second = create_dossier(world.people.ahmed.id)
    ok = client.post(
        f"/dossiers/{first}/references/modifier",
        data={
            "dossier_number": "D-2026-1",
            "opened_on": "02/01/2026",
            "social_worker_id": "0",
            "version": "1",
        },
        headers={"HX-Request": "true"},
    )
    assert ok.status_code == 200 and "D-2026-1" in page_text(ok)
    clash = client.post(
        f"/dossiers/{second}/references/modifier",
        data={
            "dossier_number": "D-2026-1",
            "opened_on": "02/01/2026",
            "social_worker_id": "0",
            "version": "1",
        },
        headers={"HX-Request": "true"},
    )
    assert clash.status_code == 422
    assert "déjà utilisé" in page_text(clash)
    blank = client.post(
        f"/dossiers/{second}/references/modifier",
        data={
            "dossier_number": "   ",
            "opened_on": "02/01/2026",
            "social_worker_id": "0",
            "version": "1",
        },
    )
    assert blank.status_code == 422


def test_index_by_letter_and_archive(client, world, create_dossier):
    dossier_id = create_dossier(world.people.marie.id)
    text = page_text(client.get("/dossiers/?lettre=D"))
    assert "DUPONT" in text
    client.post(f"/dossiers/{dossier_id}/archiver")
    assert "DUPONT" not in page_text(client.get("/dossiers/?lettre=D"))
    assert "DUPONT" in page_text(client.get("/dossiers/?lettre=D&anciens=1"))


def test_bis_number_assignment(app, client, login_as, world):
    login_as(world.user_a)
    response = client.post(
        "/dossiers/nouveau/numero-bis",
        data={
            "nom": "Lechien",
            "prenom": "Ruby",
            "sexe": "M",
            "naissance": "00/00/1990",
            **ADDRESS,
        },
    )
    assert response.status_code == 302, page_text(response)
    detail = page_text(client.get(response.headers["Location"]))
    assert "LECHIEN" in detail and "90.40.00-" in detail


def test_the_thirty_day_rule(app, world, create_dossier):
    from cpas.access.models import User
    from cpas.dossiers import services

    dossier_id = create_dossier(world.people.marie.id)
    with app.test_request_context():
        dossier = db.session.get(Dossier, dossier_id)
        user = db.session.get(User, world.user_a.id)
        result = services.integrate_for_new_request(dossier, date(2026, 1, 15), user)
        assert result.ok
        row = db.session.scalar(select(BcssIntegration))
        assert row.quality_code == "001"
        assert (row.start, row.end) == (date(2026, 1, 15), date(2026, 2, 14))
        assert row.end - row.start == timedelta(days=30)


def test_posted_searches_read_without_the_write_lock(app):
    """Searches are POSTed (no NISS in URLs) but only read: their SQLite transaction starts
    deferred, so they never queue behind writers; other POSTs take the write lock."""
    from cpas.database import _wants_write

    class Conn:
        info: dict = {}

    for path, writes in (
        ("/dossiers/nouveau/recherche", False),
        ("/dossiers/rechercher", False),
        ("/dossiers/1/menage/recherche", False),
        ("/dossiers/1/integrations/consulter", False),
        ("/dossiers/nouveau/personne/1", True),
        ("/dossiers/1/integrations/integrer", True),
    ):
        with app.test_request_context(path, method="POST"):
            assert _wants_write(Conn()) is writes, path


def test_index_key_files_odd_surnames_under_a_letter():
    from cpas.dossiers.services import index_key

    assert index_key("'t Kint") == "t kint"
    assert index_key("Œuvray") == "oeuvray"
    assert index_key("Lefèvre") == "lefevre"
    assert len(index_key("X" * 150)) == 100


def test_a_percent_sign_is_not_a_wildcard(client, world, create_dossier):
    create_dossier(world.people.marie.id)
    response = client.post("/dossiers/rechercher", data={"nom": "%"})
    assert "Résultats (0)" in page_text(response)
    assert "Résultats (1)" in page_text(client.post("/dossiers/rechercher", data={"nom": "upon"}))
