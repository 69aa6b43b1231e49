"""Water social fund: FAT and FSE requests, their history, files, drawing rights."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..access.models import Organisation, OrganisationKind, User
from ..concurrency import Versioned
from ..extensions import Model, db
from ..timeutil import utcnow

Money = Numeric(12, 2)
#: Byte order on PostgreSQL too, so that a prefix is a range the index can answer.
SearchKey = String(100).with_variant(String(100, collation="C"), "postgresql")


class WaterRequest(Versioned, Model):
    """« Demande d'intervention » of the FAT or the FSE (``kind``), from a CPAS to a distributor."""

    conflict_label = _l("Cette demande a été modifiée")

    __table_args__ = (
        Index("ix_water_request_cpas", "kind", "cpas_id", "year", "id"),
        Index("ix_water_request_distributor", "kind", "distributor_id", "year", "id"),
        Index("ix_water_request_year", "kind", "year", "id"),
        Index("ix_water_request_status", "kind", "year", "status"),
        # Covering indexes of the dashboard's GROUP BYs (per CPAS, per distributor): per
        # status, and per month of the settled requests (read in index order, no sort).
        Index(
            "ix_water_request_stats_cpas",
            "cpas_id",
            "year",
            "kind",
            "status",
            "closed_ym",
            "granted_amount",
            "requested_amount",
        ),
        Index(
            "ix_water_request_stats_distributor",
            "distributor_id",
            "year",
            "kind",
            "status",
            "closed_ym",
            "granted_amount",
            "requested_amount",
        ),
        Index("ix_water_request_name_key", "kind", "name_key"),
        Index("ix_water_request_first_key", "kind", "first_key"),
        Index("ix_water_request_client_key", "kind", "client_key"),
        Index("ix_water_request_ref_key", "kind", "ref_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(3))  # "fat" | "fse"
    cpas_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    distributor_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    year: Mapped[int]
    status: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None]
    #: Month of ``closed_at`` as YYYYMM, kept by ``_closed_month``: the dashboard groups by
    #: it through an index instead of computing strftime/EXTRACT on every settled row.
    closed_ym: Mapped[int | None]
    internal_ref: Mapped[str | None] = mapped_column(String(60))
    # Folded (lower-case, accent-free) copies for the search box: indexed prefix search.
    name_key: Mapped[str] = mapped_column(SearchKey, default="")
    first_key: Mapped[str] = mapped_column(SearchKey, default="")
    client_key: Mapped[str] = mapped_column(SearchKey, default="")
    ref_key: Mapped[str] = mapped_column(SearchKey, default="")

    # Bénéficiaire
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    street: Mapped[str] = mapped_column(String(150))
    house_number: Mapped[str] = mapped_column(String(10))
    box: Mapped[str | None] = mapped_column(String(10))
    postal_code: Mapped[str] = mapped_column(String(4))
    locality: Mapped[str] = mapped_column(String(100))
    client_number: Mapped[str] = mapped_column(String(40))
    occupancy: Mapped[str | None] = mapped_column(String(10))  # owner | tenant
    dependants: Mapped[int | None]
    billing_different: Mapped[bool] = mapped_column(default=False)
    billing_name: Mapped[str | None] = mapped_column(String(200))
    billing_street: Mapped[str | None] = mapped_column(String(150))
    billing_number: Mapped[str | None] = mapped_column(String(10))
    billing_box: Mapped[str | None] = mapped_column(String(10))
    billing_postal_code: Mapped[str | None] = mapped_column(String(4))
    billing_locality: Mapped[str | None] = mapped_column(String(100))

    # FAT: contact at the CPAS, works, payee
    contact_name: Mapped[str | None] = mapped_column(String(150))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    works_type: Mapped[str | None] = mapped_column(String(60))
    quote_amount: Mapped[Decimal | None] = mapped_column(Money)
    payee: Mapped[str | None] = mapped_column(String(10))  # contractor | cpas
    contractor_name: Mapped[str | None] = mapped_column(String(150))
    contractor_contact: Mapped[str | None] = mapped_column(String(150))
    contractor_iban: Mapped[str | None] = mapped_column(String(34))
    cpas_file_ref: Mapped[str | None] = mapped_column(String(60))
    cpas_iban: Mapped[str | None] = mapped_column(String(34))
    flat_fee_paid: Mapped[bool | None]

    # FSE: amount, recurrence, bailiff part
    recurrence: Mapped[str | None] = mapped_column(String(20))
    bailiff_info: Mapped[str | None] = mapped_column(String(500))
    bailiff_water_invoice: Mapped[Decimal | None] = mapped_column(Money)
    bailiff_fees: Mapped[Decimal | None] = mapped_column(Money)
    late_interest: Mapped[Decimal | None] = mapped_column(Money)
    penalty_clause: Mapped[Decimal | None] = mapped_column(Money)

    # Both
    requested_amount: Mapped[Decimal | None] = mapped_column(Money)
    #: « Montant approuvé » (FAT) / « Montant accepté » (FSE), set by the distributor.
    granted_amount: Mapped[Decimal | None] = mapped_column(Money)
    extra_info: Mapped[str | None] = mapped_column(Text)
    info_request: Mapped[str | None] = mapped_column(Text)
    info_answer: Mapped[str | None] = mapped_column(Text)

    cpas: Mapped[Organisation] = relationship(foreign_keys=[cpas_id])
    distributor: Mapped[Organisation] = relationship(foreign_keys=[distributor_id])
    lines: Mapped[list[WaterRequestLine]] = relationship(
        cascade="all, delete-orphan", order_by=lambda: WaterRequestLine.position
    )
    events: Mapped[list[WaterRequestEvent]] = relationship(
        cascade="all, delete-orphan", order_by=lambda: WaterRequestEvent.at
    )
    files: Mapped[list[WaterFile]] = relationship(
        cascade="all, delete-orphan", order_by=lambda: WaterFile.uploaded_at
    )

    @validates("closed_at")
    def _closed_month(self, key: str, value: datetime | None) -> datetime | None:
        """Keep ``closed_ym`` in step with every assignment of ``closed_at``."""
        self.closed_ym = value.year * 100 + value.month if value is not None else None
        return value

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name}"

    def values(self, line_type: str) -> list[str]:
        return [line.value for line in self.lines if line.line_type == line_type]

    def visible_to(self, user: User) -> bool:
        """Its CPAS and its distributor see it, the fund manager sees every request.

        ``queries.visible`` is the same rule in SQL, for the lists."""
        kind = user.organisation.kind
        if kind == OrganisationKind.CPAS:
            return self.cpas_id == user.organisation_id
        if kind == OrganisationKind.DISTRIBUTOR:
            return self.distributor_id == user.organisation_id
        return kind == OrganisationKind.FUND_MANAGER


