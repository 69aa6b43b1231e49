"""REDI texts a user reads: import errors in French with the sheet's column names, money in
warnings the Belgian way, labels (never codes) in the exported workbook."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from cpas.redi.importer import parse_workbook
from tests.helpers import page_text
from tests.redi.conftest import HEADER, NISS_B, row, workbook

#: The column names a message must use, as the REDI sheet writes them (seed 004).
COLUMN_NAMES = {
    "when": "date du budget mensuel",
    "decision_date": "date de décision",
    "period_start": "période d'octroi début",
    "period_end": "période d'octroi fin",
    "balance": "solde du budget mensuel",
    "monthly_granted": "montant mensuel octroyé",
    "total_paid": "montant total payé pendant la période de subvention",
    "activation": "parcours d'activation",
    "payment": "paiement",
}
#: What the code calls them: none of these may reach a user.
FIELD_CODES = re.compile(
    r"budget[ _]date|decision[ _]date|period[ _](start|end)|\bbalance\b|monthly[ _]granted"
    r"|total[ _]paid|(?<![\w'])activation\b|\bpayment\b"
)


def _errors(**cells) -> list[str]:  # noqa: ANN003
    parsed = parse_workbook(workbook([row(**cells)]), "99001")
    return [message for _, message in parsed.errors]


@pytest.mark.parametrize(
    "cell,value,problem",
    [
        ("when", "32/13/2023", "date illisible « 32/13/2023 » (JJ/MM/AAAA attendu)"),
        ("decision_date", "hier", "date illisible « hier » (JJ/MM/AAAA attendu)"),
        ("period_start", "1er juin", "date illisible « 1er juin » (JJ/MM/AAAA attendu)"),
        ("period_end", "2023-02-30", "date illisible « 2023-02-30 » (JJ/MM/AAAA attendu)"),
        ("balance", "beaucoup", "montant illisible « beaucoup »"),
        ("monthly_granted", "cent", "montant illisible « cent »"),
        ("total_paid", "12,3,4", "montant illisible « 12,3,4 »"),
        ("activation", "Peut-être", "valeur inconnue « Peut-être »"),
        ("payment", "Trimestrielle", "valeur inconnue « Trimestrielle »"),
    ],
)
def test_import_errors_name_the_column_in_french(app, cell, value, problem):
    with app.test_request_context("/"):
        errors = _errors(**{cell: value})
    # one message for the cell (an unreadable date or balance is not also « manquant »)
    assert errors == [f"{COLUMN_NAMES[cell]} : {problem}."]
    assert not FIELD_CODES.search(errors[0])


def test_missing_imported_cells_have_their_own_french_message(app):
    with app.test_request_context("/"):
        assert _errors(when=None) == ["Date du budget mensuel manquante."]
        assert _errors(balance=None) == ["Solde du budget mensuel manquant."]
        assert _errors(budget=None, niss=NISS_B) == ["N° de budget mensuel manquant."]
        assert _errors(months="trois") == ["nombre de mois illisible « trois »."]


def test_import_page_shows_the_french_messages(app, client, login_as, redi):
    login_as(redi.encoder)
    response = client.post(
        f"/redi/campagnes/{redi.campaign_id}/import",
        data={"file": (io.BytesIO(workbook([row(when="31/02/2023")])), "redi.xlsx")},
        content_type="multipart/form-data",
    )
    text = page_text(response)
    assert response.status_code == 422
    assert "date du budget mensuel : date illisible « 31/02/2023 »" in text
    assert "budget date" not in text and "budget_date" not in text


def test_screen_warnings_show_money_the_belgian_way(app, client, login_as, redi):
    """A line granting more than its balance says so in euros as the CPAS writes them."""
    login_as(redi.encoder)
    encoded = row(
        balance="-1234,5",
        activation="Oui – PIIS",
        decision_date="2023-06-01",
        monthly_granted="2000,00",
        period_start="01/06/2023",
        period_end="30/06/2023",
        months=1,
        payment="Unique",
        total_paid=0,
    )
    preview = client.post(
        f"/redi/campagnes/{redi.campaign_id}/import",
        data={"file": (io.BytesIO(workbook([encoded])), "redi.xlsx")},
        content_type="multipart/form-data",
    )
    token = re.search(r"/redi/imports/([\w-]+)/confirmer", preview.get_data(as_text=True))
    client.post(f"/redi/imports/{token.group(1)}/confirmer")
    text = page_text(client.get(f"/redi/campagnes/{redi.campaign_id}"))
    assert "plafonné à 1.234,50 € par mois" in text
    assert "1234.50" not in text


def test_export_shows_labels_never_codes(app, client, login_as, redi):
    login_as(redi.encoder)
    lines = [
        row(
            activation="Non – déjà à l'emploi",
            decision_date="2023-06-01",
            monthly_granted="100,00",
            period_start="01/06/2023",
            period_end="15/08/2023",
            months=3,
            payment="Unique",
            total_paid=300,
        ),
        row(niss=NISS_B, budget="7", activation="Oui – autre", payment="Mensuelle"),
    ]
    preview = client.post(
        f"/redi/campagnes/{redi.campaign_id}/import",
        data={"file": (io.BytesIO(workbook(lines)), "redi.xlsx")},
        content_type="multipart/form-data",
    )
    token = re.search(r"/redi/imports/([\w-]+)/confirmer", preview.get_data(as_text=True))
    client.post(f"/redi/imports/{token.group(1)}/confirmer")
    exported = client.get(f"/redi/campagnes/{redi.campaign_id}/export.xlsx")
    ws = load_workbook(io.BytesIO(exported.data)).active
    column = {title: index for index, title in enumerate(HEADER)}
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]
    by_niss = {r[column["N° NISS"]]: r for r in rows}
    complete, incomplete = by_niss["85073003328"], by_niss[NISS_B]
    assert complete[column["Parcours d'activation"]] == "Non – déjà à l'emploi"
    assert complete[column["Paiement"]] == "Unique"
    assert complete[column["Contrôle"]] == "Complet"
    assert incomplete[column["Parcours d'activation"]] == "Oui – autre"
    assert incomplete[column["Paiement"]] == "Mensuelle"
    assert incomplete[column["Contrôle"]] == "Incomplet"
    codes = {"non_emploi", "oui_autre", "unique", "mensuelle", "complet", "incomplet"}
    assert not codes & {str(v) for r in rows for v in r}
