"""The « Rapport Unique » life cycle over HTTP, against a table written from seed 004.

Seed 004 (« Clôture du formulaire »): « il sera nécessaire de valider le formulaire et de
le faire signer par le Président et Directeur Général »; the app adds: two different
people sign, « signé » once both are in, the report is then closed, and an access manager
may reopen it (with a reason), which drops the validation and the signatures.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from cpas.extensions import db
from cpas.redi.models import RediCampaign, RediReportEvent
from tests.audit_helpers import entries_since, last_entry_id
from tests.helpers import page_text, with_version

CONFIRMED = {"confirmed": "1"}
SIGNED_AT = datetime(2024, 4, 1, 10, 0)

#: Situations of a report: its status and who signed already (a role → an actor name).
SITUATIONS = {
    "draft": ("draft", {}),
    "validated": ("validated", {}),
    "president_signed": ("validated", {"president": "president"}),
    "director_signed": ("validated", {"director": "director"}),
    "both_signed_president": ("validated", {"president": "both"}),
    "signed": ("signed", {"president": "president", "director": "director"}),
    "closed": ("closed", {"president": "president", "director": "director"}),
}

REFUSED = "refused"  # 422: the step is not possible now; nothing changes
FORBIDDEN = "forbidden"  # 403: the user lacks the step's function

#: (situation, URL of the step, who) → the status reached, or REFUSED / FORBIDDEN.
TABLE = [
    ("draft", "valider", "encoder", "validated"),
    ("draft", "valider", "president", FORBIDDEN),
    ("draft", "signer-president", "president", REFUSED),
    ("draft", "signer-directeur", "director", REFUSED),
    ("draft", "cloturer", "encoder", REFUSED),
    ("draft", "rouvrir", "admin", REFUSED),
    ("validated", "valider", "encoder", REFUSED),
    ("validated", "signer-president", "president", "validated"),
    ("validated", "signer-directeur", "director", "validated"),
    ("validated", "signer-president", "encoder", FORBIDDEN),
    ("validated", "cloturer", "encoder", REFUSED),
    ("validated", "rouvrir", "admin", "draft"),
    ("validated", "rouvrir", "encoder", FORBIDDEN),
    ("president_signed", "signer-president", "president", REFUSED),
    ("president_signed", "signer-president", "both", REFUSED),
    ("president_signed", "signer-directeur", "director", "signed"),
    ("president_signed", "cloturer", "encoder", REFUSED),
    ("director_signed", "signer-directeur", "director", REFUSED),
    ("director_signed", "signer-president", "president", "signed"),
    ("both_signed_president", "signer-directeur", "both", REFUSED),  # the same person
    ("signed", "valider", "encoder", REFUSED),
    ("signed", "signer-president", "president", REFUSED),
    ("signed", "signer-directeur", "director", REFUSED),
    ("signed", "cloturer", "encoder", "closed"),
    ("signed", "cloturer", "president", FORBIDDEN),
    ("signed", "rouvrir", "admin", "draft"),
    ("closed", "valider", "encoder", REFUSED),
    ("closed", "cloturer", "encoder", REFUSED),
    ("closed", "signer-president", "president", REFUSED),
    ("closed", "rouvrir", "admin", "draft"),
]

#: The audit action (and history event) of each step's URL.
ACTION = {
    "valider": "validate",
    "signer-president": "sign_president",
    "signer-directeur": "sign_director",
    "cloturer": "close",
    "rouvrir": "reopen",
}

#: (situation, who) → the buttons the report page draws (their step's URL).
BUTTONS = [
    ("draft", "encoder", {"valider"}),
    ("draft", "president", set()),
    ("draft", "admin", set()),
    ("validated", "encoder", set()),
    ("validated", "president", {"signer-president"}),
    ("validated", "director", {"signer-directeur"}),
    ("validated", "both", {"signer-president", "signer-directeur"}),
    ("validated", "admin", {"rouvrir"}),
    ("president_signed", "president", set()),
    ("president_signed", "director", {"signer-directeur"}),
    ("both_signed_president", "both", set()),
    ("signed", "encoder", {"cloturer"}),
    ("signed", "president", set()),
    ("signed", "admin", {"rouvrir"}),
    ("closed", "encoder", set()),
    ("closed", "admin", {"rouvrir"}),
]


@pytest.fixture
def actors(redi, make_user):
    both = make_user(
        redi.cpas,
        functions=["redi.view", "redi.sign_president", "redi.sign_director"],
        last_name="Cumul",
    )
    admin = make_user(redi.cpas, functions=["redi.view", "access.users"], last_name="Admin")
    return {
        "encoder": redi.encoder,
        "president": redi.president,
        "director": redi.director,
        "both": both,
        "admin": admin,
    }


def _put_in(app, campaign_id, situation, actors):
    status, signers = SITUATIONS[situation]
    with app.app_context():
        campaign = db.session.get(RediCampaign, campaign_id)
        campaign.status = status
        if status != "draft":
            campaign.validated_at, campaign.validated_by_id = SIGNED_AT, actors["encoder"].id
        for role, who in signers.items():
            setattr(campaign, f"{role}_id", actors[who].id)
            setattr(campaign, f"{role}_signed_at", SIGNED_AT)
        if status == "closed":
            campaign.closed_at = SIGNED_AT
        db.session.commit()


def _state(app, campaign_id):
    with app.app_context():
        c = db.session.get(RediCampaign, campaign_id)
        return (
            c.status,
            c.version,
            c.validated_by_id,
            c.president_id,
            c.director_id,
            c.closed_at,
            c.reopen_reason,
        )


def _events(app, campaign_id):
    with app.app_context():
        return [
            (e.action, e.from_status, e.to_status, e.user_id, e.comment)
            for e in db.session.scalars(
                select(RediReportEvent).where(RediReportEvent.campaign_id == campaign_id)
            )
        ]


@pytest.mark.parametrize("situation,path,who,expected", TABLE)
def test_step_table(app, client, login_as, redi, actors, situation, path, who, expected):
    _put_in(app, redi.campaign_id, situation, actors)
    before = _state(app, redi.campaign_id)
    actor = actors[who]
    login_as(actor)
    mark = last_entry_id(app)
    response = client.post(
        f"/redi/campagnes/{redi.campaign_id}/{path}",
        data=with_version(app, RediCampaign, redi.campaign_id)
        | CONFIRMED
        | {"reason": "Correction des montants"},
    )
    after = _state(app, redi.campaign_id)
    steps = [e for e in entries_since(app, mark) if e.action.startswith("redi.")]
    if expected in (REFUSED, FORBIDDEN):
        assert response.status_code == (422 if expected == REFUSED else 403)
        assert after == before and steps == [] and _events(app, redi.campaign_id) == []
        return
    assert response.status_code == 302
    assert after[0] == expected and after[1] == before[1] + 1
    action = ACTION[path]
    # one audit entry of the step, in the actor's name, and one history event
    assert [(e.action, e.user_id, e.object_id) for e in steps] == [
        (f"redi.{action}", actor.id, str(redi.campaign_id))
    ]
    comment = "Correction des montants" if action == "reopen" else None
    assert _events(app, redi.campaign_id) == [(action, before[0], expected, actor.id, comment)]


def test_what_each_step_records(app, client, login_as, redi, actors):
    """Validation names the validator, each signature its signer, reopening clears them."""
    _put_in(app, redi.campaign_id, "draft", actors)

    def step(path, who, **extra):
        login_as(actors[who])
        data = with_version(app, RediCampaign, redi.campaign_id) | CONFIRMED | extra
        assert (
            client.post(f"/redi/campagnes/{redi.campaign_id}/{path}", data=data).status_code == 302
        )

    step("valider", "encoder")
    step("signer-directeur", "director")
    step("signer-president", "president")
    with app.app_context():
        c = db.session.get(RediCampaign, redi.campaign_id)
        assert c.status == "signed" and c.validated_by_id == actors["encoder"].id
        assert (c.president_id, c.director_id) == (actors["president"].id, actors["director"].id)
        assert c.validated_at and c.president_signed_at and c.director_signed_at
    step("cloturer", "encoder")
    step("rouvrir", "admin", reason="Un montant à corriger")
    with app.app_context():
        c = db.session.get(RediCampaign, redi.campaign_id)
        assert c.status == "draft" and c.reopen_reason == "Un montant à corriger"
        assert (c.validated_by_id, c.validated_at, c.president_id, c.president_signed_at) == (
            (None,) * 4
        )
        assert (c.director_id, c.director_signed_at, c.closed_at) == (None,) * 3
    history = page_text(client.get(f"/redi/campagnes/{redi.campaign_id}/rapport"))
    table = history.split('id="report-history"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 6  # the header and the five steps, oldest first
    for label in ("Valider le rapport", "Signer (Directeur général)", "Clôturer le rapport"):
        assert label in table
    assert table.index("Valider le rapport") < table.index("Clôturer le rapport")
    assert "Un montant à corriger" in table and "Clôturé → Brouillon" in table


def test_reopen_needs_its_reason_next_to_the_field(app, client, login_as, redi, actors):
    _put_in(app, redi.campaign_id, "signed", actors)
    before = _state(app, redi.campaign_id)
    login_as(actors["admin"])
    response = client.post(
        f"/redi/campagnes/{redi.campaign_id}/rouvrir",
        data=with_version(app, RediCampaign, redi.campaign_id) | CONFIRMED | {"reason": "  "},
    )
    assert response.status_code == 422
    message = page_text(response).split('id="reason-reopen-msg">', 1)[1].split("<", 1)[0]
    assert message == "Indiquez la raison de la réouverture."
    assert _state(app, redi.campaign_id) == before
    # without the confirmation, the reason typed is kept on the confirmation step
    asked = client.post(
        f"/redi/campagnes/{redi.campaign_id}/rouvrir",
        data=with_version(app, RediCampaign, redi.campaign_id) | {"reason": "Erreur"},
    )
    assert asked.status_code == 200 and 'id="confirm-step"' in page_text(asked)
    assert "La validation et les signatures seront annulées" in page_text(asked)
    assert 'name="reason" value="Erreur"' in page_text(asked)
    assert _state(app, redi.campaign_id) == before


def test_the_same_person_cannot_sign_twice_and_is_told_why(app, client, login_as, redi, actors):
    _put_in(app, redi.campaign_id, "both_signed_president", actors)
    login_as(actors["both"])
    response = client.post(
        f"/redi/campagnes/{redi.campaign_id}/signer-directeur",
        data=with_version(app, RediCampaign, redi.campaign_id) | CONFIRMED,
    )
    assert response.status_code == 422
    assert (
        "Le Président et le Directeur général doivent être deux personnes différentes."
        in page_text(response)
    )


@pytest.mark.parametrize("situation,who,buttons", BUTTONS)
def test_report_page_draws_the_steps_the_user_may_take(
    app, client, login_as, redi, actors, situation, who, buttons
):
    _put_in(app, redi.campaign_id, situation, actors)
    login_as(actors[who])
    html = page_text(client.get(f"/redi/campagnes/{redi.campaign_id}/rapport"))
    drawn = {
        path
        for path in ACTION
        if f'<form method="post" action="/redi/campagnes/{redi.campaign_id}/{path}"' in html
    }
    assert drawn == buttons
