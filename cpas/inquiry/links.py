"""The ways into a member's inquiry: the link behind a member's name on the household page
(registered with the dossiers), the member's own menu (Identification · Information ·
Ressources · Dépenses) and the context every member page's layout draws
(``templates/inquiry/_member_layout.html``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import g, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..aid.models import AidRequest, RequestStatus
from ..dossiers.models import Dossier, HouseholdMember
from ..dossiers.panels import register_member_link
from ..extensions import db
from . import functions as fn
from . import services
from .models import EXPENSES, IDENTIFICATION, INFORMATION, RESOURCES


@dataclass(frozen=True)
class Tab:
    """A part of the member's menu: the endpoint its page has, the endpoints that mark it
    as the current one, and the function it needs."""

    part: str
    endpoint: str
    label: Any
    function: str
    current: tuple[str, ...]


#: The member's menu in the seed's order; a member sees the parts of its relation only.
TABS: tuple[Tab, ...] = (
    Tab(
        IDENTIFICATION,
        "inquiry.identification",
        _l("Identification"),
        fn.INFO_VIEW,
        (
            "inquiry.identification",
            "inquiry.address_save",
            "inquiry.legal_refresh",
            "inquiry.registre_save",
        ),
    ),
    Tab(
        INFORMATION,
        "inquiry.information",
        _l("Information"),
        fn.INFO_VIEW,
        ("inquiry.information", "inquiry.information_save"),
    ),
    Tab(
        RESOURCES,
        "inquiry.resources",
        _l("Ressources"),
        fn.RESOURCES_VIEW,
        (
            "inquiry.resources",
            "inquiry.resource_add",
            "inquiry.resource_edit",
            "inquiry.resource_delete",
            "inquiry.no_resources",
        ),
    ),
    Tab(
        EXPENSES,
        "inquiry.expenses",
        _l("Dépenses"),
        fn.EXPENSES_VIEW,
        (
            "inquiry.expenses",
            "inquiry.expense_add",
            "inquiry.expense_row",
            "inquiry.expense_update",
            "inquiry.expense_delete",
        ),
    ),
)

_CACHE_KEY = "inquiry_current_request"


def current_request_id(dossier: Dossier) -> int | None:
    """The dossier's current request: the highest-numbered one not closed (one query per
    dossier and HTTP request, kept in ``flask.g``)."""
    cache: dict[int, int | None] = g.setdefault(_CACHE_KEY, {})
    if dossier.id not in cache:
        cache[dossier.id] = db.session.scalar(
            select(AidRequest.id)
            .where(AidRequest.dossier_id == dossier.id, AidRequest.status != RequestStatus.CLOSED)
            .order_by(AidRequest.number.desc())
            .limit(1)
        )
    return cache[dossier.id]


@register_member_link
def member_inquiry_link(dossier: Dossier, member: HouseholdMember) -> str | None:
    """The member's identification for the dossier's current request (None: no request
    open, or the user may not see the inquiry)."""
    if not current_user.is_authenticated or not current_user.has_function(fn.INFO_VIEW):
        return None
    request_id = current_request_id(dossier)
    if request_id is None:
        return None
    return url_for(
        "inquiry.identification",
        dossier_id=dossier.id,
        request_id=request_id,
        member_id=member.id,
    )


def member_tabs(member: HouseholdMember, user: Any) -> list[Tab]:
    """The member's menu: the parts of its relation this user may open."""
    parts = services.parts_of(member)
    return [t for t in TABS if t.part in parts and user.has_function(t.function)]


def member_layout(
    dossier: Dossier, aid_request: AidRequest, member: HouseholdMember, **extra: Any
) -> dict[str, Any]:
    """What a member page's layout draws: the request's layout (its menu on the left, as
    the request page passes it), the member, its inquiry (may be None) and its tabs."""
    from ..aid.routes.request_page import request_context

    if "inquiry" not in extra:  # a caller that has it spares the query
        extra["inquiry"] = services.find_inquiry(aid_request, member)
    return request_context(
        dossier,
        aid_request,
        member=member,
        member_tabs=member_tabs(member, current_user),
        member_ids={"dossier_id": dossier.id, "request_id": aid_request.id, "member_id": member.id},
        frozen_message=services.FROZEN,
        **extra,
    )
