"""The account request's life: pending, then accepted (the account is created) or refused.

Declared once as a ``cpas.workflow.Workflow``; ``services.accept_account_request`` and
``services.refuse_account_request`` take their step through ``fire()``, which checks the
version, the function and the rules below before anything changes. The workflow is named
``access`` so that its audit actions keep their codes (``access.account_request_accept``,
``access.account_request_refuse``), which Admin-Logs already shows in words.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from .. import audit
from ..concurrency import conflict_of
from ..extensions import db
from ..mailer import link_to, send_localised
from ..timeutil import utcnow
from ..workflow import Firing, Input, RuleError, Step, Workflow
from .models import ACCOUNT_REQUEST_STATUS_LABELS, AccountRequestStatus, User

ACCEPT = "account_request_accept"
REFUSE = "account_request_refuse"
#: Who decides: the same function code for both steps.
DECIDE = ("access.account_requests",)


def _own_organisation(firing: Firing) -> None:
    """Only the request's organisation creates an account in it (the fund manager may
    review and refuse every request, not accept one for another organisation)."""
    if firing.by.organisation_id != firing.obj.organisation_id:
        raise RuleError(_("Seule l'organisation concernée peut accepter cette demande."))


def _profile_of_the_organisation(firing: Firing) -> None:
    profile = firing.given.get("profile")
    if profile is None:  # never a default: the administrator decides what the account may do
        raise RuleError(_("Choisissez le profil à affecter au nouveau compte."), "profile_id")
    if profile.organisation_id != firing.obj.organisation_id:
        raise RuleError(_("Le profil choisi n'appartient pas à l'organisation."), "profile_id")


def _email_free(firing: Firing) -> None:
    if db.session.scalar(select(User.id).where(User.email == firing.obj.email)):
        raise RuleError(_("Un compte existe déjà avec cette adresse e-mail."))


def _decided(firing: Firing) -> None:
    firing.obj.decided_at = utcnow()
    firing.obj.decided_by_id = firing.by.id


def _create_account(firing: Firing) -> None:
    """The account, with the password hash chosen on the public form and the chosen profile."""
    row = firing.obj
    user = User(
        organisation_id=row.organisation_id,
        email=row.email,
        first_name=row.first_name,
        last_name=row.last_name,
        password_hash=row.password_hash,
        profiles=[firing.given["profile"]],
        locale=row.locale,  # the language the applicant used; changeable on the account
    )
    db.session.add(user)
    try:
        db.session.flush()  # the account's id; the request's UPDATE goes with it
    except StaleDataError:  # an edit saved meanwhile won the race: Conflict, nothing kept
        db.session.rollback()
        db.session.refresh(row)
        raise conflict_of(row) from None
    row.user_id = user.id
    _decided(firing)
    audit.record("access.user_create", obj=user, user=firing.by)


def _keep_reason(firing: Firing) -> None:
    firing.obj.refusal_reason = firing.given["reason"]
    _decided(firing)


def _mail_decision(firing: Firing) -> None:
    """Tell the applicant (after the commit: a conflict sends nothing)."""
    row = firing.obj
    accepted = firing.step.action == ACCEPT
    link = link_to("auth.login")

    def compose() -> tuple[str, str]:
        if accepted:
            return _("Votre compte est ouvert – Intranet CPAS"), _(
                "Bonjour,\n\nVotre demande de compte a été acceptée. Vous pouvez vous "
                "connecter avec votre adresse e-mail et le mot de passe choisi lors de la "
                "demande :\n%(link)s\n",
                link=link,
            )
        return _("Votre demande de compte – Intranet CPAS"), _(
            "Bonjour,\n\nVotre demande de compte n'a pas été acceptée, pour la raison "
            "suivante :\n\n%(reason)s\n\nPour toute question, contactez "
            "l'organisation concernée.\n",
            reason=row.refusal_reason,
        )

    # The applicant's language (the one the request was made in), never the deciding
    # administrator's: the new account's own choice is that same language.
    send_localised([(row.email, row.locale)], compose)


ACCOUNT_REQUEST = Workflow(
    name="access",
    states=AccountRequestStatus,
    labels=ACCOUNT_REQUEST_STATUS_LABELS,
    steps=(
        Step(
            action=ACCEPT,
            sources=(AccountRequestStatus.PENDING,),
            target=AccountRequestStatus.ACCEPTED,
            functions=DECIDE,
            label=_l("Accepter et créer le compte"),
            checks=(_own_organisation, _profile_of_the_organisation, _email_free),
            apply=_create_account,
        ),
        Step(
            action=REFUSE,
            sources=(AccountRequestStatus.PENDING,),
            target=AccountRequestStatus.REFUSED,
            functions=DECIDE,
            label=_l("Refuser la demande"),
            inputs=(
                Input(
                    "reason",
                    "text",
                    _l("Motif du refus"),
                    missing=_l("Indiquez le motif du refus."),
                ),
            ),
            apply=_keep_reason,
        ),
    ),
    after_commit=(_mail_decision,),
)
