"""REDI encoding, duplication, summary and workflow."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from cpas.extensions import db
from cpas.redi.models import RediCampaign, RediLine
from tests.helpers import page_text, with_version
from tests.redi.conftest import NISS_A

#: Every step of the report asks for confirmation (tests/redi/test_confirmation.py).
CONFIRMED = {"confirmed": "1"}


@pytest.fixture
def lines(app, redi):
    with app.app_context():
        rows = [
            RediLine(
                campaign_id=redi.campaign_id,
                position=1,
                ins_code="99001",
                niss=NISS_A,
                budget_number="64",
                budget_date=date(2023, 6, 1),
                balance=Decimal("-500"),
            ),
            RediLine(
                campaign_id=redi.campaign_id,
                position=2,
                ins_code="99001",
                niss=NISS_A,
                budget_number="65",
                budget_date=date(2023, 6, 1),
                balance=Decimal("-100"),
            ),
        ]
        db.session.add_all(rows)
        db.session.commit()
        return [r.id for r in rows]


FULL = {
    "activation": "oui_piis",
    "decision_date": "2023-06-01",
    "monthly_granted": "500,00",
    "period_start": "2023-06-01",
    "period_end": "2023-07-31",
    "months": "2",
    "payment": "unique",
    "total_paid": "1.000,00",
}


def _line(app, line_id):
    with app.app_context():
        return db.session.get(RediLine, line_id)


def test_inline_save_redraws_the_row_until_complete(app, client, login_as, redi, lines):
    login_as(redi.encoder)
    headers = {"HX-Request": "true"}
    partial = client.post(
        f"/redi/lignes/{lines[0]}",
        data=with_version(app, RediLine, lines[0])
        | {"activation": "oui_piis", "monthly_granted": "500"},
        headers=headers,
    )
    html = page_text(partial)
    assert (
        partial.status_code == 200
        and html.startswith(f'<tr id="line-{lines[0]}"') is False
        or f'id="line-{lines[0]}"' in html
    )
    assert "Incomplet" in html and "date de décision" in html
    done = page_text(
        client.post(
            f"/redi/lignes/{lines[0]}",
            data=with_version(app, RediLine, lines[0]) | FULL,
            headers=headers,
        )
    )
    assert "Complet" in done and "1.000,00 €" in done  # total subsidisable = 500 × 2
    assert _line(app, lines[0]).complete is True


def test_months_proposed_from_the_period_and_never_raised(app, client, login_as, redi, lines):
    login_as(redi.encoder)
    data = {**FULL, "months": "", "period_end": "2023-08-15"}
    client.post(f"/redi/lignes/{lines[0]}", data=with_version(app, RediLine, lines[0]) | data)
    assert _line(app, lines[0]).months == 3
    raised = client.post(
        f"/redi/lignes/{lines[0]}",
        data=with_version(app, RediLine, lines[0]) | {**FULL, "months": "4"},
    )
    assert raised.status_code == 422 and "Au plus 2" in page_text(raised)
    assert _line(app, lines[0]).months == 3  # nothing lost
    lowered = client.post(
        f"/redi/lignes/{lines[0]}",
        data=with_version(app, RediLine, lines[0])
        | {**FULL, "period_start": "2023-03-01", "period_end": "2023-06-30", "months": "2"},
    )
    assert lowered.status_code == 200 and _line(app, lines[0]).months == 2


def test_bad_input_message_in_the_row(app, client, login_as, redi, lines):
    login_as(redi.encoder)
    response = client.post(
        f"/redi/lignes/{lines[0]}",
        data=with_version(app, RediLine, lines[0]) | {**FULL, "total_paid": "5000"},
    )
    assert response.status_code == 422 and "Supérieur au montant total octroyé." in page_text(
        response
    )
    wrong = client.post(
        f"/redi/lignes/{lines[0]}",
        data=with_version(app, RediLine, lines[0]) | {**FULL, "monthly_granted": "abc"},
    )
    assert "Montant invalide" in page_text(wrong)
    assert _line(app, lines[0]).monthly_granted is None


def test_duplicate_line_shares_the_balance_and_only_duplicates_are_removable(
    app, client, login_as, redi, lines
):
    login_as(redi.encoder)
    client.post(f"/redi/lignes/{lines[0]}", data=with_version(app, RediLine, lines[0]) | FULL)
    client.post(f"/redi/lignes/{lines[0]}/dupliquer")
    with app.app_context():
        copy = db.session.scalar(select(RediLine).where(RediLine.is_duplicate.is_(True)))
        assert (copy.niss, copy.budget_number, copy.position) == (NISS_A, "64", 2)
    row = page_text(
        client.post(
            f"/redi/lignes/{copy.id}",
            data=with_version(app, RediLine, copy.id)
            | {**FULL, "monthly_granted": "50", "total_paid": "0"},
        )
    )
    assert "dépassent le solde pour les mêmes mois" in row  # the seed's 50 € example
    refused = client.post(f"/redi/lignes/{lines[1]}/supprimer", follow_redirects=True)
    assert "Seule une ligne dupliquée peut être supprimée." in page_text(refused)
    client.post(f"/redi/lignes/{copy.id}/supprimer")
    assert _line(app, copy.id) is None and _line(app, lines[1]) is not None


def test_summary_and_full_workflow(app, client, login_as, redi, lines):
    login_as(redi.encoder)
    client.post(f"/redi/lignes/{lines[0]}", data=with_version(app, RediLine, lines[0]) | FULL)
    report = page_text(client.get(f"/redi/campagnes/{redi.campaign_id}/rapport"))
    assert "6.349,82 €" in report and "1.000,00 €" in report and "5.349,82 €" in report
    client.post(
        f"/redi/campagnes/{redi.campaign_id}/valider",
        data=with_version(app, RediCampaign, redi.campaign_id) | CONFIRMED,
    )
    locked = client.post(
        f"/redi/lignes/{lines[1]}", data=with_version(app, RediLine, lines[1]) | FULL
    )
    assert locked.status_code == 409
    assert _line(app, lines[1]).activation is None
    # signatures: the president, then the director (two different people)
    login_as(redi.president)
    client.post(
        f"/redi/campagnes/{redi.campaign_id}/signer-president",
        data=with_version(app, RediCampaign, redi.campaign_id) | CONFIRMED,
    )
    login_as(redi.director)
    client.post(
        f"/redi/campagnes/{redi.campaign_id}/signer-directeur",
        data=with_version(app, RediCampaign, redi.campaign_id) | CONFIRMED,
    )
    login_as(redi.encoder)
    client.post(
        f"/redi/campagnes/{redi.campaign_id}/cloturer",
        data=with_version(app, RediCampaign, redi.campaign_id) | CONFIRMED,
    )
    with app.app_context():
        campaign = db.session.get(RediCampaign, redi.campaign_id)
        assert campaign.status == "closed"
        assert (
            campaign.president_id == redi.president.id and campaign.director_id == redi.director.id
        )
    pdf = client.get(f"/redi/campagnes/{redi.campaign_id}/rapport.pdf")
    assert pdf.data.startswith(b"%PDF")


def test_one_person_cannot_sign_twice(app, client, login_as, make_user, redi, lines):
    both = make_user(
        redi.cpas,
        functions=["redi.view", "redi.validate", "redi.sign_president", "redi.sign_director"],
    )
    login_as(both)
    client.post(
        f"/redi/campagnes/{redi.campaign_id}/valider",
        data=with_version(app, RediCampaign, redi.campaign_id) | CONFIRMED,
    )
    client.post(
        f"/redi/campagnes/{redi.campaign_id}/signer-president",
        data=with_version(app, RediCampaign, redi.campaign_id) | CONFIRMED,
    )
    response = client.post(
        f"/redi/campagnes/{redi.campaign_id}/signer-directeur",
        data=with_version(app, RediCampaign, redi.campaign_id) | CONFIRMED,
        follow_redirects=True,
    )
    assert "deux personnes différentes" in page_text(response)
    with app.app_context():
        assert db.session.get(RediCampaign, redi.campaign_id).director_id is None


def test_reopen_needs_access_management_and_a_reason(app, client, login_as, make_user, redi, lines):
    login_as(redi.encoder)
    client.post(
        f"/redi/campagnes/{redi.campaign_id}/valider",
        data=with_version(app, RediCampaign, redi.campaign_id) | CONFIRMED,
    )
    assert (
        client.post(
            f"/redi/campagnes/{redi.campaign_id}/rouvrir",
            data=with_version(app, RediCampaign, redi.campaign_id) | {"reason": "x"} | CONFIRMED,
        ).status_code
        == 403
    )
    admin = make_user(redi.cpas, functions=["redi.view", "access.users"])
    login_as(admin)
    client.post(
        f"/redi/campagnes/{redi.campaign_id}/rouvrir",
        data=with_version(app, RediCampaign, redi.campaign_id) | {"reason": ""} | CONFIRMED,
    )
    with app.app_context():
        assert db.session.get(RediCampaign, redi.campaign_id).status == "validated"
    client.post(
        f"/redi/campagnes/{redi.campaign_id}/rouvrir",
        data=with_version(app, RediCampaign, redi.campaign_id)
        | {"reason": "Erreur d'encodage"}
        | CONFIRMED,
    )
    with app.app_context():
        campaign = db.session.get(RediCampaign, redi.campaign_id)
        assert campaign.status == "draft" and campaign.reopen_reason == "Erreur d'encodage"


def test_filters_post_and_incomplete_first(app, client, login_as, redi, lines):
    login_as(redi.encoder)
    client.post(
        f"/redi/lignes/{lines[1]}",
        data=with_version(app, RediLine, lines[1])
        | {**FULL, "monthly_granted": "100", "total_paid": "0"},
    )
    html = page_text(client.get(f"/redi/campagnes/{redi.campaign_id}"))
    assert html.index(f'id="line-{lines[0]}"') < html.index(
        f'id="line-{lines[1]}"'
    )  # incomplete first
    only_complete = page_text(
        client.post(f"/redi/campagnes/{redi.campaign_id}", data={"control": "complet"})
    )
    assert f'id="line-{lines[1]}"' in only_complete and f'id="line-{lines[0]}"' not in only_complete
    bad = client.post(f"/redi/campagnes/{redi.campaign_id}", data={"niss": "123"})
    assert bad.status_code == 422 and "NISS invalide." in page_text(bad)


# The permission of every REDI route: tests/redi/test_permissions.py (from the url map).


def test_distributor_has_no_redi(client, login_as, make_org, make_user):
    from cpas.access.models import OrganisationKind

    dist = make_org(OrganisationKind.DISTRIBUTOR)
    login_as(make_user(dist, functions=["water.fse.view"]))
    assert client.get("/redi/").status_code == 403


@pytest.mark.parametrize("name", ["control", "activation"])
@pytest.mark.parametrize("value", ["ab\x00cd", "inconnu"])
def test_a_filter_value_no_option_has_is_refused_next_to_the_filter(
    client, login_as, redi, lines, name, value
):
    login_as(redi.encoder)
    answer = client.post(f"/redi/campagnes/{redi.campaign_id}", data={name: value})
    assert answer.status_code == 422
    assert "Choisissez une valeur de la liste." in page_text(answer)
    kept = client.post(f"/redi/campagnes/{redi.campaign_id}", data={name: ""})
    assert kept.status_code == 200
