"""The household frozen while a request is before the Council (seed 001 §15, issue 14 item
7): every household POST route is refused with the message and changes nothing, the page
shows the banner and none of the buttons; « Compléter l'enquête sociale » opens it again;
another dossier of the same CPAS is not frozen."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import inspect, select

from cpas.access.models import User
from cpas.aid.lifecycle import AID
from cpas.aid.models import AidRequest
from cpas.dossiers.models import HouseholdMember, HouseholdSnapshot
from cpas.extensions import db
from tests.dossiers.conftest import ADDRESS
from tests.helpers import member_add_url, page_text

HX = {"HX-Request": "true"}
FROZEN = "a été soumise au Conseil : la composition de ménage, les adresses et l'enquête sociale sont figées."
BUTTONS = (
    "Mettre à jour</button>",
    "Ajouter un membre",
    "Supprimer</button>",
    "Annuler la suppression",
    "Mettre à jour les données des membres sélectionnés",
    'name="membres"',
)


def household_rows(app, dossier_id: int) -> tuple[list[dict[str, Any]], list[tuple]]:
    """Every member row (all columns) and every snapshot (id, time, people) of the dossier."""
    columns = [attr.key for attr in inspect(HouseholdMember).column_attrs]
    with app.app_context():
        members = db.session.scalars(
            select(HouseholdMember)
            .where(HouseholdMember.dossier_id == dossier_id)
            .order_by(HouseholdMember.id)
        ).all()
        snapshots = db.session.scalars(
            select(HouseholdSnapshot)
            .where(HouseholdSnapshot.dossier_id == dossier_id)
            .order_by(HouseholdSnapshot.id)
        ).all()
        return (
            [{c: getattr(m, c) for c in columns} for m in members],
            [(s.id, s.taken_at, s.request_id, sorted(p.niss for p in s.people)) for s in snapshots],
        )


def member_version(app, member_id: int) -> str:
    with app.app_context():
        member = db.session.get(HouseholdMember, member_id)
        assert member is not None
        return str(member.version)


def household_posts(client, app, world) -> dict[str, Any]:
    """Each household change, posted as its page would post it."""
    d = world.dossier_a
    jean = world.jean_member_id
    return {
        "official refresh": lambda: client.post(f"/dossiers/{d.id}/menage/officiel"),
        "member add": lambda: client.post(
            member_add_url(client, d.id, world.people.lucas.id),
            data={
                "action": "enregistrer",
                "relation": "minor_child",
                "relation_start": "01/01/2020",
                **ADDRESS,
            },
        ),
        "member remove": lambda: client.post(
            f"/dossiers/{d.id}/menage/membres/{jean}/supprimer",
            data={"version": member_version(app, jean)},
            headers=HX,
        ),
        "member restore": lambda: client.post(
            f"/dossiers/{d.id}/menage/membres/{jean}/restaurer",
            data={"version": member_version(app, jean)},
            headers=HX,
        ),
        "members refresh": lambda: client.post(
            f"/dossiers/{d.id}/menage/membres/actualiser",
            data={"membres": [str(d.main_member_id), str(jean)]},
            headers=HX,
        ),
    }


@pytest.fixture
def submitted(app, aid_world, make_request):
    """Marie's request n° 1 submitted to the Council through ``AID.fire``."""
    return make_request(aid_world.dossier_a, aid_world.social_a, status="soumise")


def complete(app, aid_world, req) -> None:
    """« Compléter l'enquête sociale » through the workflow."""
    with app.app_context():
        row = db.session.get(AidRequest, req.id)
        by = db.session.get(User, aid_world.social_a.id)
        assert row is not None and by is not None
        AID.fire(row, "complete", by, row.version, confirmed=True)


def flashed(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _category, message in session.pop("_flashes", [])]


@pytest.mark.parametrize(
    "action",
    ["official refresh", "member add", "member remove", "member restore", "members refresh"],
)
def test_every_household_change_is_refused_while_submitted(
    app, client, login_as, aid_world, make_request, action
):
    login_as(aid_world.social_a)
    if action == "member restore":  # something to restore: Jean removed while it was open
        posts = household_posts(client, app, aid_world)
        assert posts["member remove"]().status_code == 200
    make_request(aid_world.dossier_a, aid_world.social_a, status="soumise")
    before = household_rows(app, aid_world.dossier_a.id)
    posts = household_posts(client, app, aid_world)
    response = posts[action]()
    assert response.status_code == 409, response.status_code
    text = page_text(response) + " ".join(flashed(client))
    assert "La demande n° 1 " + FROZEN in text
    assert household_rows(app, aid_world.dossier_a.id) == before


