"""Reads of the aid requests: the scoped loaders, a dossier's history, a request's events."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..dossiers.models import Dossier
from ..extensions import db
from ..scoping import get_scoped_or_404, scoped_loader
from .models import AidRequest, AidRequestEvent, RequestStatus


@scoped_loader
def get_request_or_404(dossier: Dossier, request_id: int) -> AidRequest:
    """A request of ``dossier`` if the user's CPAS keeps it, else 404 (another CPAS's is
    logged as a security event)."""
    return get_scoped_or_404(AidRequest, request_id, same={"dossier_id": dossier.id})


def history(dossier: Dossier, *, archived: bool = False, status: str | None = None) -> list:
    """« Historique des demandes d'aide » (or « Anciennes demandes »), newest first: one
    query on ``ix_aid_request_history`` whatever the number of requests."""
    query = select(AidRequest).where(
        AidRequest.dossier_id == dossier.id, AidRequest.archived == archived
    )
    if status:
        query = query.where(AidRequest.status == status)
    return list(db.session.scalars(query.order_by(AidRequest.number.desc())))


def closed_in_history(dossier: Dossier) -> int:
    """How many closed requests « Déplacer toutes les demandes clôturées » would move."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(AidRequest)
            .where(
                AidRequest.dossier_id == dossier.id,
                AidRequest.archived.is_(False),
                AidRequest.status == RequestStatus.CLOSED,
            )
        )
        or 0
    )


def next_number(dossier_id: int) -> int:
    """The next request number in the dossier (1, 2, 3…)."""
    highest = db.session.scalar(
        select(func.max(AidRequest.number)).where(AidRequest.dossier_id == dossier_id)
    )
    return (highest or 0) + 1


def events(request: AidRequest) -> list[AidRequestEvent]:
    """« Evénement(s) sur la demande », oldest first, with who (one query each)."""
    return list(
        db.session.scalars(
            select(AidRequestEvent)
            .where(AidRequestEvent.request_id == request.id)
            .options(selectinload(AidRequestEvent.user))
            .order_by(AidRequestEvent.at, AidRequestEvent.id)
        )
    )


def submitted_request(dossier_id: int) -> AidRequest | None:
    """The dossier's request before the Council (« Rapport envoyé au Conseil »), if any."""
    return db.session.scalar(
        select(AidRequest)
        .where(
            AidRequest.dossier_id == dossier_id,
            AidRequest.status == RequestStatus.SUBMITTED,
        )
        .order_by(AidRequest.number)
        .limit(1)
    )


def origin_of(request: AidRequest) -> AidRequest | None:
    if request.origin_id is None:
        return None
    return db.session.get(AidRequest, request.origin_id)
