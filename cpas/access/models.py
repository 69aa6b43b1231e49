"""Organisations, users and access profiles."""

from __future__ import annotations

import enum
import functools
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Select,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..concurrency import Versioned
from ..extensions import Model, db
from ..timeutil import utcnow


class OrganisationKind(enum.StrEnum):
    CPAS = "cpas"
    DISTRIBUTOR = "distributor"
    FUND_MANAGER = "fund_manager"


#: Shown translated (``str()`` of a lazy string at request time); the code is what is stored.
ORGANISATION_KIND_LABELS: dict[str, Any] = {
    OrganisationKind.CPAS: _l("CPAS"),
    OrganisationKind.DISTRIBUTOR: _l("Distributeur d'eau"),
    OrganisationKind.FUND_MANAGER: _l("Gestionnaire du fonds (SPGE)"),
}

cpas_distributor = Table(
    "cpas_distributor",
    db.metadata,
    Column("cpas_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
    Column("distributor_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_cpas_distributor_distributor_id", "distributor_id"),
)


class Organisation(Model):
    """A CPAS, a water distributor or the fund manager."""

    # A unique index rather than a constraint: SQLite adds an index in place, where a
    # constraint means rebuilding a table that every other table references.
    __table_args__ = (Index("uq_organisation_ins_code", "ins_code", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: The municipality's INS code (CPAS only): one CPAS per code, it is what tells a REDI
    #: sheet's rows apart. NULL for the other kinds (several NULLs are allowed).
    ins_code: Mapped[str | None] = mapped_column(String(5))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    distributors: Mapped[list[Organisation]] = relationship(
        secondary=cpas_distributor,
        primaryjoin=lambda: Organisation.id == cpas_distributor.c.cpas_id,
        secondaryjoin=lambda: Organisation.id == cpas_distributor.c.distributor_id,
        order_by=lambda: Organisation.name,
        back_populates="cpas_clients",
    )
    cpas_clients: Mapped[list[Organisation]] = relationship(
        secondary=cpas_distributor,
        primaryjoin=lambda: Organisation.id == cpas_distributor.c.distributor_id,
        secondaryjoin=lambda: Organisation.id == cpas_distributor.c.cpas_id,
        order_by=lambda: Organisation.name,
        back_populates="distributors",
    )

    @property
    def kind_label(self) -> str:
        return str(ORGANISATION_KIND_LABELS[OrganisationKind(self.kind)])


user_profile = Table(
    "user_profile",
    db.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("profile_id", ForeignKey("profile.id", ondelete="RESTRICT"), primary_key=True),
    Index("ix_user_profile_profile_id", "profile_id"),
)


class Profile(Versioned, Model):
    """A named set of function codes, owned by one organisation."""

    conflict_label = _l("Ce profil a été modifié")

    __table_args__ = (UniqueConstraint("organisation_id", "name_fr"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name_fr: Mapped[str] = mapped_column(String(120))
    name_nl: Mapped[str] = mapped_column(String(120))
    #: Built-in « Tous les accès »: always every function, never edited or deleted.
    all_access: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    functions: Mapped[list[ProfileFunction]] = relationship(
        cascade="all, delete-orphan", order_by=lambda: ProfileFunction.code
    )
    users: Mapped[list[User]] = relationship(
        secondary=user_profile, back_populates="profiles", order_by=lambda: User.last_name
    )

    @property
    def function_codes(self) -> frozenset[str]:
        if self.all_access:
            from .functions import ALL_FUNCTION_CODES  # late: domains import these models

            return ALL_FUNCTION_CODES
        return frozenset(f.code for f in self.functions)

    def name(self, locale: str = "fr") -> str:
        return self.name_nl if locale == "nl" else self.name_fr


class ProfileFunction(Model):
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("profile.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(80), primary_key=True)


class User(Versioned, UserMixin, Model):
    """A person who signs in; belongs to exactly one organisation.

    ``version`` is the version of the user's profile assignment (« Affecter les profils »),
    not of the whole row: sign-in, sign-out and a language change also update the row and
    must neither bump it nor fail on it, so there is no ``version_id_col`` here; the access
    services bump it with a conditional UPDATE (``services._claim_assignment``)."""

    __tablename__ = "user_account"
    __mapper_args__: dict[str, Any] = {}  # noqa: RUF012 - overrides Versioned's version_id_col
    conflict_label = _l("Les profils de cet utilisateur ont été modifiés")

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True, index=True)
    #: Bumped to end every session of the user (deactivation, password change).
    session_version: Mapped[int] = mapped_column(default=1)
    #: The interface language the user chose ("fr"/"nl"); None until they choose: the
    #: browser's Accept-Language decides meanwhile (cpas._select_locale).
    locale: Mapped[str | None] = mapped_column("chosen_locale", String(5), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    deactivated_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    profiles: Mapped[list[Profile]] = relationship(
        secondary=user_profile, back_populates="users", order_by=lambda: Profile.name_fr
    )

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive users
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def function_codes(self) -> frozenset[str]:
        """Effective functions: the union of the user's profiles."""
        cached = self.__dict__.get("_function_codes")
        if cached is None:
            cached = self._load_function_codes()
            self.__dict__["_function_codes"] = cached
        return cached

    def _load_function_codes(self) -> frozenset[str]:
        """One query for the codes of every profile of the user (asked on every request)."""
        if self.id is None or "profiles" in self.__dict__:
            codes: set[str] = set()
            for profile in self.profiles:
                codes |= profile.function_codes
            return frozenset(codes)
        joined, all_access = db.session.execute(_codes_statement(), {"user_id": self.id}).one()
        return _codes_from(joined, all_access)

    def has_function(self, code: str) -> bool:
        return code in self.function_codes

    @classmethod
    def load_with_function_codes(cls, user_id: int) -> User | None:
        """The user, their organisation and their effective function codes in one query:
        the signed-in user is loaded like this on every request."""
        row = db.session.execute(_user_with_codes_statement(), {"user_id": user_id}).first()
        if row is None:
            return None
        user, joined, all_access = row
        user.__dict__["_function_codes"] = _codes_from(joined, all_access)
        return user


@functools.cache
def _codes_columns() -> tuple[Any, Any]:
    """Two columns correlated to ``user_account``: the user's function codes (joined by
    spaces) and whether one of their profiles is « Tous les accès »."""
    mine = user_profile.c.user_id == User.id
    codes = (
        select(func.aggregate_strings(ProfileFunction.code, " "))
        .join(user_profile, user_profile.c.profile_id == ProfileFunction.profile_id)
        .where(mine)
        .correlate(User)
        .scalar_subquery()
    )
    everything = (
        select(Profile.id)
        .join(user_profile, user_profile.c.profile_id == Profile.id)
        .where(mine, Profile.all_access)
        .correlate(User)
        .exists()
    )
    return codes, everything


# Built once: a statement object keeps its SQL cache key, so running it again costs
# neither the construction nor the key (a fifth of a small page's time otherwise).
@functools.cache
def _user_with_codes_statement() -> Select:
    return select(User, *_codes_columns()).where(User.id == bindparam("user_id"))


@functools.cache
def _codes_statement() -> Select:
    return select(*_codes_columns()).where(User.id == bindparam("user_id"))


def _codes_from(joined: str | None, all_access: bool) -> frozenset[str]:
    if all_access:
        from .functions import ALL_FUNCTION_CODES  # late: domains import these models

        return ALL_FUNCTION_CODES
    return frozenset((joined or "").split())


class AccountRequestStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"


ACCOUNT_REQUEST_STATUS_LABELS: dict[str, Any] = {
    AccountRequestStatus.PENDING: _l("En attente"),
    AccountRequestStatus.ACCEPTED: _l("Acceptée"),
    AccountRequestStatus.REFUSED: _l("Refusée"),
}


class AccountRequest(Versioned, Model):
    """« Demande d'un compte » made on the public form, reviewed by an administrator."""

    conflict_label = _l("Cette demande de compte a été modifiée")

    __table_args__ = (
        Index("ix_account_request_org_status", "organisation_id", "status", "created_at"),
        Index("ix_account_request_status_created", "status", "created_at"),
        Index("ix_account_request_ip_created", "ip", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    iban: Mapped[str] = mapped_column(String(34))
    representative: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(10), default=AccountRequestStatus.PENDING.value)
    ip: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    refusal_reason: Mapped[str | None] = mapped_column(String(2000))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: The language the request was made in: the applicant has no account yet, so the
    #: decision e-mail is written in it (None on requests made before it was stored: French).
    locale: Mapped[str | None] = mapped_column(String(5), default=None)

    organisation: Mapped[Organisation] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def visible_to(self, user: Any) -> bool:
        """The fund manager reviews every request; other organisations, their own."""
        return bool(
            user.organisation.kind == OrganisationKind.FUND_MANAGER
            or self.organisation_id == user.organisation_id
        )

    @property
    def status_label(self) -> str:
        return str(ACCOUNT_REQUEST_STATUS_LABELS[AccountRequestStatus(self.status)])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"
