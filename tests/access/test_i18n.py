"""Access and sign-in in Dutch: pages, breadcrumbs, field messages, profile names, the
access-review export, and e-mails in the recipient's language (never the sender's)."""

from __future__ import annotations

import re
from email.header import decode_header, make_header
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from cpas.access.models import AccountRequest, OrganisationKind, User
from cpas.extensions import db
from tests.helpers import page_text

from .test_account_requests import GOOD_PASSWORD, _form, _version

ADMIN_FUNCTIONS = [
    "access.profiles",
    "access.users",
    "access.account_requests",
    "access.audit",
    "access.export",
]


def _to_dutch(client) -> None:
    assert client.post("/langue", data={"locale": "nl"}).status_code in (302, 303)


def _reads(app, user, locale: str | None) -> None:
    with app.app_context():
        db.session.get(User, user.id).locale = locale
        db.session.commit()


def _breadcrumb(html: str) -> str:
    found = re.search(r'<nav class="breadcrumb[^"]*"[^>]*>(.*?)</nav>', html, re.S)
    assert found, "no breadcrumb"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_access_pages_in_dutch(app, client, make_user, make_profile, login_as):
    admin = make_user(functions=ADMIN_FUNCTIONS, last_name="Beheer")
    make_profile(
        admin.organisation, ["access.audit"], name_fr="Lecteur des logs", name_nl="Loglezer"
    )
    login_as(admin)
    _to_dutch(client)

    users = client.get("/acces/utilisateurs")
    text = page_text(users)
    assert "Toegangsbeheer – Gebruikers" in text and "Filteren op naam" in text
    assert "Gestion des accès" not in text and "Affecter les profils" not in text
    assert "Profielen toewijzen" in text and "Deactiveren" not in text  # own account
    assert _breadcrumb(users.get_data(as_text=True)) == "Startpagina Gebruikers"

    profiles = page_text(client.get("/acces/profils"))
    assert "Toegangsbeheer – Profielen" in profiles and "Een profiel aanmaken" in profiles
    assert "Loglezer" in profiles and "Lecteur des logs" not in profiles  # name_nl for NL

    created = client.get("/acces/profils/nouveau")
    assert "Omschrijving Nederlands" in page_text(created)
    assert _breadcrumb(created.get_data(as_text=True)) == (
        "Startpagina Profielen Aanmaak van een profiel"
    )
    refused = client.post("/acces/profils/nouveau", data={"name_fr": "", "name_nl": ""})
    assert "Geef de omschrijving in het Nederlands op." in page_text(refused)

    assert "Geen openstaande aanvraag." in page_text(client.get("/acces/demandes-de-compte"))
    logs = page_text(client.get("/acces/admin-logs"))
    assert "Zoeken" in logs and "INSZ van de betrokken persoon" in logs


def test_access_pages_stay_french_by_default(app, client, make_user, make_profile, login_as):
    admin = make_user(functions=ADMIN_FUNCTIONS)
    make_profile(
        admin.organisation, ["access.audit"], name_fr="Lecteur des logs", name_nl="Loglezer"
    )
    login_as(admin)
    users = client.get("/acces/utilisateurs")
    assert "Gestion des accès – Utilisateurs" in page_text(users)
    assert _breadcrumb(users.get_data(as_text=True)) == "Accueil Utilisateurs"
    profiles = page_text(client.get("/acces/profils"))
    assert "Lecteur des logs" in profiles and "Loglezer" not in profiles


def test_sign_in_pages_and_messages_in_dutch(app, client, make_user):
    make_user(email="anne.nl@cpas.test")
    _to_dutch(client)
    login = client.get("/connexion")
    assert "Wachtwoord vergeten?" in page_text(login) and "Aanmelden" in page_text(login)
    assert _breadcrumb(login.get_data(as_text=True)) == "Startpagina Aanmelding"
    wrong = client.post("/connexion", data={"email": "anne.nl@cpas.test", "password": "nope"})
    assert "E-mailadres of wachtwoord onjuist." in page_text(wrong)
    request_form = client.post("/acces/demande-de-compte", data={"website": ""})
    text = page_text(request_form)
    assert "Geef uw naam op." in text and "Kies de organisatie." in text
    weak = client.post("/acces/demande-de-compte", data={"password": "kort", "confirm": "kort"})
    assert "Het wachtwoord moet minstens 12 tekens bevatten." in page_text(weak)


