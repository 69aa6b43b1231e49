"""Storage of the local adapters: the fictitious National Register and the BCSS repertoire.

Only the local adapters read or write these tables; the rest of the app goes through the
adapter interfaces in ``cpas/registry/adapters.py``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ..timeutil import utcnow

#: Byte order on PostgreSQL too, so that equality and ranges use the index.
Key = String(40).with_variant(String(40, collation="C"), "postgresql")


class RegisterPerson(Model):
    """A fictitious person of the local register (Registre national, or BIS for the BCSS)."""

    __table_args__ = (
        # Phonetic search: equality on the key, range on the birth date.
        Index("ix_register_person_phonetic", "last_key", "birth_date"),
        Index("ix_register_person_household", "household_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    niss: Mapped[str] = mapped_column(String(11), unique=True)
    is_bis: Mapped[bool] = mapped_column(default=False)
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    last_key: Mapped[str] = mapped_column(Key)
    first_key: Mapped[str] = mapped_column(Key, default="")
    sex: Mapped[str] = mapped_column(String(1))  # "M" | "F"
    birth_date: Mapped[date]
    #: "day" (full date), "month" (00/MM/AAAA) or "year" (00/00/AAAA): BIS numbers only.
    birth_precision: Mapped[str] = mapped_column(String(5), default="day")
    birth_place: Mapped[str | None] = mapped_column(String(100))
    nationality: Mapped[str] = mapped_column(String(60), default="Belge")
    civil_state: Mapped[str | None] = mapped_column(String(40))
    registre: Mapped[str] = mapped_column(String(60))
    street: Mapped[str | None] = mapped_column(String(150))
    house_number: Mapped[str | None] = mapped_column(String(10))
    box: Mapped[str | None] = mapped_column(String(10))
    postal_code: Mapped[str | None] = mapped_column(String(4))
    locality: Mapped[str | None] = mapped_column(String(100))
    household_id: Mapped[int | None]
    is_head: Mapped[bool] = mapped_column(default=False)
    #: Relation to the head of the household, as the register words it.
    relation_to_head: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BcssIntegration(Model):
    """A period during which a CPAS has a person integrated in the BCSS repertoire."""

    __table_args__ = (Index("ix_bcss_integration_org_niss", "organisation_id", "niss", "start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    niss: Mapped[str] = mapped_column(String(11))
    quality_code: Mapped[str] = mapped_column(String(3))
    start: Mapped[date]
    end: Mapped[date | None]  # None: indefinite (codes 011, 021)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
