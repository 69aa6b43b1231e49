"""Admin-Logs in words: action and outcome labels, the object as its label, local time.

Object labels are resolved in one query per object type found on the page (never one per
entry), and only for records the viewer's organisation may see: a security event about
another organisation's dossier shows « Dossier n° 12 », never that dossier's holder.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from ..audit import AuditEntry, action_label, is_security_event, outcome_label
from ..extensions import db
from .models import AccountRequest, Organisation, OrganisationKind, Profile, User

BRUSSELS = ZoneInfo("Europe/Brussels")

#: How an object type is called when its record cannot be shown (gone, or not ours).
TYPE_LABELS: dict[str, Any] = {
    "Dossier": _l("Dossier"),
    "User": _l("Utilisateur"),
    "AccountRequest": _l("Demande de compte"),
    "Profile": _l("Profil"),
    "Organisation": _l("Organisation"),
    "SocialWorker": _l("Assistant social"),
    "CentrePhone": _l("Numéro de téléphone"),
    "OfficeHour": _l("Permanence"),
    "HouseholdMember": _l("Membre du ménage"),
    "WaterRequest": _l("Demande du Fonds social de l'eau"),
    "WaterFile": _l("Fichier d'une demande"),
    "DrawingRight": _l("Droits de tirage"),
    "ExportJob": _l("Export"),
    "RediCampaign": _l("Campagne REDI"),
    "RediLine": _l("Ligne REDI"),
    "RediImport": _l("Import REDI"),
}


def to_local(value: datetime) -> datetime:
    """A naive UTC datetime from the database as Brussels local time."""
    return value.replace(tzinfo=UTC).astimezone(BRUSSELS)


def format_local(value: datetime | None) -> str:
    """JJ/MM/AAAA HH:MM, Brussels time."""
    return to_local(value).strftime("%d/%m/%Y %H:%M") if value else ""


def local_day_start(day: date) -> datetime:
    """The naive UTC instant at which a Brussels calendar day starts (filters by day)."""
    return datetime.combine(day, time.min, tzinfo=BRUSSELS).astimezone(UTC).replace(tzinfo=None)


@dataclass
class Label:
    text: str
    #: The NISS of the person whose data the label shows (a dossier's holder).
    niss: str | None = None


@dataclass
class EntryView:
    """One Admin-Logs row, ready to show."""

    entry: AuditEntry
    at: str
    user: str
    action: str
    code: str
    object: str
    niss: str | None
    outcome: str
    security: bool
    shown_niss: set[str] = field(default_factory=set)


# --------------------------------------------------------------------------- resolvers

Resolver = Callable[[list[int], User], dict[int, Label]]


def _dossiers(ids: list[int], viewer: User) -> dict[int, Label]:
    from ..dossiers.models import Dossier

    rows = db.session.execute(
        select(
            Dossier.id, Dossier.dossier_number, Dossier.last_name, Dossier.first_name, Dossier.niss
        ).where(Dossier.id.in_(ids), Dossier.organisation_id == viewer.organisation_id)
    )
    return {
        i: Label(_("Dossier %(number)s – %(name)s", number=number, name=f"{last} {first}"), niss)
        for i, number, last, first, niss in rows
    }


def _users(ids: list[int], viewer: User) -> dict[int, Label]:
    query = select(User.id, User.first_name, User.last_name).where(User.id.in_(ids))
    if not _fund_manager(viewer):  # the fund manager accepts accounts for every organisation
        query = query.where(User.organisation_id == viewer.organisation_id)
    return {
        i: Label(_("Utilisateur %(name)s", name=f"{first} {last}"))
        for i, first, last in db.session.execute(query)
    }


def _account_requests(ids: list[int], viewer: User) -> dict[int, Label]:
    query = select(AccountRequest.id, AccountRequest.first_name, AccountRequest.last_name).where(
        AccountRequest.id.in_(ids)
    )
    if not _fund_manager(viewer):
        query = query.where(AccountRequest.organisation_id == viewer.organisation_id)
    return {
        i: Label(_("Demande de compte de %(name)s", name=f"{first} {last}"))
        for i, first, last in db.session.execute(query)
    }


def _profiles(ids: list[int], viewer: User) -> dict[int, Label]:
    rows = db.session.execute(
        select(Profile.id, Profile.name_fr).where(
            Profile.id.in_(ids), Profile.organisation_id == viewer.organisation_id
        )
    )
    return {i: Label(_("Profil « %(name)s »", name=name)) for i, name in rows}


def _organisations(ids: list[int], viewer: User) -> dict[int, Label]:
    # Organisation names are no secret: they are listed on the public account-request form.
    rows = db.session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
    )
    return {i: Label(name) for i, name in rows}


def _social_workers(ids: list[int], viewer: User) -> dict[int, Label]:
    from ..centre.models import SocialWorker

    rows = db.session.execute(
        select(SocialWorker.id, SocialWorker.first_name, SocialWorker.last_name).where(
            SocialWorker.id.in_(ids), SocialWorker.organisation_id == viewer.organisation_id
        )
    )
    return {
        i: Label(_("Assistant social %(name)s", name=f"{first} {last}")) for i, first, last in rows
    }


def _water_requests(ids: list[int], viewer: User) -> dict[int, Label]:
    from ..water_fund.models import WaterRequest

    query = select(
        WaterRequest.id, WaterRequest.kind, WaterRequest.last_name, WaterRequest.first_name
    ).where(WaterRequest.id.in_(ids))
    if not _fund_manager(viewer):
        query = query.where(
            or_(
                WaterRequest.cpas_id == viewer.organisation_id,
                WaterRequest.distributor_id == viewer.organisation_id,
            )
        )
    return {
        i: Label(
            _(
                "Demande %(kind)s n° %(number)s – %(name)s",
                kind=kind.upper(),
                number=i,
                name=f"{last} {first}",
            )
        )
        for i, kind, last, first in db.session.execute(query)
    }


def _drawing_rights(ids: list[int], viewer: User) -> dict[int, Label]:
    from sqlalchemy.orm import aliased

    from ..water_fund.models import DrawingRight

    cpas, distributor = aliased(Organisation), aliased(Organisation)
    query = (
        select(DrawingRight.id, DrawingRight.year, cpas.name, distributor.name)
        .join(cpas, cpas.id == DrawingRight.cpas_id)
        .join(distributor, distributor.id == DrawingRight.distributor_id)
        .where(DrawingRight.id.in_(ids))
    )
    if not _fund_manager(viewer):
        query = query.where(
            or_(
                DrawingRight.cpas_id == viewer.organisation_id,
                DrawingRight.distributor_id == viewer.organisation_id,
            )
        )
    return {
        i: Label(
            _(
                "Droits de tirage %(year)s – %(cpas)s × %(distributor)s",
                year=year,
                cpas=c,
                distributor=d,
            )
        )
        for i, year, c, d in db.session.execute(query)
    }


def _redi_campaigns(ids: list[int], viewer: User) -> dict[int, Label]:
    from ..redi.models import RediCampaign

    rows = db.session.execute(
        select(RediCampaign.id, RediCampaign.name).where(
            RediCampaign.id.in_(ids), RediCampaign.organisation_id == viewer.organisation_id
        )
    )
    return {i: Label(_("Campagne REDI « %(name)s »", name=name)) for i, name in rows}


def _redi_lines(ids: list[int], viewer: User) -> dict[int, Label]:
    from ..redi.models import RediCampaign, RediLine

    rows = db.session.execute(
        select(RediLine.id, RediLine.budget_number, RediCampaign.name)
        .join(RediCampaign, RediCampaign.id == RediLine.campaign_id)
        .where(RediLine.id.in_(ids), RediCampaign.organisation_id == viewer.organisation_id)
    )
    return {
        i: Label(_("Ligne REDI, budget n° %(budget)s (%(campaign)s)", budget=budget, campaign=name))
        for i, budget, name in rows
    }


RESOLVERS: dict[str, Resolver] = {
    "Dossier": _dossiers,
    "User": _users,
    "AccountRequest": _account_requests,
    "Profile": _profiles,
    "Organisation": _organisations,
    "SocialWorker": _social_workers,
    "WaterRequest": _water_requests,
    "DrawingRight": _drawing_rights,
    "RediCampaign": _redi_campaigns,
    "RediLine": _redi_lines,
}


def _fund_manager(viewer: User) -> bool:
    return viewer.organisation.kind == OrganisationKind.FUND_MANAGER


def _int_id(value: str | None) -> int | None:
    if value and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def object_labels(entries: Iterable[AuditEntry], viewer: User) -> dict[tuple[str, str], Label]:
    """The label of every (object type, object id) of ``entries``: one query per type."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        number = _int_id(entry.object_id)
        if entry.object_type in RESOLVERS and number is not None:
            wanted[entry.object_type].add(number)
    labels: dict[tuple[str, str], Label] = {}
    for object_type, ids in wanted.items():
        for number, label in RESOLVERS[object_type](sorted(ids), viewer).items():
            labels[(object_type, str(number))] = label
    return labels


