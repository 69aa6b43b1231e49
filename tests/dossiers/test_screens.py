"""Dossier screens beyond the main journey (test_flow.py): searches, the recent-dossiers
sidebar, index pagination and its query count, household updates, member validation,
BCSS periods, BIS numbers, audit entries, references and archive rules."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select
from stdnum.be import bis as stdnum_bis

from cpas import session_refs
from cpas.audit import AuditEntry
from cpas.dossiers.models import Dossier, HouseholdMember, HouseholdSnapshot
from cpas.extensions import db
from cpas.niss import format_niss
from cpas.registry.models import BcssIntegration, RegisterPerson
from cpas.registry.numbers import niss_for
from cpas.textutil import fold
from tests.dossiers.conftest import ADDRESS, add_member_through_screens, add_person
from tests.helpers import member_add_url, page_text, register_person_url, with_version

NOT_QUERIES = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")
URL_ATTRIBUTES = re.compile(r'(?:href|action|src|hx-get|hx-post|hx-push-url)="([^"]*)"')


def plain(response) -> str:
    """The page's text without tags, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split())


def field_error(response, field_id: str) -> str:
    """The message shown next to a form field (the macro's ``<id>-msg`` block)."""
    match = re.search(
        rf'<div class="field-error" id="{re.escape(field_id)}-msg">(.*?)</div>',
        page_text(response),
        re.S,
    )
    assert match, f"no message block for field {field_id}"
    return " ".join(match.group(1).split())


def recent_sidebar(response) -> list[str]:
    """Names listed in « Dossiers consultés », in order."""
    match = re.search(
        r'aria-label="Dossiers consultés récemment">(.*?)</nav>', page_text(response), re.S
    )
    assert match, "no recent-dossiers sidebar"
    return [" ".join(n.split()) for n in re.findall(r"<a [^>]*>(.*?)</a>", match.group(1))]


