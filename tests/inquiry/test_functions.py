"""The social inquiry's functions (seed 002, « Enquête sociale »: Informations générales,
Adresses, Ressources, Dépenses; formulaire A), written literally: their labels in French
and Dutch, their group, what each requires down to « Listing des demandes d'aide » and
dossier consultation, their side (CPAS only) and the predefined profile templates
(« Travailleur social » and « Directeur général » hold all nine)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cpas.access.functions import FUNCTION_KINDS, FUNCTIONS, TREE, complete_dependencies
from cpas.access.models import Profile
from cpas.access.templates import TEMPLATES
from cpas.extensions import db
from tests.helpers import page_text

# fmt: off
#: code → (French label, Dutch label).
LABELS: dict[str, tuple[str, str]] = {
    "inquiry.info_view": (
        "Visualisation des informations générales d'une personne (données légales, "
        "informations du bénéficiaire ou du partenaire)",
        "Algemene informatie van een persoon bekijken (wettelijke gegevens, informatie van de "
        "begunstigde of de partner)",
    ),
    "inquiry.info_edit": (
        "Modification des informations du bénéficiaire (catégorie, situation…) ou du "
        "partenaire (nombre d'enfants à charge…)",
        "Informatie van de begunstigde (categorie, situatie…) of de partner (aantal kinderen "
        "ten laste…) wijzigen",
    ),
    "inquiry.address_edit": (
        "Modification des adresses (adresse de résidence effective, données légales)",
        "Adressen wijzigen (werkelijk verblijfsadres, wettelijke gegevens)",
    ),
    "inquiry.resources_view": ("Visualisation des ressources", "Bestaansmiddelen bekijken"),
    "inquiry.resources_edit": (
        "Ajout, modification et suppression des ressources",
        "Bestaansmiddelen toevoegen, wijzigen en verwijderen",
    ),
    "inquiry.expenses_view": ("Visualisation des dépenses", "Uitgaven bekijken"),
    "inquiry.expenses_edit": (
        "Ajout, modification et suppression des dépenses",
        "Uitgaven toevoegen, wijzigen en verwijderen",
    ),
    "inquiry.form_a_view": ("Visualisation du formulaire A", "Formulier A bekijken"),
    "inquiry.form_a_edit": ("Modification du formulaire A", "Formulier A wijzigen"),
}

#: What every inquiry function ends up with: the request listing, the household and the
#: dossier consultation (« Recherche d'un dossier » too: without it no dossier is reached).
BASE = {"inquiry.info_view", "aid.list", "household.view", "dossiers.view", "dossiers.search"}
COMPLETED: dict[str, set[str]] = {
    "inquiry.info_view": BASE,
    "inquiry.info_edit": {"inquiry.info_edit", *BASE},
    "inquiry.address_edit": {"inquiry.address_edit", *BASE},
    "inquiry.resources_view": {"inquiry.resources_view", *BASE},
    "inquiry.resources_edit": {"inquiry.resources_edit", "inquiry.resources_view", *BASE},
    "inquiry.expenses_view": {"inquiry.expenses_view", *BASE},
    "inquiry.expenses_edit": {"inquiry.expenses_edit", "inquiry.expenses_view", *BASE},
    "inquiry.form_a_view": {"inquiry.form_a_view", *BASE},
    "inquiry.form_a_edit": {"inquiry.form_a_edit", "inquiry.form_a_view", *BASE},
}

ALL_NINE = set(LABELS)
#: The inquiry codes each predefined CPAS template ticks.
TEMPLATE_CODES: dict[str, set[str]] = {
    "social_worker": ALL_NINE,  # « Travailleur social »
    "director": ALL_NINE,  # « Directeur général / Secrétaire »
    "admin_agent": set(),
    "finance": set(),
}
TEMPLATE_NAMES = {
    "social_worker": "Travailleur social",
    "director": "Directeur général / Secrétaire",
}
# fmt: on


def test_the_nine_functions_and_their_labels():
    inquiry = {
        code: (f.label_fr, f.label_nl) for code, f in FUNCTIONS.items() if code[:8] == "inquiry."
    }
    assert inquiry == LABELS


def test_the_group_of_the_tree():
    groups = {g.code: (g.label_fr, g.label_nl, [f.code for f in g.functions]) for g in TREE}
    assert groups["inquiry"] == (
        "Enquête sociale",
        "Sociaal onderzoek",
        [
            "inquiry.info_view",
            "inquiry.info_edit",
            "inquiry.address_edit",
            "inquiry.resources_view",
            "inquiry.resources_edit",
            "inquiry.expenses_view",
            "inquiry.expenses_edit",
            "inquiry.form_a_view",
            "inquiry.form_a_edit",
        ],
    )


@pytest.mark.parametrize("code", sorted(COMPLETED))
def test_each_function_needs_the_request_listing_and_dossier_consultation(code):
    complete, added = complete_dependencies({code})
    assert complete == COMPLETED[code]
    assert added == COMPLETED[code] - {code}


@pytest.mark.parametrize("code", sorted(LABELS))
def test_inquiry_functions_are_the_cpas_s_only(code):
    assert FUNCTION_KINDS[code] == ("cpas",)


@pytest.mark.parametrize("key", sorted(TEMPLATE_CODES))
def test_predefined_templates_tick_their_inquiry_functions(key):
    (template,) = [t for t in TEMPLATES if t.key == key]
    assert {c for c in template.codes() if c.startswith("inquiry.")} == TEMPLATE_CODES[key]
    if key in TEMPLATE_NAMES:
        assert template.name_fr == TEMPLATE_NAMES[key]


@pytest.mark.parametrize("key", ["distributor_agent", "fund_manager_agent"])
def test_templates_of_the_other_sides_have_no_inquiry_function(key):
    (template,) = [t for t in TEMPLATES if t.key == key]
    assert not {c for c in template.codes() if c.startswith("inquiry.")}


def test_a_profile_given_resources_edit_alone_gets_its_chain(app, client, make_user, login_as):
    """Saving a profile with « Ajout, modification et suppression des ressources » only adds
    what it requires, down to dossier consultation, and the page says so."""
    login_as(make_user(functions=["access.profiles"]))
    response = client.post(
        "/acces/profils/nouveau",
        data={
            "name_fr": "Ressources",
            "name_nl": "Bestaansmiddelen",
            "functions": ["inquiry.resources_edit"],
            "action": "save",
        },
        follow_redirects=True,
    )
    text = page_text(response)
    assert "Fonctions ajoutées car requises :" in text
    added = text.split("Fonctions ajoutées car requises :", 1)[1].split("\n", 1)[0]
    for label in (
        "Visualisation des ressources",
        "Visualisation des informations générales d'une personne",
        "Listing des demandes d'aide",
        "Consulter un dossier",
    ):
        assert label in added, label
    with app.app_context():
        profile = db.session.scalar(select(Profile).where(Profile.name_fr == "Ressources"))
        assert profile is not None
        assert set(profile.function_codes) == COMPLETED["inquiry.resources_edit"]


@pytest.mark.parametrize("key", ["social_worker", "director", "admin_agent"])
def test_the_template_button_pre_ticks_them_on_the_profile_page(client, make_user, login_as, key):
    login_as(make_user(functions=["access.profiles"]))
    response = client.post(
        "/acces/profils/nouveau", data={"action": f"template:{key}"}, headers={"HX-Request": "true"}
    )
    html = response.get_data(as_text=True)
    for code in sorted(LABELS):
        ticked = f'value="{code}" checked' in html
        assert ticked == (code in TEMPLATE_CODES[key]), (key, code)
