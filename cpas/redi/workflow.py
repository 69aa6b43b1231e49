"""The « Rapport Unique » life cycle: validation, the two signatures, closing, reopening.

Seed 004 (« Clôture du formulaire »): the report is validated, then signed by the
Président and the Directeur général (two different people), then closed. Reopening (an
access manager, with a reason) sends it back to draft and drops the validation and both
signatures. Every rule of it is here, as data for ``cpas.workflow``.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..timeutil import utcnow
from ..workflow import Firing, Input, Step, Workflow
from .functions import KINDS
from .models import STATUS_LABELS, RediCampaign, RediReportEvent
from .models import ReportStatus as S

SAME_PERSON = _l("Le Président et le Directeur général doivent être deux personnes différentes.")
PRESIDENT_SIGNED = _l("Le Président a déjà signé.")
DIRECTOR_SIGNED = _l("Le Directeur général a déjà signé.")


def _validate(firing: Firing) -> None:
    campaign: RediCampaign = firing.obj
    campaign.validated_at, campaign.validated_by_id = utcnow(), firing.by.id


def _guard_president(campaign: RediCampaign, user: Any) -> Any:
    if campaign.president_id:
        return PRESIDENT_SIGNED
    if campaign.director_id == user.id:
        return SAME_PERSON
    return None


def _guard_director(campaign: RediCampaign, user: Any) -> Any:
    if campaign.director_id:
        return DIRECTOR_SIGNED
    if campaign.president_id == user.id:
        return SAME_PERSON
    return None


def _sign_president(firing: Firing) -> None:
    campaign: RediCampaign = firing.obj
    campaign.president_id, campaign.president_signed_at = firing.by.id, utcnow()


def _sign_director(firing: Firing) -> None:
    campaign: RediCampaign = firing.obj
    campaign.director_id, campaign.director_signed_at = firing.by.id, utcnow()


def _signed_when_both(firing: Firing) -> str:
    """« Signé » only once both signatures are in; the first one leaves it « validé »."""
    campaign: RediCampaign = firing.obj
    both = campaign.president_id is not None and campaign.director_id is not None
    return S.SIGNED if both else S.VALIDATED


def _close(firing: Firing) -> None:
    firing.obj.closed_at = utcnow()


def _reopen(firing: Firing) -> None:
    campaign: RediCampaign = firing.obj
    campaign.validated_at = campaign.validated_by_id = None
    campaign.president_id = campaign.president_signed_at = None
    campaign.director_id = campaign.director_signed_at = None
    campaign.closed_at = None
    campaign.reopen_reason = firing.given["reason"]


def _record_event(firing: Firing) -> None:
    db.session.add(
        RediReportEvent(
            campaign_id=firing.obj.id,
            user_id=firing.by.id,
            action=firing.step.action,
            from_status=firing.old,
            to_status=firing.new,
            comment=firing.given.get("reason"),
        )
    )


REPORT = Workflow(
    name="redi",
    states=S,
    labels=STATUS_LABELS,
    record_event=_record_event,
    steps=(
        Step(
            "validate",
            (S.DRAFT,),
            S.VALIDATED,
            ("redi.validate",),
            _l("Valider le rapport"),
            sides=KINDS,
            confirm=_l(
                "Valider le rapport ? L'encodage sera verrouillé : plus aucune ligne ne pourra "
                "être modifiée, sauf si un administrateur rouvre le rapport."
            ),
            apply=_validate,
        ),
        Step(
            "sign_president",
            (S.VALIDATED,),
            _signed_when_both,
            ("redi.sign_president",),
            _l("Signer (Président)"),
            sides=KINDS,
            confirm=_l(
                "Signer le rapport en tant que Président ? La signature est enregistrée à "
                "votre nom, avec la date et l'heure, et ne peut pas être retirée."
            ),
            guard=_guard_president,
            apply=_sign_president,
        ),
        Step(
            "sign_director",
            (S.VALIDATED,),
            _signed_when_both,
            ("redi.sign_director",),
            _l("Signer (Directeur général)"),
            sides=KINDS,
            confirm=_l(
                "Signer le rapport en tant que Directeur général ? La signature est "
                "enregistrée à votre nom, avec la date et l'heure, et ne peut pas être retirée."
            ),
            guard=_guard_director,
            apply=_sign_director,
        ),
        Step(
            "close",
            (S.SIGNED,),
            S.CLOSED,
            ("redi.validate",),
            _l("Clôturer le rapport"),
            sides=KINDS,
            confirm=_l(
                "Clôturer le rapport ? Il ne pourra plus être modifié, sauf si un "
                "administrateur le rouvre."
            ),
            apply=_close,
        ),
        Step(
            "reopen",
            (S.VALIDATED, S.SIGNED, S.CLOSED),
            S.DRAFT,
            ("access.users", "redi.view"),
            _l("Rouvrir"),
            sides=KINDS,
            inputs=(
                Input(
                    "reason",
                    "text",
                    _l("Raison de la réouverture"),
                    missing=_l("Indiquez la raison de la réouverture."),
                ),
            ),
            confirm=_l(
                "Rouvrir le rapport ? La validation et les signatures seront annulées : "
                "l'encodage redevient modifiable."
            ),
            apply=_reopen,
        ),
    ),
)

#: The URL segment of each step (kept from the first version of the screens).
PATHS = {
    "validate": "valider",
    "sign_president": "signer-president",
    "sign_director": "signer-directeur",
    "close": "cloturer",
    "reopen": "rouvrir",
}