def table_rows(response) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", page_text(response), re.S)
    assert body, "no table body"
    return [
        " ".join(re.sub(r"<[^>]+>", " ", r).split())
        for r in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def audit_entries(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def insert_dossiers(app, organisation_id: int, names: list[tuple[str, str]], start: int = 0):
    """Insert dossiers straight into the table (no register person behind them)."""
    with app.app_context():
        for i, (last, first) in enumerate(names, start=start):
            niss = niss_for(date(1960, 1, 1) + timedelta(days=i), 101 + (i % 400) * 2)
            db.session.add(
                Dossier(
                    organisation_id=organisation_id,
                    niss=niss,
                    dossier_number=f"T{i:05d}",
                    opened_on=date(2025, 1, 1),
                    last_name=last,
                    first_name=first,
                    name_key=fold(last),
                    first_key=fold(first),
                    sex="M",
                )
            )
        db.session.commit()


# --------------------------------------------------------------------------- register search by NISS


@pytest.mark.parametrize("style", ["formatted", "spaces", "digits"])
def test_register_search_by_niss_accepts_every_notation(client, login_as, world, style):
    niss = world.people.marie.niss
    typed = {
        "formatted": format_niss(niss),  # 85.03.14-002.xx
        "spaces": f"{niss[:2]} {niss[2:4]} {niss[4:6]} {niss[6:9]} {niss[9:]}",
        "digits": niss,
    }[style]
    assert style != "formatted" or re.fullmatch(r"85\.03\.14-002\.\d\d", typed)
    login_as(world.user_a)
    response = client.post("/dossiers/nouveau/recherche", data={"mode": "niss", "niss": typed})
    text = plain(response)
    assert response.status_code == 200, text
    assert "Liste des personnes trouvées (1)" in text
    assert "DUPONT Marie" in text
    # the link to « Détails » carries an opaque reference, neither the NISS nor the id
    urls = URL_ATTRIBUTES.findall(page_text(response))
    details = [u for u in urls if u.startswith("/dossiers/nouveau/personne/")]
    assert details and f"/dossiers/nouveau/personne/{world.people.marie.id}" not in urls
    assert client.get(details[0]).status_code == 200
    assert not [u for u in urls if niss in u or format_niss(niss) in u]


def test_register_search_with_an_invalid_niss_says_so_next_to_the_field(client, login_as, world):
    login_as(world.user_a)
    wrong_check = world.people.marie.niss[:9] + f"{(int(world.people.marie.niss[9:]) + 1) % 97:02d}"
    response = client.post(
        "/dossiers/nouveau/recherche", data={"mode": "niss", "niss": wrong_check}
    )
    assert response.status_code == 422
    assert "NISS invalide" in field_error(response, "niss")
    assert "Liste des personnes trouvées" not in page_text(response)


# --------------------------------------------------------------------------- « Rechercher un dossier »


@pytest.mark.parametrize("style", ["formatted", "spaces", "digits"])
def test_dossier_search_by_niss_is_posted_and_keeps_the_niss_out_of_urls(
    client, world, marie_dossier, style
):
    niss = world.people.marie.niss
    typed = {
        "formatted": format_niss(niss),
        "spaces": " ".join([niss[:2], niss[2:4], niss[4:6], niss[6:9], niss[9:]]),
        "digits": niss,
    }[style]
    response = client.post("/dossiers/rechercher", data={"niss": typed})
    assert response.status_code == 200
    assert "Location" not in response.headers
    assert response.request.path == "/dossiers/rechercher" and not response.request.query_string
    assert "Résultats (1)" in plain(response)
    rows = table_rows(response)
    assert len(rows) == 1 and rows[0].startswith("DUPONT Marie")
    urls = URL_ATTRIBUTES.findall(page_text(response))
    assert f"/dossiers/{marie_dossier.id}" in urls
    assert not [u for u in urls if niss in u or format_niss(niss) in u]


def test_dossier_search_ignores_a_niss_put_in_the_url(client, world, marie_dossier):
    response = client.get(f"/dossiers/rechercher?niss={world.people.marie.niss}")
    assert response.status_code == 200
    assert "Résultats" not in plain(response)


def test_dossier_search_with_an_invalid_niss_is_422_next_to_the_field(client, world, marie_dossier):
    response = client.post("/dossiers/rechercher", data={"niss": "85.03.14-002.00"})
    assert response.status_code == 422
    assert "NISS invalide" in field_error(response, "niss")
    assert "Résultats" not in plain(response)


def test_dossier_search_without_any_criterion_is_refused(client, world, marie_dossier):
    response = client.post("/dossiers/rechercher", data={"nom": "   "})
    assert response.status_code == 422
    assert "au moins un critère" in field_error(response, "nom")


def test_dossier_search_by_name_contains_and_ignores_accents(
    app, client, login_as, world, create_dossier
):
    with app.app_context():
        lefevre = add_person("LEFÈVRE", "Émile", "M", date(1979, 2, 11), 7, 3, True).id
        db.session.commit()
    create_dossier(lefevre)
    create_dossier(world.people.marie.id)
    create_dossier(world.people.jean.id)  # LEFEBVRE: sounds alike, spelled otherwise
    for typed in ("lefevre", "LEFEVRE", "Lefèvre", "efèv"):
        response = client.post("/dossiers/rechercher", data={"nom": typed})
        rows = table_rows(response)
        assert response.status_code == 200
        assert len(rows) == 1 and rows[0].startswith("LEFÈVRE Émile"), (typed, rows)
    contains = table_rows(client.post("/dossiers/rechercher", data={"nom": "upon"}))
    assert len(contains) == 1 and contains[0].startswith("DUPONT Marie")
    both = table_rows(client.post("/dossiers/rechercher", data={"nom": "lef"}))
    assert [r.split()[0] for r in both] == ["LEFEBVRE", "LEFÈVRE"]
    none = client.post("/dossiers/rechercher", data={"nom": "zzz"})
    assert "Résultats (0)" in plain(none)
    assert "Aucun dossier ne correspond à ces critères." in plain(none)


def test_dossier_search_by_opening_date(app, client, world, create_dossier):
    marie = create_dossier(world.people.marie.id)
    ahmed = create_dossier(world.people.ahmed.id)
    with app.app_context():
        db.session.get(Dossier, marie).opened_on = date(2024, 6, 3)
        db.session.get(Dossier, ahmed).opened_on = date(2024, 6, 4)
        db.session.commit()
    response = client.post("/dossiers/rechercher", data={"ouverture": "03/06/2024"})
    rows = table_rows(response)
    assert len(rows) == 1 and rows[0].startswith("DUPONT Marie") and "03/06/2024" in rows[0]
    iso = table_rows(client.post("/dossiers/rechercher", data={"ouverture": "2024-06-04"}))
    assert len(iso) == 1 and iso[0].startswith("MARTIN Ahmed")
    bad = client.post("/dossiers/rechercher", data={"ouverture": "31/02/2024"})
    assert bad.status_code == 422
    assert "JJ/MM/AAAA" in field_error(bad, "ouverture")


# --------------------------------------------------------------------------- recent dossiers


def test_recent_dossiers_lists_the_last_consulted_most_recent_first(
    app, client, world, create_dossier
):
    marie = create_dossier(world.people.marie.id)
    ahmed = create_dossier(world.people.ahmed.id)
    anne = create_dossier(world.people.anne.id)
    assert recent_sidebar(client.get("/dossiers/")) == []
    for dossier_id in (marie, ahmed, anne):
        assert client.get(f"/dossiers/{dossier_id}").status_code == 200
    assert recent_sidebar(client.get("/dossiers/")) == [
        "DUPONT Anne",
        "MARTIN Ahmed",
        "DUPONT Marie",
    ]
    # consulting again moves it on top, without a duplicate; the household page counts too
    client.get(f"/dossiers/{marie}/menage")
    assert recent_sidebar(client.get("/dossiers/rechercher")) == [
        "DUPONT Marie",
        "DUPONT Anne",
        "MARTIN Ahmed",
    ]


def test_recent_dossiers_keeps_at_most_eight(app, client, login_as, world):
    names = [(f"DOE{chr(65 + i)}", "John") for i in range(10)]
    insert_dossiers(app, world.cpas_a.id, names)
    with app.app_context():
        ids = db.session.scalars(select(Dossier.id).order_by(Dossier.id)).all()
    login_as(world.user_a)
    for dossier_id in ids:
        client.get(f"/dossiers/{dossier_id}")
    listed = recent_sidebar(client.get("/dossiers/"))
    assert listed == [f"DOE{chr(65 + i)} John" for i in range(9, 1, -1)]


# --------------------------------------------------------------------------- index


def test_index_paginates_by_25_in_name_order(app, client, login_as, world):
    names = [(f"DURAND{i:02d}", "Paul") for i in range(30)]
    insert_dossiers(app, world.cpas_a.id, list(reversed(names)))
    login_as(world.user_a)
    first = client.get("/dossiers/?lettre=D")
    second = client.get("/dossiers/?lettre=D&page=2")
    rows_1, rows_2 = table_rows(first), table_rows(second)
    assert len(rows_1) == 25 and len(rows_2) == 5
    assert "Page 1 / 2 · 30 élément(s)" in plain(first)
    assert "Page 2 / 2 · 30 élément(s)" in plain(second)
    listed = [r.split()[0] for r in rows_1 + rows_2]
    assert listed == [n for n, _ in names]
    following = re.search(r'<a href="([^"]+)"[^>]*rel="next"', page_text(first))
    assert following and "page=2" in following.group(1) and "lettre=D" in following.group(1)
    # a page beyond the last shows the last one
    assert table_rows(client.get("/dossiers/?lettre=D&page=9")) == rows_2


def _count_statements(app, client, path: str) -> tuple[int, int]:
    """(statements, status) of one GET, after a warm-up request."""
    client.get(path)
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        if not statement.lstrip().upper().startswith(NOT_QUERIES):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(statements), response.status_code


def test_index_query_count_does_not_grow_with_the_rows(app, client, login_as, world):
    """N+1 guard: the letter page runs as many statements for 5 dossiers as for 30."""
    insert_dossiers(app, world.cpas_a.id, [(f"DELVAUX{i:02d}", "Léa") for i in range(5)])
    login_as(world.user_a)
    # a sidebar full of recent dossiers must not add a query per dossier either
    with app.app_context():
        ids = db.session.scalars(select(Dossier.id)).all()
    for dossier_id in ids:
        client.get(f"/dossiers/{dossier_id}")
    few, status = _count_statements(app, client, "/dossiers/?lettre=D")
    assert status == 200 and len(table_rows(client.get("/dossiers/?lettre=D"))) == 5
    insert_dossiers(
        app, world.cpas_a.id, [(f"DELVAUX{i:02d}", "Léa") for i in range(5, 30)], start=5
    )
    with app.app_context():
        ids = db.session.scalars(select(Dossier.id).order_by(Dossier.id.desc())).all()
    for dossier_id in ids[:8]:
        client.get(f"/dossiers/{dossier_id}")
    many, status = _count_statements(app, client, "/dossiers/?lettre=D")
    assert status == 200 and len(table_rows(client.get("/dossiers/?lettre=D"))) == 25
    assert few >= 2
    assert many == few, (few, many)


# --------------------------------------------------------------------------- household


def test_official_household_update_takes_a_new_snapshot_with_register_changes(
    app, client, world, marie_dossier
):
    before = plain(client.get(f"/dossiers/{marie_dossier.id}/menage"))
    assert "DUPONT Zoé" not in before and "Zoé" not in before
    with app.app_context():
        add_person("DUPONT", "Zoé", "F", date(2023, 9, 1), 8, 1, False, "Enfant")
        db.session.commit()
    # the stored official composition does not change by itself
    assert "Zoé" not in plain(client.get(f"/dossiers/{marie_dossier.id}/menage"))
    response = client.post(f"/dossiers/{marie_dossier.id}/menage/officiel")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/dossiers/{marie_dossier.id}/menage")
    assert count(app, HouseholdSnapshot, HouseholdSnapshot.dossier_id == marie_dossier.id) == 2
    after = plain(client.get(f"/dossiers/{marie_dossier.id}/menage"))
    assert "Zoé" in after
    assert "Dans la composition officielle mais pas dans le ménage de fait : DUPONT Zoé" in after
    assert len(audit_entries(app, "household.refresh_official")) == 1


def test_update_selected_members_copies_register_changes(app, client, world, marie_dossier):
    with app.app_context():
        jean = db.session.get(RegisterPerson, world.people.jean.id)
        jean.last_name = "LEFEBVRE-MAES"
        jean.civil_state = "Marié"
        marie = db.session.get(RegisterPerson, world.people.marie.id)
        marie.first_name = "Marie-Claire"
        db.session.commit()
    response = client.post(
        f"/dossiers/{marie_dossier.id}/menage/membres/actualiser",
        data={"membres": [str(marie_dossier.jean_id)]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "LEFEBVRE-MAES" in plain(response)
    assert "Données de 1 membre(s) mises à jour depuis le registre." in page_text(response)
    with app.app_context():
        jean_row = db.session.get(HouseholdMember, marie_dossier.jean_id)
        main_row = db.session.get(HouseholdMember, marie_dossier.main_id)
        assert (jean_row.last_name, jean_row.civil_state) == ("LEFEBVRE-MAES", "Marié")
        assert main_row.first_name == "Marie"  # not selected: unchanged
        assert db.session.get(Dossier, marie_dossier.id).first_name == "Marie"


def test_updating_the_main_member_renames_the_dossier(app, client, world, marie_dossier):
    with app.app_context():
        db.session.get(RegisterPerson, world.people.marie.id).last_name = "DURANTÉ"
        db.session.commit()
    client.post(
        f"/dossiers/{marie_dossier.id}/menage/membres/actualiser",
        data={"membres": [str(marie_dossier.main_id)]},
    )
    found = table_rows(client.post("/dossiers/rechercher", data={"nom": "durante"}))
    assert len(found) == 1 and found[0].startswith("DURANTÉ Marie")
    assert "DURANTÉ" in plain(client.get("/dossiers/?lettre=D"))


def test_update_members_without_selection_says_so(app, client, world, marie_dossier):
    response = client.post(f"/dossiers/{marie_dossier.id}/menage/membres/actualiser", data={})
    assert "Sélectionnez au moins un membre à mettre à jour." in page_text(response)
    assert audit_entries(app, "household.refresh_member") == []


def test_adding_the_same_person_twice_is_refused(app, client, world, marie_dossier):
    again = add_member_through_screens(client, marie_dossier.id, world.people.jean.id)
    assert again.status_code == 422
    assert "fait déjà partie du ménage de fait" in field_error(again, "relation")
    # the main beneficiary cannot be added as a member either
    main = add_member_through_screens(client, marie_dossier.id, world.people.marie.id)
    assert main.status_code == 422
    assert "fait déjà partie du ménage de fait" in field_error(main, "relation")
    assert count(app, HouseholdMember, HouseholdMember.dossier_id == marie_dossier.id) == 2


def test_member_with_a_bad_postal_code_is_refused_and_not_saved(app, client, world, marie_dossier):
    response = client.post(
        member_add_url(client, marie_dossier.id, world.people.lucas.id),
        data={
            "action": "enregistrer",
            "relation": "minor_child",
            "relation_start": "01/01/2020",
            **{**ADDRESS, "postal_code": "40A0"},
        },
    )
    assert response.status_code == 422
    assert "Code postal belge : 4 chiffres" in field_error(response, "postal_code")
    assert field_error(response, "relation") == ""
    assert count(app, HouseholdMember, HouseholdMember.niss == world.people.lucas.niss) == 0
    added = [e.niss for e in audit_entries(app, "household.add_member")]
    assert added == [world.people.jean.niss]


def test_member_without_relation_or_start_date_is_refused_and_not_saved(
    app, client, world, marie_dossier
):
    response = client.post(
        member_add_url(client, marie_dossier.id, world.people.lucas.id),
        data={"action": "enregistrer", "relation": "", "relation_start": "", **ADDRESS},
    )
    assert response.status_code == 422
    assert "Choisissez la relation." in field_error(response, "relation")
    assert "Indiquez la date de début de la relation." in field_error(response, "relation_start")
    assert count(app, HouseholdMember, HouseholdMember.niss == world.people.lucas.niss) == 0


# --------------------------------------------------------------------------- BCSS integrations


def _consult(client, dossier_id: int, member_id: int, start: str, end: str = ""):
    return client.post(
        f"/dossiers/{dossier_id}/integrations/consulter",
        data={"con-member": str(member_id), "con-start": start, "con-end": end},
    )


def _consulted_periods(response) -> list[str]:
    section = re.search(
        r'<section class="card" id="consultation"(.*?)</section>', page_text(response), re.S
    )
    assert section, "no consultation block"
    return [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr><td>(.*?)</tr>", section.group(1), re.S)
    ]


def test_deintegration_splits_the_period(app, client, world, marie_dossier):
    integrated = client.post(
        f"/dossiers/{marie_dossier.id}/integrations/integrer",
        data={
            "int-code": "001",
            "int-start": "01/01/2026",
            "int-end": "28/02/2026",
            "int-members": [str(marie_dossier.main_id)],
        },
    )
    assert integrated.status_code == 200 and "Réussi" in plain(integrated)
    removed = client.post(
        f"/dossiers/{marie_dossier.id}/integrations/desintegrer",
        data={
            "des-start": "15/01/2026",
            "des-end": "31/01/2026",
            "des-members": [str(marie_dossier.main_id)],
        },
    )
    assert removed.status_code == 200
    assert "Désintégration effectuée." in plain(removed)
    response = _consult(client, marie_dossier.id, marie_dossier.main_id, "01/01/2026")
    assert response.status_code == 200
    assert _consulted_periods(response) == [
        "001 En enquête 01/01/2026 14/01/2026",
        "001 En enquête 01/02/2026 28/02/2026",
    ]


def test_integration_of_a_person_unknown_to_the_register_is_red(app, client, world, marie_dossier):
    ghost_niss = niss_for(date(1971, 4, 4), 997)
    with app.app_context():
        assert (
            db.session.scalar(select(RegisterPerson).where(RegisterPerson.niss == ghost_niss))
            is None
        )
        ghost = HouseholdMember(
            dossier_id=marie_dossier.id,
            is_main=False,
            relation="cohabitant",
            relation_start=date(2020, 1, 1),
            niss=ghost_niss,
            last_name="FANTOME",
            first_name="Casper",
            sex="M",
            **ADDRESS,
        )
        db.session.add(ghost)
        db.session.commit()
        ghost_id = ghost.id
    response = client.post(
        f"/dossiers/{marie_dossier.id}/integrations/integrer",
        data={
            "int-code": "001",
            "int-start": "01/01/2026",
            "int-members": [str(marie_dossier.main_id), str(ghost_id)],
        },
    )
    assert response.status_code == 200
    items = re.findall(r'<li class="(result-\w+)">(.*?)</li>', page_text(response), re.S)
    results = {" ".join(re.sub(r"<[^>]+>", " ", body).split()): cls for cls, body in items}
    red = [t for t, cls in results.items() if cls == "result-error"]
    green = [t for t, cls in results.items() if cls == "result-ok"]
    assert len(red) == 1 and "FANTOME Casper — Échec" in red[0]
    assert "Personne inconnue du registre" in red[0]
    assert len(green) == 1 and "DUPONT Marie — Réussi" in green[0]
    assert count(app, BcssIntegration, BcssIntegration.niss == ghost_niss) == 0
    refused = [e for e in audit_entries(app, "integrations.integrate") if e.niss == ghost_niss]
    assert len(refused) == 1 and refused[0].outcome == "refused"


def test_consult_without_end_date_shows_future_periods(app, client, world, marie_dossier):
    start = date.today() + timedelta(days=100)
    end = start + timedelta(days=30)
    integrated = client.post(
        f"/dossiers/{marie_dossier.id}/integrations/integrer",
        data={
            "int-code": "002",
            "int-start": f"{start:%d/%m/%Y}",
            "int-end": f"{end:%d/%m/%Y}",
            "int-members": [str(marie_dossier.main_id)],
        },
    )
    assert "Réussi" in plain(integrated)
    today = f"{date.today():%d/%m/%Y}"
    open_ended = _consult(client, marie_dossier.id, marie_dossier.main_id, today)
    assert _consulted_periods(open_ended) == [f"002 RIS {start:%d/%m/%Y} {end:%d/%m/%Y}"]
    bounded = _consult(
        client,
        marie_dossier.id,
        marie_dossier.main_id,
        today,
        f"{date.today() + timedelta(days=10):%d/%m/%Y}",
    )
    assert _consulted_periods(bounded) == []
    assert "Aucune intégration sur cette période." in plain(bounded)
    consulted = audit_entries(app, "integrations.consult")
    assert [e.niss for e in consulted] == [world.people.marie.niss] * 2


# --------------------------------------------------------------------------- BIS numbers

BIS_BASE = {"nom": "Lechien", "prenom": "Ruby", "sexe": "F"}


def test_bis_full_date_needs_the_birthplace(app, client, login_as, world):
    login_as(world.user_a)
    response = client.post(
        "/dossiers/nouveau/numero-bis", data={**BIS_BASE, "naissance": "14/03/1985"}
    )
    assert response.status_code == 422
    assert "indiquez le lieu de naissance" in field_error(response, "lieu_naissance")
    assert count(app, RegisterPerson, RegisterPerson.is_bis.is_(True)) == 0


def test_bis_partial_date_needs_the_address(app, client, login_as, world):
    login_as(world.user_a)
    response = client.post(
        "/dossiers/nouveau/numero-bis",
        data={**BIS_BASE, "naissance": "00/03/1985", "lieu_naissance": "Kinshasa"},
    )
    assert response.status_code == 422
    for field in ("street", "house_number", "postal_code", "locality"):
        assert "l'adresse de résidence en Belgique est obligatoire" in field_error(
            response, field
        ), field
    assert field_error(response, "box") == ""
    assert count(app, RegisterPerson, RegisterPerson.is_bis.is_(True)) == 0


def test_bis_numbers_are_valid_and_new_each_time(app, client, login_as, world):
    login_as(world.user_a)
    data = {**BIS_BASE, "naissance": "14/03/1985", "lieu_naissance": "Kinshasa"}
    numbers = []
    for _ in range(2):
        response = client.post("/dossiers/nouveau/numero-bis", data=data)
        assert response.status_code == 302, page_text(response)
        # the redirect carries this session's opaque reference to the new register row
        token = response.headers["Location"].rsplit("/", 1)[-1]
        with app.app_context(), client.session_transaction() as session:
            ref = session_refs.resolve(session_refs.REGISTER_PERSON, token, store=session)
        with app.app_context():
            numbers.append(db.session.get(RegisterPerson, ref).niss)
    assert numbers[0] != numbers[1]
    for number in numbers:
        assert stdnum_bis.is_valid(number), number
        assert number.startswith("854314")  # month + 40: sex known
        assert int(number[6:9]) % 2 == 0  # even serial: a woman
    assigned = audit_entries(app, "registry.assign_bis")
    assert [e.niss for e in assigned] == numbers


# --------------------------------------------------------------------------- audit


def test_viewing_a_dossier_logs_its_niss_each_time(app, client, world, marie_dossier):
    for _ in range(2):
        assert client.get(f"/dossiers/{marie_dossier.id}").status_code == 200
    views = audit_entries(app, "dossiers.view")
    assert [(e.niss, e.object_id, e.user_id) for e in views] == [
        (world.people.marie.niss, str(marie_dossier.id), world.user_a.id)
    ] * 2


def test_household_page_logs_one_entry_per_niss_shown(app, client, world, marie_dossier):
    response = client.get(f"/dossiers/{marie_dossier.id}/menage")
    assert response.status_code == 200
    # Marie and Jean in the de facto household; Marie, Jean, Lucas, Anne in the official one
    shown = {getattr(world.people, k).niss for k in ("marie", "jean", "lucas", "anne")}
    entries = audit_entries(app, "household.view")
    assert sorted(e.niss for e in entries) == sorted(shown)
    assert all(e.object_id == str(marie_dossier.id) for e in entries)


def test_household_fragment_after_removing_a_member_logs_the_niss_shown(
    app, client, world, marie_dossier
):
    marie = world.people.marie.niss
    before = [e for e in audit_entries(app, "household.view") if e.niss == marie]
    response = client.post(
        f"/dossiers/{marie_dossier.id}/menage/membres/{marie_dossier.jean_id}/supprimer",
        data=with_version(app, HouseholdMember, marie_dossier.jean_id),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert format_niss(marie) in page_text(response)  # Marie's row, with her NISS, is shown
    after = [e for e in audit_entries(app, "household.view") if e.niss == marie]
    assert len(after) == len(before) + 1


def test_register_person_details_log_the_niss(app, client, login_as, world):
    login_as(world.user_a)
    response = client.get(register_person_url(client, world.people.ahmed.id))
    assert response.status_code == 200
    assert [e.niss for e in audit_entries(app, "registry.person_view")] == [world.people.ahmed.niss]


def test_searches_by_niss_log_the_niss(app, client, world, marie_dossier):
    niss = world.people.marie.niss
    client.post("/dossiers/rechercher", data={"niss": format_niss(niss)})
    client.post("/dossiers/rechercher", data={"nom": "dupont"})
    client.post("/dossiers/nouveau/recherche", data={"mode": "niss", "niss": format_niss(niss)})
    searches = audit_entries(app, "dossiers.search")
    # the name search lists Marie's dossier: her NISS is logged (one entry per dossier listed)
    assert [e.niss for e in searches] == [niss, niss]
    assert [e.niss for e in audit_entries(app, "registry.search_niss")] == [niss]


# --------------------------------------------------------------------------- references, archive


def test_references_refuse_a_future_opening_date(app, client, world, marie_dossier):
    tomorrow = date.today() + timedelta(days=1)
    response = client.post(
        f"/dossiers/{marie_dossier.id}/references/modifier",
        data={
            "dossier_number": "D-1",
            "opened_on": f"{tomorrow:%d/%m/%Y}",
            "social_worker_id": "0",
            "version": "1",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "ne peut pas être dans le futur" in field_error(response, "opened_on")
    with app.app_context():
        dossier = db.session.get(Dossier, marie_dossier.id)
        assert (dossier.dossier_number, dossier.opened_on) == (
            world.people.marie.niss,
            date.today(),
        )


def test_archive_requires_post(app, client, world, marie_dossier):
    for path in ("archiver", "reactiver"):
        response = client.get(f"/dossiers/{marie_dossier.id}/{path}")
        assert response.status_code == 405, path
    with app.app_context():
        assert db.session.get(Dossier, marie_dossier.id).archived is False


def test_archive_next_never_leaves_the_site(client, world, marie_dossier):
    response = client.post(
        f"/dossiers/{marie_dossier.id}/archiver", data={"next": "https://evil.example/phish"}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//"), location


def test_dossier_for_a_person_with_long_names(app, client, login_as, world, create_dossier):
    first_names = "Marie-Christine Françoise Joséphine Ghislaine"  # 45 characters
    with app.app_context():
        ref = add_person("VANDENBROUCKE", first_names, "F", date(1961, 8, 17), 12, 4, True).id
        db.session.commit()
    dossier_id = create_dossier(ref)
    found = table_rows(client.post("/dossiers/rechercher", data={"nom": "vandenbroucke"}))
    assert len(found) == 1 and first_names in found[0]
    assert client.get(f"/dossiers/{dossier_id}").status_code == 200
