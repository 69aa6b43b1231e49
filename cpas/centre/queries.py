"""Reads of the centre domain."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from .models import CentrePhone, CentreProfile, SocialWorker


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
