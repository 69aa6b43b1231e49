"""Reads for access management, scoped to the signed-in user's organisation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from ..audit import SECURITY_PREFIX, AuditEntry
from ..extensions import db
from ..scoping import get_scoped_or_404, scoped_loader
from .functions import FUNCTIONS, TREE, codes_for_kind
from .models import (
    AccountRequest,
    AccountRequestStatus,
    Organisation,
    OrganisationKind,
    Profile,
    User,
)


def org_profiles(organisation_id: int) -> list[Profile]:
    return list(
        db.session.scalars(
            select(Profile)
            .where(Profile.organisation_id == organisation_id)
            .options(selectinload(Profile.functions))
            .order_by(Profile.all_access.desc(), func.lower(Profile.name_fr))
        )
    )


@scoped_loader
def get_profile_or_404(profile_id: int | None) -> Profile:
    """A profile of the signed-in user's organisation, or 404."""
    return get_scoped_or_404(Profile, profile_id)


@scoped_loader
def get_user_or_404(user_id: int) -> User:
    """A user of the signed-in user's organisation, or 404."""
    return get_scoped_or_404(User, user_id)


def users_query(organisation_id: int, *, active: bool, name: str = "") -> Select:
    query = (
        select(User)
        .where(User.organisation_id == organisation_id, User.active.is_(active))
        .options(selectinload(User.profiles).selectinload(Profile.functions))
        .order_by(func.lower(User.last_name), func.lower(User.first_name), User.id)
    )
    if name.strip():
        pattern = f"%{name.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(User.last_name).like(pattern),
                func.lower(User.first_name).like(pattern),
                func.lower(User.email).like(pattern),
            )
        )
    return query


def tree_with_ticks(codes: set[str], locale: str) -> list[dict]:
    """The function tree as rows for the template, with ticked state per function."""
    groups = []
    for group in TREE:
        functions = [
            {
                "code": f.code,
                "label": f.label(locale),
                "checked": f.code in codes,
                "requires": [FUNCTIONS[r].label(locale) for r in f.requires if r in FUNCTIONS],
            }
            for f in group.functions
        ]
        groups.append(
            {
                "code": group.code,
                "label": group.label(locale),
                "functions": functions,
                "all_checked": all(f["checked"] for f in functions),
            }
        )
    return groups


def access_review_rows(organisation_id: int, locale: str) -> Iterator[list]:
    """One row per active user × effective function, for the annual access review."""
    users = db.session.scalars(users_query(organisation_id, active=True))
    order = list(FUNCTIONS)
    for user in users:
        profiles = ", ".join(p.name(locale) for p in user.profiles) or _("Pas de profil")
        codes = sorted(user.function_codes, key=lambda c: order.index(c) if c in order else 0)
        if not codes:
            yield [user.last_name, user.first_name, user.email, profiles, "", ""]
        for code in codes:
            function = FUNCTIONS.get(code)
            yield [
                user.last_name,
                user.first_name,
                user.email,
                profiles,
                code,
                function.label(locale) if function else code,
            ]


# --------------------------------------------------------------------------- account requests


def reviewable_requests_filter(user: User):
    """Which account requests a reviewer sees: own organisation's; the fund manager, all."""
    if user.organisation.kind == OrganisationKind.FUND_MANAGER:
        return True
    return AccountRequest.organisation_id == user.organisation_id


def pending_request_count(user: User) -> int:
    count = db.session.scalar(
        select(func.count(AccountRequest.id)).where(
            reviewable_requests_filter(user),
            AccountRequest.status == AccountRequestStatus.PENDING.value,
        )
    )
    return count or 0


def account_requests(user: User, *, pending: bool) -> Select:
    statuses = (
        [AccountRequestStatus.PENDING.value]
        if pending
        else [AccountRequestStatus.ACCEPTED.value, AccountRequestStatus.REFUSED.value]
    )
    return (
        select(AccountRequest)
        .where(reviewable_requests_filter(user), AccountRequest.status.in_(statuses))
        .options(selectinload(AccountRequest.organisation), selectinload(AccountRequest.decided_by))
        .order_by(AccountRequest.created_at.desc(), AccountRequest.id.desc())
    )


@scoped_loader
def get_account_request_or_404(request_id: int) -> AccountRequest:
    """An account request the signed-in user may review (``AccountRequest.visible_to``)."""
    return get_scoped_or_404(AccountRequest, request_id)


def requestable_organisations() -> list[Organisation]:
    """Organisations one may ask an account for on the public form."""
    return list(
        db.session.scalars(
            select(Organisation)
            .where(
                Organisation.kind.in_(
                    [OrganisationKind.CPAS.value, OrganisationKind.DISTRIBUTOR.value]
                )
            )
            .order_by(Organisation.kind, Organisation.name)
        )
    )


# --------------------------------------------------------------------------- audit log

#: The « Événements de sécurité » choice of the Admin-Logs action filter.
SECURITY_FILTER = "securite"


def audit_query(
    organisation_id: int,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    user_id: int | None = None,
    action: str | None = None,
    niss: str | None = None,
) -> Select:
    """The organisation's entries, newest first; days are Brussels calendar days; the
    action ``SECURITY_FILTER`` keeps the security events (refusals, failures)."""
    from .audit_log import local_day_start

    query = (
        select(AuditEntry, User)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(AuditEntry.organisation_id == organisation_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    if date_from:
        query = query.where(AuditEntry.at >= local_day_start(date_from))
    if date_to:
        query = query.where(AuditEntry.at < local_day_start(date_to + timedelta(days=1)))
    if user_id:
        query = query.where(AuditEntry.user_id == user_id)
    if action == SECURITY_FILTER:
        query = query.where(
            or_(AuditEntry.action.startswith(SECURITY_PREFIX), AuditEntry.outcome != "success")
        )
    elif action:
        query = query.where(AuditEntry.action == action)
    if niss:
        query = query.where(AuditEntry.niss == niss)
    return query


def audit_actions(organisation_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.organisation_id == organisation_id)
            .distinct()
            .order_by(AuditEntry.action)
        )
    )


def org_users_for_select(organisation_id: int) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(User.id, User.last_name, User.first_name)
        .where(User.organisation_id == organisation_id)
        .order_by(func.lower(User.last_name), func.lower(User.first_name))
    )
    return [(uid, f"{last} {first}") for uid, last, first in rows]


def profile_grants(profiles: list[Profile], locale: str) -> dict[int, list[tuple[str, list[str]]]]:
    """Per profile id, what it grants in its organisation: (group label, function labels)
    in tree order; functions of another organisation kind's side are left out."""
    grants: dict[int, list[tuple[str, list[str]]]] = {}
    for profile in profiles:
        usable = codes_for_kind(profile.organisation.kind)
        codes = profile.function_codes & usable
        grants[profile.id] = [
            (group.label(locale), labels)
            for group in TREE
            if (labels := [f.label(locale) for f in group.functions if f.code in codes])
        ]
    return grants


def organisation_name_taken(name: str, organisation_id: int) -> bool:
    """Tell whether another organisation already has this name (names are unique)."""
    return (
        db.session.scalar(
            select(Organisation.id).where(
                Organisation.name == name, Organisation.id != organisation_id
            )
        )
        is not None
    )


def ins_code_taken(ins_code: str, organisation_id: int) -> bool:
    """Tell whether another organisation already has this INS code."""
    return (
        db.session.scalar(
            select(Organisation.id).where(
                Organisation.ins_code == ins_code, Organisation.id != organisation_id
            )
        )
        is not None
    )
