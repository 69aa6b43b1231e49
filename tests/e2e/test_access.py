"""Browser tests of access management in Debian's Chromium."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from cpas.access.models import OrganisationKind, Profile, User
from cpas.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_profile_from_template_untick_group_assign_and_menu(
    app, live_server, page, make_org, make_user
):
    org = make_org(OrganisationKind.CPAS, name="CPAS Navigateur")
    make_user(org, all_access=True, email="admin@cpas-nav.test")
    worker = make_user(org, email="agent@cpas-nav.test", last_name="Agent")

    sign_in(page, live_server, "admin@cpas-nav.test", PASSWORD)
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_role("link", name="Profils").click()
    page.get_by_role("link", name="Créer un profil").click()
    page.get_by_label("Description néerlandais").fill("Alleen audit")
    page.get_by_label("Description français").fill("Audit seulement")
    # « Sélectionner tout » then untick the access group: htmx redraws the tree in place
    page.get_by_role("button", name="Sélectionner tout", exact=True).first.click()
    page.wait_for_selector('input[value="access.users"]:checked')
    group = page.locator('fieldset[data-group="access"]')
    group.get_by_role("button", name="Désélectionner tout").click()
    page.wait_for_selector('input[value="access.users"]:not(:checked)')
    assert page.get_by_label("Description français").input_value() == "Audit seulement"  # no reload
    page.check('input[value="access.audit"]')
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(r".*/acces/profils$"))
    assert page.get_by_text("Le profil « Audit seulement » a été enregistré.").is_visible()
    with app.app_context():
        profile = db.session.scalar(select(Profile).where(Profile.name_fr == "Audit seulement"))
        codes = set(profile.function_codes)
    assert "access.audit" in codes and "access.users" not in codes

    nav.get_by_role("link", name="Utilisateurs").click()
    row = page.locator("tr", has_text="Agent")
    row.get_by_role("link", name="Affecter les profils").click()
    page.get_by_label("Audit seulement").check()
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(r".*/acces/utilisateurs$"))
    assert page.locator("tr", has_text="Agent").get_by_text("Audit seulement").is_visible()

    # the user now sees only the allowed menu entries
    page.get_by_role("button", name="Se déconnecter").click()
    sign_in(page, live_server, worker.email, PASSWORD)
    menu = page.get_by_role("navigation", name="Navigation principale")
    assert menu.get_by_role("link", name="Admin-Logs").is_visible()
    for hidden in ("Profils", "Utilisateurs", "Demandes de compte"):
        assert menu.get_by_role("link", name=hidden).count() == 0
    response = page.goto(f"{live_server}/acces/profils")
    assert response.status == 403


def _acceptance_mails(smtp, address):
    """The e-mails to ``address`` that announce the account is open (subject and body)."""
    from email.header import decode_header, make_header

    return [
        m
        for m in smtp.to(address)
        if str(make_header(decode_header(m["Subject"])))
        == "Votre compte est ouvert – Intranet CPAS"
        and "Votre demande de compte a été acceptée." in smtp.body(m)
    ]


def test_account_request_edited_accepted_and_applicant_signs_in(
    app, live_server, page, make_org, make_user, make_profile, smtp
):
    org = make_org(OrganisationKind.CPAS, name="CPAS Demandes")
    make_user(org, all_access=True, email="admin@cpas-demandes.test")
    make_profile(org, ["access.audit"], name_fr="Lecteur des logs")

    page.goto(f"{live_server}/connexion")
    page.get_by_role("link", name="Demander un compte").click()
    page.get_by_label("CPAS ou distributeur").select_option(label="CPAS Demandes (CPAS)")
    page.get_by_label("Nom", exact=True).fill("Lambert")
    page.get_by_label("Prénom").fill("Julie")
    page.get_by_label("E-mail").fill("julie.lambert@cpas-demo.be")
    page.get_by_label("Mot de passe", exact=True).fill("Robinet-Fuyant-2026")
    page.get_by_label("Confirmez le mot de passe").fill("Robinet-Fuyant-2026")
    page.get_by_label("Compte bancaire (IBAN)").fill("BE71 0961 2345 6769")
    page.get_by_label("Représentant de l'institution").fill("M. le Président")
    page.get_by_label("Numéro de téléphone de la personne responsable").fill("081 12 34 56")
    page.get_by_role("button", name="Demander un compte").click()
    assert page.get_by_text("Votre demande a bien été envoyée").is_visible()

    sign_in(page, live_server, "admin@cpas-demandes.test", PASSWORD)
    menu = page.get_by_role("navigation", name="Navigation principale")
    assert menu.get_by_role("link", name=re.compile("Demandes de compte 1")).is_visible()
    menu.get_by_role("link", name=re.compile("Demandes de compte")).click()
    page.get_by_role("link", name="Ouvrir").click()
    page.get_by_label("Prénom").fill("Juliette")
    page.get_by_role("button", name="Sauver les modifications").click()
    assert page.get_by_text("Demande mise à jour.").is_visible()
    page.get_by_label("Profil à affecter").select_option(label="Lecteur des logs")
    page.get_by_role("button", name="Accepter et créer le compte").click()
    assert page.get_by_text("Compte créé pour Juliette Lambert").is_visible()
    # The acknowledgement sent at submission goes to the same address: look for the
    # acceptance itself, by its subject and wording.
    accepted = _acceptance_mails(smtp, "julie.lambert@cpas-demo.be")
    assert len(accepted) == 1, "acceptance e-mail received"
    assert "/connexion" in smtp.body(accepted[0])
    page.get_by_role("button", name="Se déconnecter").click()

    sign_in(page, live_server, "julie.lambert@cpas-demo.be", "Robinet-Fuyant-2026")
    assert page.get_by_role("heading", name="Bienvenue, Juliette").is_visible()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "julie.lambert@cpas-demo.be"))
        assert [p.name_fr for p in user.profiles] == ["Lecteur des logs"]
