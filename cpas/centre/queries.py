"""Reads of the centre domain."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..scoping import get_scoped_or_404, scoped_loader
from .models import CentrePhone, CentreProfile, OfficeHour, SocialWorker


@scoped_loader
def get_worker_or_404(worker_id: int) -> SocialWorker:
    """A social worker of the signed-in user's CPAS, else 404."""
    return get_scoped_or_404(SocialWorker, worker_id)


@scoped_loader
def get_phone_or_404(phone_id: int) -> CentrePhone:
    """A number of the signed-in user's CPAS's fiche, else 404."""
    return get_scoped_or_404(CentrePhone, phone_id)


@scoped_loader
def get_office_hour_or_404(worker: SocialWorker, hour_id: int) -> OfficeHour:
    """One of ``worker``'s office hours, else 404 (another CPAS's is logged)."""
    return get_scoped_or_404(OfficeHour, hour_id, same={"social_worker_id": worker.id})


def profile_of(organisation_id: int) -> CentreProfile | None:
    return db.session.scalar(
        select(CentreProfile).where(CentreProfile.organisation_id == organisation_id)
    )


def phones_of(organisation_id: int) -> list[CentrePhone]:
    return list(
        db.session.scalars(
            select(CentrePhone)
            .where(CentrePhone.organisation_id == organisation_id)
            .order_by(CentrePhone.kind, CentrePhone.id)
        )
    )


def workers_of(organisation_id: int, active: bool) -> list[SocialWorker]:
    """Social workers with their office hours (one query each, not one per worker)."""
    from sqlalchemy.orm import selectinload

    return list(
        db.session.scalars(
            select(SocialWorker)
            .where(SocialWorker.organisation_id == organisation_id, SocialWorker.active == active)
            .options(selectinload(SocialWorker.office_hours))
            .order_by(SocialWorker.last_name, SocialWorker.first_name)
        )
    )


def active_workers(organisation_id: int) -> list[SocialWorker]:
    return workers_of(organisation_id, True)