def test_the_household_page_shows_the_banner_and_no_change_button(
    app, client, login_as, aid_world, submitted
):
    login_as(aid_world.social_a)
    response = client.get(f"/dossiers/{aid_world.dossier_a.id}/menage")
    assert response.status_code == 200
    html = page_text(response)
    banner = re.search(r'<p class="[^"]*notice-frozen[^"]*"[^>]*>(.*?)</p>', html, re.S)
    assert banner and "La demande n° 1 " + FROZEN in banner.group(1)
    assert html.index("notice-frozen") < html.index(
        "Composition de ménage officielle"
    )  # at the top
    for button in BUTTONS:
        assert button not in html, button
    # the compositions themselves are still shown
    assert "LEFEBVRE" in html and "Composition de ménage de fait" in html
    # the fragment a refused htmx change redraws carries the banner too
    refused = household_posts(client, app, aid_world)["member remove"]()
    assert refused.status_code == 409 and "notice-frozen" in page_text(refused)
    assert "Supprimer</button>" not in page_text(refused)


def test_complete_opens_the_household_again(app, client, login_as, aid_world, submitted):
    complete(app, aid_world, submitted)
    login_as(aid_world.social_a)
    html = page_text(client.get(f"/dossiers/{aid_world.dossier_a.id}/menage"))
    assert "notice-frozen" not in html and FROZEN not in html
    for button in (
        "Mettre à jour</button>",
        "Ajouter un membre",
        "Supprimer</button>",
        "Mettre à jour les données des membres sélectionnés",
    ):
        assert button in html, button

    posts = household_posts(client, app, aid_world)
    d = aid_world.dossier_a.id
    _members, snapshots = household_rows(app, d)
    assert posts["official refresh"]().status_code == 302
    assert len(household_rows(app, d)[1]) == len(snapshots) + 1
    assert posts["member add"]().status_code == 302
    assert aid_world.people.lucas.niss in {m["niss"] for m in household_rows(app, d)[0]}
    assert posts["member remove"]().status_code == 200
    jean = next(m for m in household_rows(app, d)[0] if m["id"] == aid_world.jean_member_id)
    assert jean["removed_at"] is not None
    assert posts["member restore"]().status_code == 200
    jean = next(m for m in household_rows(app, d)[0] if m["id"] == aid_world.jean_member_id)
    assert jean["removed_at"] is None
    before = household_rows(app, d)[0]
    assert posts["members refresh"]().status_code == 200
    assert household_rows(app, d)[0] != before  # refreshed_at and the version moved


def test_submitting_again_freezes_again(app, client, login_as, aid_world, submitted):
    complete(app, aid_world, submitted)
    with app.app_context():
        row = db.session.get(AidRequest, submitted.id)
        by = db.session.get(User, aid_world.social_a.id)
        assert row is not None and by is not None
        AID.fire(row, "submit", by, row.version, confirmed=True)
    login_as(aid_world.social_a)
    before = household_rows(app, aid_world.dossier_a.id)
    assert household_posts(client, app, aid_world)["official refresh"]().status_code == 409
    assert household_rows(app, aid_world.dossier_a.id) == before


def test_another_dossier_of_the_same_cpas_is_not_frozen(
    app, client, login_as, aid_world, submitted
):
    login_as(aid_world.social_a)
    other = aid_world.dossier_a2.id
    html = page_text(client.get(f"/dossiers/{other}/menage"))
    assert "notice-frozen" not in html
    assert "Mettre à jour</button>" in html and "Ajouter un membre" in html
    snapshots = len(household_rows(app, other)[1])
    assert client.post(f"/dossiers/{other}/menage/officiel").status_code == 302
    assert len(household_rows(app, other)[1]) == snapshots + 1


@pytest.mark.parametrize("status", ["en_cours", "decision", "formulaire", "cloturee"])
def test_only_a_submitted_request_freezes(app, client, login_as, aid_world, make_request, status):
    make_request(aid_world.dossier_a, aid_world.social_a, status=status)
    login_as(aid_world.social_a)
    html = page_text(client.get(f"/dossiers/{aid_world.dossier_a.id}/menage"))
    assert "notice-frozen" not in html and "Ajouter un membre" in html
    assert client.post(f"/dossiers/{aid_world.dossier_a.id}/menage/officiel").status_code == 302
