"""REDI validation and signatures ask for confirmation: one dialog naming the consequence,
and without the confirmation field the server shows a confirmation step and changes nothing."""

from __future__ import annotations

import pytest

from cpas.extensions import db
from cpas.redi.models import RediCampaign
from tests.helpers import page_text, with_version

STEPS = [
    # (route, who, status before, field that records the step, consequence named)
    ("valider", "encoder", "draft", "validated_at", "L'encodage sera verrouillé"),
    ("signer-president", "president", "validated", "president_id", "ne peut pas être retirée"),
    ("signer-directeur", "director", "validated", "director_id", "ne peut pas être retirée"),
    ("cloturer", "encoder", "signed", "closed_at", "Il ne pourra plus être modifié"),
]


def _campaign(app, campaign_id: int) -> RediCampaign:
    with app.app_context():
        campaign = db.session.get(RediCampaign, campaign_id)
        db.session.expunge(campaign)
        return campaign


@pytest.mark.parametrize("route,who,before,recorded,consequence", STEPS)
def test_step_without_confirmation_changes_nothing(
    app, client, login_as, redi, route, who, before, recorded, consequence
):
    with app.app_context():
        db.session.get(RediCampaign, redi.campaign_id).status = before
        db.session.commit()
    login_as(getattr(redi, who))
    url = f"/redi/campagnes/{redi.campaign_id}/{route}"
    answer = client.post(url, data=with_version(app, RediCampaign, redi.campaign_id))
    text = page_text(answer)
    assert answer.status_code == 200 and 'id="confirm-step"' in text and consequence in text
    assert f'action="{url}"' in text and 'name="confirmed" value="1"' in text
    campaign = _campaign(app, redi.campaign_id)
    assert campaign.status == before and getattr(campaign, recorded) is None
    done = client.post(
        url, data=with_version(app, RediCampaign, redi.campaign_id) | {"confirmed": "1"}
    )
    assert done.status_code == 302
    assert getattr(_campaign(app, redi.campaign_id), recorded) is not None


def test_report_buttons_ask_once_naming_the_consequence(app, client, login_as, redi):
    login_as(redi.encoder)
    html = page_text(client.get(f"/redi/campagnes/{redi.campaign_id}/rapport"))
    form = html.split(f'action="/redi/campagnes/{redi.campaign_id}/valider"', 1)[1]
    form = form.split("</form>", 1)[0]
    opening = html.split(f'action="/redi/campagnes/{redi.campaign_id}/valider"', 1)[1]
    opening = opening.split(">", 1)[0]
    assert opening.count("data-confirm=") == 1 and "L'encodage sera verrouillé" in opening
    assert "data-confirm" not in form.split(">", 1)[1]  # not a second time on the button
    with app.app_context():
        db.session.get(RediCampaign, redi.campaign_id).status = "validated"
        db.session.commit()
    login_as(redi.president)
    html = page_text(client.get(f"/redi/campagnes/{redi.campaign_id}/rapport"))
    opening = html.split(f'action="/redi/campagnes/{redi.campaign_id}/signer-president"', 1)[1]
    assert "ne peut pas être retirée" in opening.split(">", 1)[0]