def test_access_review_export_has_dutch_headers_for_a_dutch_reader(
    app, client, make_user, login_as
):
    admin = make_user(functions=["access.users", "access.export"], last_name="Beheer")
    login_as(admin)
    _to_dutch(client)
    response = client.get("/acces/utilisateurs/export.xlsx")
    assert response.status_code == 200
    rows = [[c.value for c in r] for r in load_workbook(BytesIO(response.data)).active.iter_rows()]
    header = next(r for r in rows if "Naam" in r)
    assert header == ["Naam", "Voornaam", "E-mail", "Profielen", "Functiecode", "Functie"]
    labels = {r[5] for r in rows[rows.index(header) + 1 :]}
    assert "Gebruikers beheren" in labels and "Gérer les utilisateurs" not in labels


def _applicant_request(app, client, cpas, locale: str) -> int:
    applicant = app.test_client()
    if locale == "nl":
        _to_dutch(applicant)
    assert applicant.post("/acces/demande-de-compte", data=_form(cpas)).status_code == 302
    with app.app_context():
        row = db.session.scalar(select(AccountRequest))
        assert row.locale == locale
        return row.id


def test_decision_mail_in_the_applicants_language_not_the_administrators(
    app, client, make_org, make_user, make_profile, login_as, smtp
):
    """Same action (accept) by a French-reading administrator: a Dutch applicant reads Dutch."""
    cpas = make_org(OrganisationKind.CPAS)
    admin = make_user(cpas, functions=["access.account_requests"])
    _reads(app, admin, "fr")
    profile = make_profile(cpas, ["access.audit"], name_fr="Lecteur")
    rid = _applicant_request(app, client, cpas, "nl")
    received = smtp.to("julie.lambert@cpas-test.be")[-1]
    assert _subject(received) == "Accountaanvraag – Intranet OCMW"
    login_as(admin)
    client.post(
        f"/acces/demandes-de-compte/{rid}/accepter",
        data={"profile_id": profile.id, "version": _version(app, rid)},
    )
    accepted = smtp.to("julie.lambert@cpas-test.be")[-1]
    assert _subject(accepted) == "Uw account is geopend – Intranet OCMW"
    assert "Uw accountaanvraag werd aanvaard" in smtp.body(accepted)
    assert "acceptée" not in smtp.body(accepted)
    with app.app_context():  # the new account starts in the language the applicant used
        assert (
            db.session.scalar(select(User.locale).where(User.email == "julie.lambert@cpas-test.be"))
            == "nl"
        )
    # the administrator's own pages stay French
    assert "Acceptée" in page_text(client.get("/acces/demandes-de-compte"))


def test_refusal_mail_french_for_a_french_applicant_from_a_dutch_administrator(
    app, client, make_org, make_user, login_as, smtp
):
    cpas = make_org(OrganisationKind.CPAS)
    admin = make_user(cpas, functions=["access.account_requests"])
    rid = _applicant_request(app, client, cpas, "fr")
    login_as(admin)
    _to_dutch(client)  # the administrator reads Dutch
    client.post(
        f"/acces/demandes-de-compte/{rid}/refuser",
        data={"reason": "Personne inconnue", "version": _version(app, rid)},
    )
    refused = smtp.to("julie.lambert@cpas-test.be")[-1]
    assert _subject(refused) == "Votre demande de compte – Intranet CPAS"
    assert "n'a pas été acceptée" in smtp.body(refused) and "Personne inconnue" in smtp.body(
        refused
    )
    assert "Geweigerd" in page_text(client.get("/acces/demandes-de-compte"))


def test_password_reset_mail_in_the_accounts_language(app, client, make_user, smtp):
    dutch = make_user(email="jan@ocmw.test")
    _reads(app, dutch, "nl")
    make_user(email="anne@cpas.test")  # never chose: the page's language (French here)
    client.post("/mot-de-passe-oublie", data={"email": "jan@ocmw.test"})
    client.post("/mot-de-passe-oublie", data={"email": "anne@cpas.test"})
    to_jan = smtp.to("jan@ocmw.test")[-1]
    assert _subject(to_jan) == "Uw wachtwoord opnieuw instellen – Intranet OCMW"
    assert "De link werkt maar één keer." in smtp.body(to_jan)
    to_anne = smtp.to("anne@cpas.test")[-1]
    assert _subject(to_anne) == "Réinitialisation de votre mot de passe – Intranet CPAS"


def test_known_address_told_in_the_account_holders_language(app, client, make_org, make_user, smtp):
    cpas = make_org(OrganisationKind.CPAS)
    holder = make_user(cpas, email="julie.lambert@cpas-test.be")
    _reads(app, holder, "nl")
    client.post("/acces/demande-de-compte", data=_form(cpas))  # typed on a French page
    told = smtp.to("julie.lambert@cpas-test.be")[-1]
    assert "er bestaat al een account" in smtp.body(told)
    assert GOOD_PASSWORD not in smtp.body(told)
