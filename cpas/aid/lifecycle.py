"""The aid request's status machine (seed 001 §13–17), declared on ``cpas.workflow``.

Demande en cours → (soumettre) Rapport envoyé au Conseil → (décision) Décision encodée →
(formulaire) Formulaire envoyé → (clôturer) Demande clôturée; « Compléter l'enquête
sociale » sends a submitted request back to « Demande en cours » (seed §16.2). The steps
that keep the status (modify, rapport, proposition, duplicate, revise) are steps too, so
that the request page's menu and the services read one table of who may do what when.
The Council's screens (decision, form) come with the Council; their steps are here so the
table is whole.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..timeutil import utcnow
from ..workflow import Firing, Input, RuleError, Step, Workflow
from . import functions as fn
from .functions import KINDS
from .models import (
    KIND_LABELS,
    STATUS_LABELS,
    AidRequest,
    AidRequestEvent,
    EventKind,
)
from .models import RequestStatus as S

#: Longest texts: the nature of the request, the social report and the proposal.
NATURE_MAX = 4000
REPORT_MAX = 50_000

NO_PROPOSAL = _l("Enregistrez d'abord une proposition : elle est soumise au Conseil.")
MEETING_PAST = _l("La date prévue de réunion ne peut pas précéder la date de la demande.")


class AidRuleError(RuleError):
    """A request step refused by a rule (message for the user, ``field`` where it goes)."""


def _not_closed(status: str) -> bool:
    return status != S.CLOSED


def _keep(firing: Firing) -> str:
    """The steps that add to a request without moving it keep its status."""
    return firing.old


# ------------------------------------------------------------------ applies


def _modify(firing: Firing) -> None:
    request: AidRequest = firing.obj
    request.kind = firing.given["kind"]
    request.effective_date = firing.given["effective_date"]
    request.nature = firing.given["nature"]


def _report(firing: Firing) -> None:
    request: AidRequest = firing.obj
    request.report = firing.given["report"]
    request.report_at = utcnow()


def _proposal(firing: Firing) -> None:
    request: AidRequest = firing.obj
    request.proposal = firing.given["proposal"]
    request.meeting_date = firing.given["meeting_date"]
    request.proposal_at = utcnow()


def _check_meeting(firing: Firing) -> None:
    request: AidRequest = firing.obj
    if firing.given["meeting_date"] < request.request_date:
        raise AidRuleError(MEETING_PAST, field="meeting_date")


def _guard_submit(request: AidRequest, _user: Any) -> Any:
    return None if request.proposal else NO_PROPOSAL


def _submit(firing: Firing) -> None:
    firing.obj.submitted_at = utcnow()


def _duplicate(firing: Firing) -> None:
    from .services import copy_request  # the services import this module

    firing.result = copy_request(firing.obj, "duplicate", firing.by)


def _revise(firing: Firing) -> None:
    from .services import copy_request

    firing.result = copy_request(firing.obj, "revision", firing.by)


def _integrate_copy(firing: Firing) -> None:
    """After the commit: the new request's beneficiary integrated « en enquête »."""
    from .services import integrate_on_creation

    if firing.result is not None:
        integrate_on_creation(firing.result, firing.by)


EVENT_OF_STEP = {
    "modify": EventKind.MODIFIED,
    "report": EventKind.REPORT,
    "proposal": EventKind.PROPOSAL,
    "submit": EventKind.SUBMITTED,
    "complete": EventKind.COMPLETED,
    "duplicate": EventKind.DUPLICATED,
    "close": EventKind.CLOSED,
    "revise": EventKind.REVISED,
    "decide": EventKind.DECIDED,
    "send_form": EventKind.FORM_SENT,
}


def _record_event(firing: Firing) -> None:
    created: AidRequest | None = firing.result
    db.session.add(
        AidRequestEvent(
            request_id=firing.obj.id,
            kind=EVENT_OF_STEP[firing.step.action],
            user_id=firing.by.id,
            at=utcnow(),
            other_number=created.number if created is not None else None,
            from_status=firing.old,
            to_status=firing.new,
        )
    )


KIND_CHOICES = tuple(KIND_LABELS.items())

