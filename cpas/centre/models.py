"""Centre profile (« Fiche signalétique du CPAS »), its numbers, social workers and their
office hours."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..concurrency import Versioned
from ..extensions import Model
from ..timeutil import utcnow

PHONE_KINDS = {
    "telephone": _l("Téléphone"),
    "fax": _l("Fax"),
    "general": _l("Numéro général"),
}
WEEKDAYS = (
    _l("Lundi"),
    _l("Mardi"),
    _l("Mercredi"),
    _l("Jeudi"),
    _l("Vendredi"),
    _l("Samedi"),
    _l("Dimanche"),
)


class CentreProfile(Versioned, Model):
    """The CPAS's address and logo; name, INS code and e-mail live on the organisation."""

    conflict_label = _l("La fiche signalétique a été modifiée")

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    street: Mapped[str | None] = mapped_column(String(150))
    house_number: Mapped[str | None] = mapped_column(String(10))
    box: Mapped[str | None] = mapped_column(String(10))
    postal_code: Mapped[str | None] = mapped_column(String(4))
    locality: Mapped[str | None] = mapped_column(String(100))
    logo_name: Mapped[str | None] = mapped_column(String(64))  # generated file name
    logo_mime: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CentrePhone(Model):
    """A typed number of the centre: téléphone, fax or numéro général, with its holder."""

    __table_args__ = (Index("ix_centre_phone_org", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    kind: Mapped[str] = mapped_column(String(10))
    number: Mapped[str] = mapped_column(String(30))
    holder: Mapped[str | None] = mapped_column(String(100))


class SocialWorker(Versioned, Model):
    """« Assistant social » of the CPAS; archived workers are inactive."""

    conflict_label = _l("Cet assistant social a été modifié")

    __table_args__ = (Index("ix_social_worker_org", "organisation_id", "active", "last_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    office: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    office_hours: Mapped[list[OfficeHour]] = relationship(
        back_populates="social_worker",
        cascade="all, delete-orphan",
        order_by=lambda: (OfficeHour.weekday, OfficeHour.start_time),
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class OfficeHour(Model):
    """A « permanence »: weekday, from, to, place."""

    id: Mapped[int] = mapped_column(primary_key=True)
    social_worker_id: Mapped[int] = mapped_column(
        ForeignKey("social_worker.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int]  # 0 = lundi
    start_time: Mapped[time]
    end_time: Mapped[time]
    place: Mapped[str] = mapped_column(String(100))

    social_worker: Mapped[SocialWorker] = relationship(back_populates="office_hours")

    def visible_to(self, user: Any) -> bool:
        """An office hour is seen by its worker's CPAS."""
        return self.social_worker.organisation_id == user.organisation_id

    @property
    def weekday_label(self) -> str:
        return str(WEEKDAYS[self.weekday])
