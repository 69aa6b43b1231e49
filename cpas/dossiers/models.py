"""Social-aid dossiers (Loi du 2 avril 1965): the dossier, its official household snapshot
and its de facto household.

Aid requests, the social inquiry and the Council come in a later module: they will hang
off ``Dossier`` (requests) and ``HouseholdMember`` (inquiry per member); the official
snapshot already carries an optional ``request_id`` slot for the snapshot taken when a
request is created.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..concurrency import Versioned
from ..extensions import Model
from ..timeutil import utcnow

#: Folded names (index, search); byte order on PostgreSQL so a letter is an index range.
NameKey = String(100).with_variant(String(100, collation="C"), "postgresql")

RELATIONS = {
    "beneficiary": _l("Bénéficiaire"),
    "partner": _l("Partenaire"),
    "minor_child": _l("Enfant mineur à charge"),
    "first_degree": _l("Ascendant/descendant du 1er degré"),
    "cohabitant": _l("Cohabitant"),
}
MEMBER_RELATIONS = {k: v for k, v in RELATIONS.items() if k != "beneficiary"}


class Dossier(Versioned, Model):
    """A person's social dossier at one CPAS (one per person per CPAS)."""

    conflict_label = _l("Ce dossier a été modifié")

    __table_args__ = (
        UniqueConstraint("organisation_id", "niss", name="uq_dossier_organisation_niss"),
        UniqueConstraint(
            "organisation_id", "dossier_number", name="uq_dossier_organisation_number"
        ),
        # Alphabetical index: letter → names in order, active or « Anciens dossiers ».
        Index("ix_dossier_index", "organisation_id", "archived", "name_key", "first_key"),
        Index("ix_dossier_opened", "organisation_id", "opened_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    niss: Mapped[str] = mapped_column(String(11))
    dossier_number: Mapped[str] = mapped_column(String(11))
    opened_on: Mapped[date]
    archived: Mapped[bool] = mapped_column(default=False)
    social_worker_id: Mapped[int | None] = mapped_column(
        ForeignKey("social_worker.id", ondelete="SET NULL"), index=True
    )
    # Identity copied from the register when the dossier is created (refreshable).
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(NameKey)  # folded surname: index and search
    first_key: Mapped[str] = mapped_column(NameKey)
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    social_worker = relationship("SocialWorker")
    members: Mapped[list[HouseholdMember]] = relationship(
        back_populates="dossier",
        order_by=lambda: (HouseholdMember.is_main.desc(), HouseholdMember.id),
        cascade="all, delete-orphan",
    )


class HouseholdSnapshot(Model):
    """The official household composition read from the register at a given moment."""

    __table_args__ = (Index("ix_household_snapshot_dossier", "dossier_id", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"))
    #: The aid request it was taken for (a plain column: the aid domain lives above).
    request_id: Mapped[int | None] = mapped_column(index=True)
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    people: Mapped[list[SnapshotPerson]] = relationship(
        cascade="all, delete-orphan",
        order_by=lambda: (SnapshotPerson.is_head.desc(), SnapshotPerson.birth_date),
    )


class SnapshotPerson(Model):
    """One person of an official household snapshot."""

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("household_snapshot.id", ondelete="CASCADE"), index=True
    )
    niss: Mapped[str] = mapped_column(String(11))
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date | None]
    is_head: Mapped[bool] = mapped_column(default=False)
    relation_to_head: Mapped[str | None] = mapped_column(String(40))


class HouseholdMember(Versioned, Model):
    """A member of the de facto household (« composition de ménage de fait »)."""

    conflict_label = _l("Ce membre du ménage a été modifié")

    __table_args__ = (UniqueConstraint("dossier_id", "niss", name="uq_household_member_niss"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"))
    is_main: Mapped[bool] = mapped_column(default=False)
    relation: Mapped[str] = mapped_column(String(15))  # key of RELATIONS
    relation_start: Mapped[date | None]
    # Identity and legal address from the register (refreshed by « Mettre à jour »).
    niss: Mapped[str] = mapped_column(String(11))
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date | None]
    birth_precision: Mapped[str] = mapped_column(String(5), default="day")
    nationality: Mapped[str | None] = mapped_column(String(60))
    civil_state: Mapped[str | None] = mapped_column(String(40))
    registre: Mapped[str | None] = mapped_column(String(60))
    legal_street: Mapped[str | None] = mapped_column(String(150))
    legal_number: Mapped[str | None] = mapped_column(String(10))
    legal_box: Mapped[str | None] = mapped_column(String(10))
    legal_postal_code: Mapped[str | None] = mapped_column(String(4))
    legal_locality: Mapped[str | None] = mapped_column(String(100))
    # Effective residence address (« adresse de résidence effective »), encoded by the CPAS.
    street: Mapped[str] = mapped_column(String(150))
    house_number: Mapped[str] = mapped_column(String(10))
    box: Mapped[str | None] = mapped_column(String(10))
    postal_code: Mapped[str] = mapped_column(String(4))
    locality: Mapped[str] = mapped_column(String(100))
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: « Supprimer » hides the member; the undo brings it back.
    removed_at: Mapped[datetime | None]

    dossier: Mapped[Dossier] = relationship(back_populates="members")

    def visible_to(self, user: Any) -> bool:
        """A member is seen by the CPAS that keeps its dossier."""
        return self.dossier.organisation_id == user.organisation_id

    @property
    def relation_label(self) -> str:
        return str(RELATIONS.get(self.relation, self.relation))
