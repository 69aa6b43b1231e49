"""Two people edit the same dossier record: the second save is a conflict that keeps what
was typed, names who changed it, and saving again with the new version works."""

from __future__ import annotations

import pytest

from cpas.dossiers.models import Dossier, HouseholdMember
from cpas.extensions import db
from tests.helpers import (
    GARBAGE_VERSIONS,
    page_text,
    posted_version,
    saved_hints,
    second_client,
)

HTMX = {"HX-Request": "true"}


def _references(dossier_id, number, opened, version):
    return {
        "dossier_number": number,
        "opened_on": opened,
        "social_worker_id": "0",
        "version": version,
    }


def test_references_second_writer_gets_the_form_back(
    app, client, login_as, make_user, world, marie_dossier
):
    url = f"/dossiers/{marie_dossier.id}/references/modifier"
    marie_b = make_user(world.cpas_a, all_access=True, first_name="Marie", last_name="Dupont")
    a = client  # signed in as world.user_a by the fixture
    b = second_client(app, login_as, marie_b)
    version_a = posted_version(page_text(a.get(url, headers=HTMX)))
    version_b = posted_version(page_text(b.get(url, headers=HTMX)))
    assert version_a == version_b

    saved = a.post(url, data=_references(0, "A-1", "02/01/2026", version_a), headers=HTMX)
    assert saved.status_code == 200
    late = b.post(url, data=_references(0, "B-2", "03/01/2026", version_b), headers=HTMX)
    html = page_text(late)
    assert late.status_code == 409
    assert "Ce dossier a été modifié par Prénom" in html  # user_a's name, then the time
    assert "pendant votre saisie" in html and "Vos valeurs sont conservées" in html
    assert 'value="B-2"' in html and 'value="03/01/2026"' in html  # B's typed values
    assert saved_hints(html) == {"dossier_number": "A-1", "opened_on": "02/01/2026"}
    with app.app_context():
        dossier = db.session.get(Dossier, marie_dossier.id)
        assert dossier.dossier_number == "A-1"  # nothing of A's change lost
        current = str(dossier.version)
    assert posted_version(html) == current  # the form now carries the new version

    merged = b.post(url, data=_references(0, "B-2", "03/01/2026", current), headers=HTMX)
    assert merged.status_code == 200
    with app.app_context():
        dossier = db.session.get(Dossier, marie_dossier.id)
        assert dossier.dossier_number == "B-2" and dossier.updated_by_id == marie_b.id


@pytest.mark.parametrize("garbage", [*GARBAGE_VERSIONS, None])
def test_references_refuse_a_garbage_version(app, client, marie_dossier, garbage):
    data = _references(0, "G-1", "02/01/2026", garbage)
    if garbage is None:
        del data["version"]
    response = client.post(
        f"/dossiers/{marie_dossier.id}/references/modifier", data=data, headers=HTMX
    )
    assert response.status_code in (400, 422)
    assert "pas de version valide" in page_text(response)
    with app.app_context():
        assert db.session.get(Dossier, marie_dossier.id).dossier_number != "G-1"


def test_household_member_removed_twice_from_stale_pages(
    app, client, login_as, make_user, world, marie_dossier
):
    other = make_user(world.cpas_a, all_access=True, first_name="Marie", last_name="Dupont")
    a, b = client, second_client(app, login_as, other)
    page = f"/dossiers/{marie_dossier.id}/menage"
    remove = f"/dossiers/{marie_dossier.id}/menage/membres/{marie_dossier.jean_id}/supprimer"
    restore = f"/dossiers/{marie_dossier.id}/menage/membres/{marie_dossier.jean_id}/restaurer"
    jean_row = f"membres/{marie_dossier.jean_id}/supprimer"
    version_a = posted_version(page_text(a.get(page)), within=jean_row)
    version_b = posted_version(page_text(b.get(page)), within=jean_row)

    removed = a.post(remove, data={"version": version_a}, headers=HTMX)
    assert removed.status_code == 200
    undo_version = posted_version(page_text(removed), within="restaurer")
    assert a.post(restore, data={"version": undo_version}, headers=HTMX).status_code == 200
    # B still sees the page from before: its removal must not undo what A decided silently
    late = b.post(remove, data={"version": version_b}, headers=HTMX)
    html = page_text(late)
    assert late.status_code == 409
    assert "Ce membre du ménage a été modifié par Prénom" in html and "LEFEBVRE" in html
    with app.app_context():
        member = db.session.get(HouseholdMember, marie_dossier.jean_id)
        assert member.removed_at is None  # A's restore stands
        current = str(member.version)
    assert posted_version(html, within=jean_row) == current
    again = b.post(remove, data={"version": current}, headers=HTMX)
    assert again.status_code == 200
    with app.app_context():
        assert db.session.get(HouseholdMember, marie_dossier.jean_id).removed_at is not None


@pytest.mark.parametrize("garbage", [*GARBAGE_VERSIONS, None])
def test_household_buttons_refuse_a_garbage_version(app, client, marie_dossier, garbage):
    url = f"/dossiers/{marie_dossier.id}/menage/membres/{marie_dossier.jean_id}/supprimer"
    response = client.post(url, data={} if garbage is None else {"version": garbage})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(HouseholdMember, marie_dossier.jean_id).removed_at is None
