"""E-mails of the water fund: who is told of a status change, and each user's settings."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select

from .. import audit
from ..access.models import User
from ..extensions import db
from ..mailer import link_to, send_localised
from . import states as st
from .models import NotificationOptOut, WaterRequest


def opted_out(user_id: int, kind: str) -> set[str]:
    return set(
        db.session.scalars(
            select(NotificationOptOut.status).where(
                NotificationOptOut.user_id == user_id, NotificationOptOut.kind == kind
            )
        )
    )


def save_notification_settings(user: User, kind: str, kept_on: set[str]) -> None:
    """Keep the ticked statuses on; every other status of the kind is turned off. Commits.

    ``user`` changes their own settings: they are the actor of the audit entry."""
    db.session.execute(
        delete(NotificationOptOut).where(
            NotificationOptOut.user_id == user.id, NotificationOptOut.kind == kind
        )
    )
    for status in st.STATUSES[kind]:
        if status not in kept_on:
            db.session.add(NotificationOptOut(user_id=user.id, kind=kind, status=status))
    audit.record(f"water.{kind}.notifications", obj=user, user=user)
    db.session.commit()


def recipients(row: WaterRequest, by: User) -> list[tuple[str, str | None]]:
    """The other side's users (and the CPAS contact) who kept this status on, each with
    the language they read (None: French; a contact without an account reads French)."""
    other_org = row.distributor_id if st.side_of(by) == st.CPAS else row.cpas_id
    users = db.session.scalars(
        select(User).where(User.organisation_id == other_org, User.active.is_(True))
    )
    off = set(
        db.session.scalars(
            select(NotificationOptOut.user_id).where(
                NotificationOptOut.kind == row.kind, NotificationOptOut.status == row.status
            )
        )
    )
    found = [
        (u.email, u.locale)
        for u in users
        if u.id not in off and u.id != by.id and u.has_function(f"water.{row.kind}.view")
    ]
    emails = [email for email, _locale in found]
    contact = (row.contact_email or "").lower()
    if contact and contact != by.email and contact not in emails:
        holder = db.session.scalar(select(User).where(User.email == contact))
        if holder is None or holder.id not in off:
            found.append((contact, holder.locale if holder is not None else None))
    return found


def notify(row: WaterRequest, by: User) -> None:
    """Email the status change to each recipient apart, in the recipient's language:
    request number, status, link.

    No beneficiary's name: an e-mail leaves the intranet (mail servers, phones, forwards);
    the number is enough to open the request once signed in."""
    to = recipients(row, by)
    if not to:
        return
    number, kind, status = row.id, row.kind, row.status
    link = link_to("water_fund.request_detail", request_id=row.id)

    def compose() -> tuple[str, str]:
        # called once per recipients' language, under that language (send_localised)
        values = {
            "kind": st.KIND_LABELS[kind],
            "number": number,
            "status": str(st.STATUS_LABELS[status]),
            "next": str(st.NEXT_ACTOR_LABELS[status]),
            "link": link,
        }
        subject = _("Demande %(kind)s n° %(number)s : %(status)s", **values)
        body = _(
            "Bonjour,\n\nLa demande d'intervention %(kind)s n° %(number)s est passée au statut "
            "« %(status)s ».\nAction suivante : %(next)s.\n\nConsulter la demande : %(link)s\n\n"
            "Vous recevez ce message selon vos réglages de notifications, modifiables dans "
            "« Gestion des notifications ».\n",
            **values,
        )
        return subject, body

    send_localised(to, compose)
