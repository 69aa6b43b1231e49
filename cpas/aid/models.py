"""An aid request of a dossier (« Demande d'aide N ») and its events.

Seed 001 §6 and §13–17, seed 002 (« Demande courante »): the request date never changes
once saved; the number is the next one in the dossier; the events (« Evénement(s) sur la
demande ») are appended, never changed.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..concurrency import Versioned
from ..dossiers.models import Dossier
from ..extensions import Model
from ..timeutil import utcnow


class RequestStatus(StrEnum):
    """The request's statuses (seed 001 §17, seed 002's history), in their order."""

    IN_PROGRESS = "en_cours"
    SUBMITTED = "soumise"
    DECIDED = "decision"
    FORM_SENT = "formulaire"
    CLOSED = "cloturee"


STATUS_LABELS: dict[str, Any] = {
    RequestStatus.IN_PROGRESS: _l("Demande en cours"),
    RequestStatus.SUBMITTED: _l("Rapport envoyé au Conseil"),
    RequestStatus.DECIDED: _l("Décision encodée"),
    RequestStatus.FORM_SENT: _l("Formulaire envoyé"),
    RequestStatus.CLOSED: _l("Demande clôturée"),
}


class RequestKind(StrEnum):
    REQUEST = "demande"
    EX_OFFICIO = "office"


KIND_LABELS: dict[str, Any] = {
    RequestKind.REQUEST: _l("Demande"),
    RequestKind.EX_OFFICIO: _l("Agissant d'office"),
}


class EventKind(StrEnum):
    """The lines of « Evénement(s) sur la demande »."""

    CREATED = "creation"
    MODIFIED = "modify"
    REPORT = "report"
    PROPOSAL = "proposal"
    SUBMITTED = "submit"
    COMPLETED = "complete"
    DUPLICATED = "duplicate"
    DUPLICATE_OF = "duplicate_of"
    CLOSED = "close"
    REVISED = "revise"
    REVISION_OF = "revision_of"
    DECIDED = "decide"
    FORM_SENT = "send_form"


EVENT_LABELS: dict[str, Any] = {
    EventKind.CREATED: _l("Création de la demande"),
    EventKind.MODIFIED: _l("Enrichissement de la demande"),
    EventKind.REPORT: _l("Rapport enregistré"),
    EventKind.PROPOSAL: _l("Proposition enregistrée"),
    EventKind.SUBMITTED: _l("Soumission au Conseil"),
    EventKind.COMPLETED: _l("Complétude de l'enquête sociale"),
    EventKind.DUPLICATED: _l("Duplication de la demande (nouvelle demande n° %(number)s)"),
    EventKind.DUPLICATE_OF: _l("Création par duplication de la demande n° %(number)s"),
    EventKind.CLOSED: _l("Clôture de la demande"),
    EventKind.REVISED: _l("Révision de la demande (nouvelle demande n° %(number)s)"),
    EventKind.REVISION_OF: _l("Création par révision de la demande n° %(number)s"),
    EventKind.DECIDED: _l("Décision encodée"),
    EventKind.FORM_SENT: _l("Formulaire envoyé au SPP IS"),
}


class RequestDateLocked(ValueError):
    """The request date of a saved request cannot change (seed 001 §6: « JAMAIS »)."""


class AidRequest(Versioned, Model):
    """« Demande d'aide N » of a dossier."""

    conflict_label = _l("Cette demande a été modifiée")

    __table_args__ = (
        UniqueConstraint("dossier_id", "number", name="uq_aid_request_dossier_number"),
        # The dossier page's history: current or « Anciennes demandes », by status, newest first.
        Index("ix_aid_request_history", "dossier_id", "archived", "status", "number"),
        # The freeze check and the CPAS's work lists: requests of a status.
        Index("ix_aid_request_status", "organisation_id", "status", "request_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"))
    number: Mapped[int]
    request_date: Mapped[date]
    effective_date: Mapped[date]
    kind: Mapped[str] = mapped_column(String(10))
    nature: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=RequestStatus.IN_PROGRESS)
    #: « Déplacer vers "Anciennes demandes" » (and back).
    archived: Mapped[bool] = mapped_column(default=False)
    report: Mapped[str | None] = mapped_column(Text)
    report_at: Mapped[datetime | None]
    proposal: Mapped[str | None] = mapped_column(Text)
    meeting_date: Mapped[date | None]
    proposal_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    #: The request this one was duplicated or revised from (``origin``: its event says how).
    origin_id: Mapped[int | None] = mapped_column(
        ForeignKey("aid_request.id", ondelete="SET NULL"), index=True
    )
    origin: Mapped[str | None] = mapped_column(String(10))  # "duplicate" | "revision"
    #: The automatic integration « en enquête » (seed 001 §6): None not tried, True done,
    #: False refused by the BCSS (the page says so in red, with a retry).
    integration_ok: Mapped[bool | None]
    integration_message: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    dossier: Mapped[Dossier] = relationship()
    events: Mapped[list[AidRequestEvent]] = relationship(
        back_populates="request",
        order_by=lambda: (AidRequestEvent.at, AidRequestEvent.id),
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @validates("request_date")
    def _request_date_once(self, _key: str, value: date) -> date:
        """Set once: a saved request's date never changes, whatever a form posts."""
        current = self.__dict__.get("request_date")
        if self.id is not None and current is not None and value != current:
            raise RequestDateLocked("the request date of a saved request never changes")
        return value

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


class AidRequestEvent(Model):
    """One line of « Evénement(s) sur la demande »: appended, never changed."""

    __table_args__ = (Index("ix_aid_request_event_request", "request_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("aid_request.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: The other request's number (duplication, revision), shown in the label.
    other_number: Mapped[int | None]
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str | None] = mapped_column(String(12))

    request: Mapped[AidRequest] = relationship(back_populates="events")
    user = relationship("User", foreign_keys=[user_id])

    @property
    def label(self) -> str:
        text = str(EVENT_LABELS.get(self.kind, self.kind))
        return text % {"number": self.other_number} if "%(number)s" in text else text