class WaterRequestLine(Model):
    """One value of a multi-valued FSE field: a contract account or an invoice number."""

    __table_args__ = (Index("ix_water_request_line_request", "request_id", "line_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("water_request.id", ondelete="CASCADE"))
    line_type: Mapped[str] = mapped_column(String(20))  # contract_account | invoice_number
    value: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(default=0)


class WaterRequestEvent(Model):
    """A status change (or creation) in the history of a request."""

    __table_args__ = (Index("ix_water_request_event_request", "request_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("water_request.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    comment: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User | None] = relationship()


class WaterFile(Model):
    """A file attached to a request, stored under a generated name outside static/."""

    __table_args__ = (Index("ix_water_file_request", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("water_request.id", ondelete="CASCADE"))
    file_type: Mapped[str] = mapped_column(String(20))
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    def visible_to(self, user: User) -> bool:
        """A file is seen by whoever sees its request."""
        request = db.session.get(WaterRequest, self.request_id)
        return request is not None and request.visible_to(user)


class NotificationOptOut(Model):
    """A status a user chose not to be emailed about (all on by default = no row)."""

    __tablename__ = "water_notification_opt_out"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(3), primary_key=True)
    status: Mapped[str] = mapped_column(String(30), primary_key=True)


class DrawingRight(Versioned, Model):
    """Per CPAS × distributor × year: DTI, DTC (unused balances incl. Covid), FAT funds."""

    conflict_label = _l("Ces droits de tirage ont été modifiés")

    __table_args__ = (
        UniqueConstraint("cpas_id", "distributor_id", "year"),
        Index("ix_drawing_right_distributor", "distributor_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cpas_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    distributor_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    year: Mapped[int]
    initial: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))  # DTI
    complementary: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))  # DTC
    fat_funds: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    operating_costs: Mapped[Decimal | None] = mapped_column(Money)

    cpas: Mapped[Organisation] = relationship(foreign_keys=[cpas_id])
    distributor: Mapped[Organisation] = relationship(foreign_keys=[distributor_id])

    @property
    def single(self) -> Decimal:
        """DTU = DTI + DTC."""
        return (self.initial or Decimal("0")) + (self.complementary or Decimal("0"))


class JobStatus(StrEnum):
    """The states of an export job (``ExportJob.status``)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ExportJob(Model):
    """A background export (huey task) and its progress, polled by the page."""

    __tablename__ = "water_export_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(40), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    kind: Mapped[str] = mapped_column(String(3))
    params: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=JobStatus.QUEUED.value)
    done_rows: Mapped[int] = mapped_column(default=0)
    total_rows: Mapped[int] = mapped_column(default=0)
    file_name: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    #: Last sign of life of the run (start, every 1000 rows): a running job whose heartbeat
    #: is older than EXPORT_STALE_SECONDS lost its consumer (kill -9, crash).
    heartbeat_at: Mapped[datetime | None]
    #: Runs started after the first (a stale job is queued again once, then failed).
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Why it failed: a key of ``exports.FAILURES`` (the page shows its message).
    error: Mapped[str | None] = mapped_column(String(40))
