"""Browser test: choosing the profile of an accepted account shows what it grants (htmx)."""

from __future__ import annotations

import pytest

from cpas.access.models import AccountRequest, OrganisationKind
from cpas.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_chosen_profile_shows_its_functions(
    app, live_server, page, make_org, make_user, make_profile
):
    org = make_org(OrganisationKind.CPAS, name="CPAS Navigateur")
    make_user(org, all_access=True, email="admin@cpas-navigateur.test")
    make_profile(org, ["access.audit"], name_fr="Lecteur des logs")
    with app.app_context():
        row = AccountRequest(
            organisation_id=org.id,
            last_name="Lambert",
            first_name="Julie",
            email="julie@cpas-navigateur.test",
            password_hash="x",
            iban="BE71096123456769",
            representative="R",
            phone="081000000",
        )
        db.session.add(row)
        db.session.commit()
        request_id = row.id
    sign_in(page, live_server, "admin@cpas-navigateur.test", PASSWORD)
    page.goto(f"{live_server}/acces/demandes-de-compte/{request_id}")
    grants = page.locator("#profile-grants")
    assert grants.get_by_text("Choisissez un profil pour voir les fonctions").is_visible()
    page.get_by_label("Profil à affecter").select_option(label="Lecteur des logs")
    grants.get_by_text("Le profil « Lecteur des logs » accorde :").wait_for()
    assert grants.get_by_text("Consulter les Admin-Logs").is_visible()
    assert grants.get_by_text("Gérer les utilisateurs").count() == 0
    # Accepting without a profile: the message next to the field, nothing created.
    page.get_by_label("Profil à affecter").select_option(label="— Choisissez un profil —")
    page.get_by_role("button", name="Accepter et créer le compte").click()
    assert page.get_by_text("Choisissez le profil à affecter au nouveau compte.").is_visible()