def _fallback(entry: AuditEntry) -> str:
    if not entry.object_type:
        return ""
    kind = TYPE_LABELS.get(entry.object_type, entry.object_type)
    if not entry.object_id:
        return str(kind)
    return _("%(kind)s n° %(number)s", kind=kind, number=entry.object_id)


def describe(rows: Iterable[tuple[AuditEntry, User | None]], viewer: User) -> list[EntryView]:
    """Admin-Logs rows in words; each knows the NISS it puts on screen."""
    rows = list(rows)
    labels = object_labels((entry for entry, _ in rows), viewer)
    views = []
    for entry, user in rows:
        label = labels.get((entry.object_type or "", entry.object_id or ""))
        shown = {n for n in (entry.niss, label.niss if label else None) if n}
        views.append(
            EntryView(
                entry=entry,
                at=format_local(entry.at),
                user=user.full_name if user else "",
                action=action_label(entry.action),
                code=entry.action,
                object=label.text if label else _fallback(entry),
                niss=entry.niss,
                outcome=outcome_label(entry.outcome),
                security=is_security_event(entry.action, entry.outcome),
                shown_niss=shown,
            )
        )
    return views


def shown_niss(views: Iterable[EntryView]) -> list[str]:
    """Every NISS the rows show, in order of first appearance."""
    seen: dict[str, None] = {}
    for view in views:
        for niss in sorted(view.shown_niss):
            seen.setdefault(niss, None)
    return list(seen)


def describe_all(
    rows: Iterable[tuple[AuditEntry, User | None]], viewer: User, chunk: int = 500
) -> list[EntryView]:
    """``describe`` for a whole export: labels resolved per chunk (bounded IN lists)."""
    views: list[EntryView] = []
    batch: list[tuple[AuditEntry, User | None]] = []
    for row in rows:
        batch.append((row[0], row[1]))
        if len(batch) >= chunk:
            views.extend(describe(batch, viewer))
            batch = []
    if batch:
        views.extend(describe(batch, viewer))
    return views