AID = Workflow(
    name="aid",
    states=S,
    labels=STATUS_LABELS,
    record_event=_record_event,
    after_commit=(_integrate_copy,),
    error=AidRuleError,
    steps=(
        Step(
            "modify",
            (S.IN_PROGRESS,),
            _keep,
            (fn.EDIT,),
            _l("Modifier la demande"),
            sides=KINDS,
            inputs=(
                Input(
                    "kind",
                    "choice",
                    _l("Type de la demande"),
                    missing=_l("Choisissez le type de la demande."),
                    choices=KIND_CHOICES,
                    saved=lambda r: r.kind,
                ),
                Input(
                    "effective_date",
                    "date",
                    _l("Date d'entrée en vigueur proposée"),
                    missing=_l("Indiquez la date d'entrée en vigueur proposée (JJ/MM/AAAA)."),
                    saved=lambda r: r.effective_date.strftime("%d/%m/%Y"),
                ),
                Input(
                    "nature",
                    "text",
                    _l("Nature de la demande"),
                    missing=_l("Décrivez la nature de la demande."),
                    max_length=NATURE_MAX,
                    saved=lambda r: r.nature,
                ),
            ),
            apply=_modify,
        ),
        Step(
            "report",
            (S.IN_PROGRESS,),
            _keep,
            (fn.EDIT,),
            _l("Rapport"),
            sides=KINDS,
            inputs=(
                Input(
                    "report",
                    "text",
                    _l("Rapport social"),
                    missing=_l("Rédigez le rapport social avant de l'enregistrer."),
                    max_length=REPORT_MAX,
                    saved=lambda r: r.report,
                ),
            ),
            apply=_report,
        ),
        Step(
            "proposal",
            (S.IN_PROGRESS,),
            _keep,
            (fn.EDIT,),
            _l("Proposition"),
            sides=KINDS,
            inputs=(
                Input(
                    "proposal",
                    "text",
                    _l("Proposition d'aide sociale"),
                    missing=_l("Rédigez la proposition avant de l'enregistrer."),
                    max_length=REPORT_MAX,
                    saved=lambda r: r.proposal,
                ),
                Input(
                    "meeting_date",
                    "date",
                    _l("Date prévue de réunion"),
                    missing=_l("Indiquez la date prévue de réunion (JJ/MM/AAAA)."),
                    default=lambda r: (r.meeting_date or date.today()).strftime("%d/%m/%Y"),
                    saved=lambda r: r.meeting_date.strftime("%d/%m/%Y") if r.meeting_date else None,
                ),
            ),
            checks=(_check_meeting,),
            apply=_proposal,
        ),
        Step(
            "submit",
            (S.IN_PROGRESS,),
            S.SUBMITTED,
            (fn.SUBMIT,),
            _l("Soumettre la demande au Conseil"),
            sides=KINDS,
            confirm=_l(
                "Soumettre la demande au Conseil ? La composition de ménage, les adresses et "
                "l'enquête sociale seront figées jusqu'à « Compléter l'enquête sociale »."
            ),
            guard=_guard_submit,
            apply=_submit,
        ),
        Step(
            "complete",
            (S.SUBMITTED,),
            S.IN_PROGRESS,
            (fn.COMPLETE,),
            _l("Compléter l'enquête sociale"),
            sides=KINDS,
            confirm=_l(
                "Rouvrir l'enquête sociale ? La demande revient en « Demande en cours » et "
                "devra être soumise à nouveau au Conseil."
            ),
        ),
        Step(
            "decide",
            (S.SUBMITTED,),
            S.DECIDED,
            (fn.DECIDE,),
            _l("Encoder la décision"),
            sides=KINDS,
        ),
        Step(
            "send_form",
            (S.DECIDED,),
            S.FORM_SENT,
            (fn.SEND_FORM,),
            _l("Envoyer le formulaire au SPP IS"),
            sides=KINDS,
        ),
        Step(
            "duplicate",
            tuple(s for s in S if _not_closed(s)),
            _keep,
            (fn.DUPLICATE,),
            _l("Dupliquer la demande"),
            sides=KINDS,
            confirm=_l(
                "Dupliquer la demande ? Une nouvelle demande « Demande en cours » est créée, "
                "datée d'aujourd'hui, avec le même type et la même nature."
            ),
            apply=_duplicate,
        ),
        Step(
            "close",
            (S.DECIDED, S.FORM_SENT),
            S.CLOSED,
            (fn.CLOSE,),
            _l("Clôturer la demande"),
            sides=KINDS,
            confirm=_l("Clôturer la demande ? Elle ne pourra plus être que révisée."),
        ),
        Step(
            "revise",
            (S.CLOSED,),
            _keep,
            (fn.REVISE,),
            _l("Réviser la demande"),
            sides=KINDS,
            confirm=_l(
                "Réviser la demande ? Une nouvelle demande « Demande en cours » est créée, "
                "datée d'aujourd'hui et liée à celle-ci."
            ),
            apply=_revise,
        ),
    ),
)

#: « Autres actions » of the request page, in the seed's order (the Council's steps have
#: their own screens).
OTHER_ACTIONS = ("modify", "submit", "complete", "duplicate", "close", "revise")
#: The URL segment of each step.
PATHS = {
    "modify": "modifier",
    "report": "rapport",
    "proposal": "proposition",
    "submit": "soumettre",
    "complete": "completer",
    "decide": "decision",
    "send_form": "formulaire",
    "duplicate": "dupliquer",
    "close": "cloturer",
    "revise": "reviser",
}
