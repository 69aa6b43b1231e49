"""REDI subsidy: campaigns, their aid lines, pending imports."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..access.models import User
from ..concurrency import Versioned
from ..extensions import Model
from ..timeutil import utcnow

Money = Numeric(12, 2)


class ReportStatus(StrEnum):
    """Where a « Rapport Unique » stands (the codes stored in ``redi_campaign.status``)."""

    DRAFT = "draft"
    VALIDATED = "validated"
    SIGNED = "signed"
    CLOSED = "closed"


STATUS_LABELS: dict[str, Any] = {
    ReportStatus.DRAFT: _l("Brouillon"),
    ReportStatus.VALIDATED: _l("Validé"),
    ReportStatus.SIGNED: _l("Signé"),
    ReportStatus.CLOSED: _l("Clôturé"),
}


class RediCampaign(Versioned, Model):
    """A subsidy period of one CPAS and its « Rapport Unique »."""

    conflict_label = _l("Ce rapport REDI a été modifié")

    __table_args__ = (Index("ix_redi_campaign_org", "organisation_id", "is_current"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    name: Mapped[str] = mapped_column(String(120))
    period_start: Mapped[date]
    period_end: Mapped[date]
    report_deadline: Mapped[date]
    subsidy_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    payment_reference: Mapped[str | None] = mapped_column(String(60))
    is_current: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(10), default=ReportStatus.DRAFT.value)
    validated_at: Mapped[datetime | None]
    validated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    president_signed_at: Mapped[datetime | None]
    president_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    director_signed_at: Mapped[datetime | None]
    director_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None]
    reopen_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    president: Mapped[User | None] = relationship(foreign_keys=[president_id])
    director: Mapped[User | None] = relationship(foreign_keys=[director_id])
    validated_by: Mapped[User | None] = relationship(foreign_keys=[validated_by_id])

    events: Mapped[list[RediReportEvent]] = relationship(
        back_populates="campaign",
        order_by="RediReportEvent.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def locked(self) -> bool:
        return self.status != ReportStatus.DRAFT


class RediLine(Versioned, Model):
    """One aid line of a simulation: imported (read-only) part and the CPAS's encoding."""

    conflict_label = _l("Cette ligne a été modifiée")

    __table_args__ = (
        Index("ix_redi_line_campaign", "campaign_id", "position"),
        Index("ix_redi_line_simulation", "campaign_id", "niss", "budget_number"),
        Index("ix_redi_line_activation", "campaign_id", "activation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("redi_campaign.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    # imported, read-only
    ins_code: Mapped[str] = mapped_column(String(5))
    niss: Mapped[str] = mapped_column(String(11))
    budget_number: Mapped[str] = mapped_column(String(20))
    budget_date: Mapped[date | None]
    balance: Mapped[Decimal | None] = mapped_column(Money)
    # encoded by the CPAS
    activation: Mapped[str | None] = mapped_column(String(20))
    decision_date: Mapped[date | None]
    monthly_granted: Mapped[Decimal | None] = mapped_column(Money)
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    months: Mapped[int | None]
    payment: Mapped[str | None] = mapped_column(String(10))
    total_paid: Mapped[Decimal | None] = mapped_column(Money)
    # bookkeeping
    is_duplicate: Mapped[bool] = mapped_column(default=False)
    vanished: Mapped[bool] = mapped_column(default=False)
    complete: Mapped[bool] = mapped_column(default=False)

    campaign: Mapped[RediCampaign] = relationship()

    def visible_to(self, user: Any) -> bool:
        """A line is seen by the CPAS of its campaign."""
        return self.campaign.organisation_id == user.organisation_id


class RediImport(Model):
    """A validated upload waiting for « Confirmer l'import » (rows kept server-side)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(40), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("redi_campaign.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    file_name: Mapped[str] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    campaign: Mapped[RediCampaign] = relationship()

    def visible_to(self, user: Any) -> bool:
        """A staged import is seen only by the user who uploaded it, in their CPAS."""
        return self.user_id == user.id and self.campaign.organisation_id == user.organisation_id


class RediReportEvent(Model):
    """One step of a report's workflow (« Historique »): who, when, from where to where."""

    __table_args__ = (Index("ix_redi_report_event_campaign", "campaign_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("redi_campaign.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str] = mapped_column(String(10))
    to_status: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    campaign: Mapped[RediCampaign] = relationship(back_populates="events")
    user: Mapped[User] = relationship()
