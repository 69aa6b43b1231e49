"""The aid requests' functions (seed 002, annex « Demande d'aide »: « Listing des demandes
d'aide » and the eight functions under it) and the Council's two, written literally: their
labels in French and Dutch, what each requires (dossier consultation above all: without
« Recherche d'un dossier » no request is reachable), their side (CPAS only) and the
predefined profile templates (issue 14 §10: a social worker may do all but close, the
director all; the administrative agent lists and prints).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cpas.access.functions import FUNCTION_KINDS, FUNCTIONS, TREE, complete_dependencies
from cpas.access.models import Profile
from cpas.access.templates import TEMPLATES
from cpas.extensions import db
from tests.helpers import page_text

# fmt: off
#: code → (French label, Dutch label). Seed 002 lists the French ones (« Modification
#: d'une demande d'aide » is completed with what it covers: choix de l'application).
LABELS: dict[str, tuple[str, str]] = {
    "aid.list": ("Listing des demandes d'aide", "Lijst van de hulpaanvragen"),
    "aid.print": ("Impression d'une demande d'aide", "Een hulpaanvraag afdrukken"),
    "aid.create": ("Ajout d'une demande d'aide", "Een hulpaanvraag toevoegen"),
    "aid.edit": (
        "Modification d'une demande d'aide (demande, rapport, proposition)",
        "Een hulpaanvraag wijzigen (aanvraag, verslag, voorstel)",
    ),
    "aid.submit": (
        "Soumission au conseil d'une demande d'aide", "Een hulpaanvraag aan de raad voorleggen"),
    "aid.complete": (
        "Complétude d'une demande d'aide",
        "Het sociaal onderzoek van een hulpaanvraag aanvullen",
    ),
    "aid.duplicate": ("Duplication d'une demande d'aide", "Een hulpaanvraag dupliceren"),
    "aid.close": ("Clôture d'une demande d'aide", "Een hulpaanvraag afsluiten"),
    "aid.revise": ("Révision d'une demande d'aide", "Een hulpaanvraag herzien"),
    # the Council's (issue 14 §6: the table covers every transition now)
    "aid.decide": ("Encodage de la décision du Conseil", "De beslissing van de Raad invoeren"),
    "aid.send_form": ("Envoi du formulaire au SPP IS", "Het formulier naar de POD MI versturen"),
}

DOSSIER = {"dossiers.view", "dossiers.search"}
#: code → every function a profile holding it ends up with (the code itself included).
COMPLETED: dict[str, set[str]] = {
    "aid.list": {"aid.list", *DOSSIER},
    "aid.print": {"aid.print", "aid.list", *DOSSIER},
    "aid.create": {"aid.create", "aid.list", *DOSSIER},
    "aid.edit": {"aid.edit", "aid.list", *DOSSIER},
    "aid.submit": {"aid.submit", "aid.edit", "aid.list", *DOSSIER},
    "aid.complete": {"aid.complete", "aid.edit", "aid.list", *DOSSIER},
    "aid.duplicate": {"aid.duplicate", "aid.create", "aid.list", *DOSSIER},
    "aid.close": {"aid.close", "aid.list", *DOSSIER},
    "aid.revise": {"aid.revise", "aid.create", "aid.list", *DOSSIER},
    "aid.decide": {"aid.decide", "aid.list", *DOSSIER},
    "aid.send_form": {"aid.send_form", "aid.decide", "aid.list", *DOSSIER},
}

#: The aid codes each predefined CPAS template ticks.
TEMPLATE_AID_CODES: dict[str, set[str]] = {
    # issue 14 §10 « a social worker may do all but close »; the Council's own are not theirs
    "social_worker": {
        "aid.list", "aid.print", "aid.create", "aid.edit", "aid.submit", "aid.complete",
        "aid.duplicate", "aid.revise",
    },
    # « the director all »
    "director": {
        "aid.list", "aid.print", "aid.create", "aid.edit", "aid.submit", "aid.complete",
        "aid.duplicate", "aid.close", "aid.revise", "aid.decide", "aid.send_form",
    },
    "admin_agent": {"aid.list", "aid.print"},
    "finance": set(),
}
# fmt: on


def test_the_eleven_functions_and_their_labels():
    aid = {code: (f.label_fr, f.label_nl) for code, f in FUNCTIONS.items() if code[:4] == "aid."}
    assert aid == LABELS


def test_the_groups_of_the_tree():
    groups = {g.code: (g.label_fr, g.label_nl, [f.code for f in g.functions]) for g in TREE}
    assert groups["aid"] == (
        "Demandes d'aide",
        "Hulpaanvragen",
        [
            "aid.list",
            "aid.print",
            "aid.create",
            "aid.edit",
            "aid.submit",
            "aid.complete",
            "aid.duplicate",
            "aid.close",
            "aid.revise",
        ],
    )
    assert groups["aid_decisions"] == (
        "Décisions du Conseil",
        "Beslissingen van de Raad",
        ["aid.decide", "aid.send_form"],
    )


@pytest.mark.parametrize("code", sorted(COMPLETED))
def test_each_function_needs_dossier_consultation(code):
    complete, added = complete_dependencies({code})
    assert complete == COMPLETED[code]
    assert added == COMPLETED[code] - {code}


@pytest.mark.parametrize("code", sorted(LABELS))
def test_aid_functions_are_the_cpas_s_only(code):
    assert FUNCTION_KINDS[code] == ("cpas",)


def test_a_profile_given_listing_alone_gets_dossier_consultation(app, client, make_user, login_as):
    """Saving a profile with « Listing des demandes d'aide » only adds « Consulter un
    dossier » and « Rechercher un dossier », and the page says so."""
    login_as(make_user(functions=["access.profiles"]))
    response = client.post(
        "/acces/profils/nouveau",
        data={
            "name_fr": "Lecture des demandes",
            "name_nl": "Lezen van de aanvragen",
            "functions": ["aid.list"],
            "action": "save",
        },
        follow_redirects=True,
    )
    text = page_text(response)
    assert "Fonctions ajoutées car requises :" in text
    added = text.split("Fonctions ajoutées car requises :", 1)[1].split("\n", 1)[0]
    assert "Consulter un dossier" in added and "Rechercher un dossier" in added
    assert "Listing des demandes d'aide" not in added
    with app.app_context():
        profile = db.session.scalar(
            select(Profile).where(Profile.name_fr == "Lecture des demandes")
        )
        assert profile is not None
        assert set(profile.function_codes) == {"aid.list", "dossiers.view", "dossiers.search"}


def test_a_profile_given_duplication_alone_gets_its_chain(app, client, make_user, login_as):
    login_as(make_user(functions=["access.profiles"]))
    response = client.post(
        "/acces/profils/nouveau",
        data={
            "name_fr": "Duplication",
            "name_nl": "Duplicatie",
            "functions": ["aid.duplicate"],
            "action": "save",
        },
        follow_redirects=True,
    )
    added = page_text(response).split("Fonctions ajoutées car requises :", 1)[1]
    added = added.split("\n", 1)[0]
    for label in (
        "Ajout d'une demande d'aide",
        "Listing des demandes d'aide",
        "Consulter un dossier",
        "Rechercher un dossier",
    ):
        assert label in added, label
    with app.app_context():
        profile = db.session.scalar(select(Profile).where(Profile.name_fr == "Duplication"))
        assert profile is not None
        assert set(profile.function_codes) == COMPLETED["aid.duplicate"]


@pytest.mark.parametrize("key", sorted(TEMPLATE_AID_CODES))
def test_predefined_templates_tick_their_aid_functions(key):
    (template,) = [t for t in TEMPLATES if t.key == key]
    assert {c for c in template.codes() if c.startswith("aid.")} == TEMPLATE_AID_CODES[key]


@pytest.mark.parametrize("key", ["distributor_agent", "fund_manager_agent"])
def test_templates_of_the_other_sides_have_no_aid_function(key):
    (template,) = [t for t in TEMPLATES if t.key == key]
    assert not {c for c in template.codes() if c.startswith("aid.")}


@pytest.mark.parametrize("key", ["social_worker", "director", "admin_agent"])
def test_the_template_button_pre_ticks_them_on_the_profile_page(client, make_user, login_as, key):
    login_as(make_user(functions=["access.profiles"]))
    response = client.post(
        "/acces/profils/nouveau", data={"action": f"template:{key}"}, headers={"HX-Request": "true"}
    )
    html = response.get_data(as_text=True)
    for code in sorted(LABELS):
        ticked = f'value="{code}" checked' in html
        assert ticked == (code in TEMPLATE_AID_CODES[key]), (key, code)
