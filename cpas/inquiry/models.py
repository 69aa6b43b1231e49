"""The social inquiry of an aid request, per de facto household member (seed 001 §9, §12).

Everything hangs off an aid request (``AidRequest``) and a member (``HouseholdMember``):
each request has its own inquiry (a duplication copies it), frozen with the request once
it is submitted to the Council. Amounts are exact decimals (annual, as the seed asks:
« Indiquez le montant annuel réel de la ressource »).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..aid.models import AidRequest
from ..concurrency import Versioned
from ..dossiers.models import HouseholdMember
from ..extensions import Model

Money = Numeric(12, 2)

# ------------------------------------------------------------------ what each relation gets

IDENTIFICATION = "identification"
INFORMATION = "information"
RESOURCES = "resources"
EXPENSES = "expenses"

#: The inquiry parts of a member by relation (seed 001 §9.6: the partner has information
#: and resources; an ascendant/descendant of the 1st degree and a cohabitant resources only;
#: expenses « de la même manière » for every member, §9.6.2.2). A minor child: identification
#: and expenses (choix de l'application: the seed names no resource for a child).
PARTS_BY_RELATION: dict[str, tuple[str, ...]] = {
    "beneficiary": (IDENTIFICATION, INFORMATION, RESOURCES, EXPENSES),
    "partner": (IDENTIFICATION, INFORMATION, RESOURCES, EXPENSES),
    "minor_child": (IDENTIFICATION, EXPENSES),
    "first_degree": (IDENTIFICATION, RESOURCES, EXPENSES),
    "cohabitant": (IDENTIFICATION, RESOURCES, EXPENSES),
}

# ------------------------------------------------------------------ information (§9.3)

CATEGORIES: dict[str, Any] = {
    "cohabitant": _l("Cohabitant"),
    "isole": _l("Isolé"),
    "famille": _l("Famille à charge"),
}
HOUSING: dict[str, Any] = {
    "locataire": _l("Locataire"),
    "logement_social": _l("Locataire d'un logement social"),
    "proprietaire": _l("Propriétaire"),
    "heberge": _l("Hébergé(e) chez un tiers"),
    "institution": _l("En institution / maison d'accueil"),
    "sans_abri": _l("Sans logement"),
}
RESIDENCE_PERMITS: dict[str, Any] = {
    "belge": _l("Belge (carte d'identité)"),
    "ue": _l("Citoyen UE (carte E / E+, EU / EU+)"),
    "illimite": _l("Séjour illimité (carte B, C, D, F, F+, K, L)"),
    "limite": _l("Séjour limité (carte A, H)"),
    "protection": _l("Demandeur de protection internationale (attestation d'immatriculation)"),
    "irregulier": _l("Séjour irrégulier (aide médicale urgente)"),
}
INSURABILITY: dict[str, Any] = {
    "en_ordre": _l("En ordre de mutuelle"),
    "pas_en_ordre": _l("Pas en ordre de mutuelle"),
    "inconnue": _l("Inconnue"),
}

# ------------------------------------------------------------------ resources (§9.4)

#: The resource types (« Nouvelle ressource ») with the label of their own detail field.
RESOURCE_TYPES: dict[str, Any] = {
    "salaire": _l("Salaire"),
    "art35": _l("Revenus professionnels en application de l'article 35"),
    "artistique": _l("Revenus dans le cadre d'une activité artistique"),
    "chomage": _l("Allocations de chômage"),
    "mutuelle": _l("Indemnités de mutuelle"),
    "pension": _l("Pensions"),
    "allocations_familiales": _l("Allocations familiales"),
    "pension_alimentaire": _l("Pensions alimentaires reçues"),
    "immobilier": _l("Revenus immobiliers"),
    "mobilier": _l("Revenus mobiliers"),
    "nature": _l("Avantages en nature"),
    "divers": _l("Divers"),
}
RESOURCE_DETAIL_LABELS: dict[str, Any] = {
    "salaire": _l("Employeur"),
    "art35": _l("Employeur"),
    "artistique": _l("Donneur d'ordre"),
    "chomage": _l("Organisme de paiement"),
    "mutuelle": _l("Mutualité"),
    "pension": _l("Organisme payeur"),
    "allocations_familiales": _l("Caisse d'allocations familiales"),
    "pension_alimentaire": _l("Débiteur de la pension"),
    "immobilier": _l("Bien (adresse)"),
    "mobilier": _l("Nature (épargne, placements…)"),
    "nature": _l("Nature de l'avantage"),
    "divers": _l("Précisez"),
}
#: §9.6.2.1: an ascendant/descendant of the 1st degree and a cohabitant: « Divers » only
#: (besides « Pas de ressources »).
LIMITED_RELATIONS = ("first_degree", "cohabitant")
LIMITED_TYPES = ("divers",)
#: §9.3 zone 2: « Etudiant avec PIIS » forbids these types (the student-job exemption is
#: already in the computation).
STUDENT_FORBIDDEN = ("art35", "artistique")

# ------------------------------------------------------------------ expenses (§9.5)

EXPENSE_TYPES: dict[str, Any] = {
    "loyer": _l("Loyer"),
    "charges": _l("Charges locatives"),
    "energie": _l("Énergie (gaz, électricité, mazout)"),
    "eau": _l("Eau"),
    "assurances": _l("Assurances"),
    "medical": _l("Frais médicaux"),
    "credits": _l("Remboursement de crédits"),
    "pension_alimentaire": _l("Pension alimentaire payée"),
    "scolaire": _l("Frais scolaires"),
    "transport": _l("Transport"),
    "telecom": _l("Télécommunications"),
    "divers": _l("Divers"),
}

# ------------------------------------------------------------------ formulaire A (§12)

#: « Dans les relations avec le bénéficiaire principal, vous n'avez que le choix entre
#: "Partenaire du bénéficiaire" et "enfant mineur à charge du bénéficiaire" ».
FORM_A_RELATIONS: dict[str, Any] = {
    "partner": _l("Partenaire du bénéficiaire"),
    "minor_child": _l("Enfant mineur à charge du bénéficiaire"),
}
FORM_A_STATUSES: dict[str, Any] = {
    "belge": _l("Belge"),
    "ue": _l("Ressortissant UE / EEE"),
    "etranger_inscrit": _l("Étranger inscrit au registre de la population"),
    "refugie": _l("Réfugié reconnu"),
    "protection_subsidiaire": _l("Bénéficiaire de la protection subsidiaire"),
    "apatride": _l("Apatride"),
    "autre": _l("Autre"),
}
SUFFIX_MAX = 99


class MemberInquiry(Versioned, Model):
    """A member's inquiry for one request: information and « Pas de ressources »."""

    conflict_label = _l("L'enquête de ce membre a été modifiée")

    __table_args__ = (
        UniqueConstraint("request_id", "member_id", name="uq_member_inquiry_request_member"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    request_id: Mapped[int] = mapped_column(ForeignKey("aid_request.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(
        ForeignKey("household_member.id", ondelete="CASCADE"), index=True
    )
    # §9.2: « registre d'inscription » completed by hand when the register gives none.
    registre_manual: Mapped[str | None] = mapped_column(String(60))
    # §9.3 zone 2: general situation
    category: Mapped[str | None] = mapped_column(String(12))
    housing: Mapped[str | None] = mapped_column(String(20))
    homeless: Mapped[bool] = mapped_column(default=False)
    student_piis: Mapped[bool] = mapped_column(default=False)
    dependent_children: Mapped[int | None]
    # §9.3 zone 3: the Loi 65 specifics
    nationality: Mapped[str | None] = mapped_column(String(60))
    residence_permit: Mapped[str | None] = mapped_column(String(12))
    arrival_date: Mapped[date | None]
    insurability: Mapped[str | None] = mapped_column(String(12))
    health_insurer: Mapped[str | None] = mapped_column(String(100))
    informed: Mapped[bool] = mapped_column(default=False)  # information saved once
    # §9.4.1: « Pas de ressources » (exclusive with any resource)
    no_resources: Mapped[bool] = mapped_column(default=False)

    request: Mapped[AidRequest] = relationship()
    member: Mapped[HouseholdMember] = relationship()
    resources: Mapped[list[Resource]] = relationship(
        back_populates="inquiry",
        order_by=lambda: Resource.id,
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    expenses: Mapped[list[Expense]] = relationship(
        back_populates="inquiry",
        order_by=lambda: Expense.id,
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Resource(Versioned, Model):
    """A resource of a member (§9.4.2): its type, real annual amount, dates, « D.I.S. »."""

    __tablename__ = "inquiry_resource"
    conflict_label = _l("Cette ressource a été modifiée")

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(
        ForeignKey("member_inquiry.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(25))
    detail: Mapped[str | None] = mapped_column(String(150))
    annual_amount: Mapped[Decimal] = mapped_column(Money)
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    counts_for_dis: Mapped[bool] = mapped_column(default=False)

    inquiry: Mapped[MemberInquiry] = relationship(back_populates="resources")

    def visible_to(self, user: Any) -> bool:
        return self.inquiry.organisation_id == user.organisation_id


class Expense(Versioned, Model):
    """An expense of a member (§9.5, optional)."""

    __tablename__ = "inquiry_expense"
    conflict_label = _l("Cette dépense a été modifiée")

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(
        ForeignKey("member_inquiry.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(25))
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    annual_amount: Mapped[Decimal] = mapped_column(Money)

    inquiry: Mapped[MemberInquiry] = relationship(back_populates="expenses")

    def visible_to(self, user: Any) -> bool:
        return self.inquiry.organisation_id == user.organisation_id


class FormA(Versioned, Model):
    """« Formulaire A » of a request (§12): its effective date, the main beneficiary's
    nationality, and the secondary beneficiaries (``FormAMember``)."""

    conflict_label = _l("Le formulaire A a été modifié")

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    request_id: Mapped[int] = mapped_column(
        ForeignKey("aid_request.id", ondelete="CASCADE"), unique=True
    )
    #: ≤ the effective dates of the B forms (checked when the Council adds them).
    effective_date: Mapped[date]
    main_nationality: Mapped[str | None] = mapped_column(String(60))

    request: Mapped[AidRequest] = relationship()
    members: Mapped[list[FormAMember]] = relationship(
        back_populates="form",
        order_by=lambda: FormAMember.id,
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class FormAMember(Versioned, Model):
    """A de facto member on formulaire A: secondary beneficiary or not, with the suffix the
    SPP IS identifies them by (stable across the dossier's requests)."""

    conflict_label = _l("Ce bénéficiaire du formulaire A a été modifié")

    __table_args__ = (
        UniqueConstraint("form_id", "member_id", name="uq_form_a_member"),
        # Suffix stability: the dossier's earlier suffixes by person.
        Index("ix_form_a_member_niss", "dossier_id", "niss"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("form_a.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("household_member.id", ondelete="CASCADE"))
    #: Copied from the member: the suffix rules read the dossier's history by person.
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"))
    niss: Mapped[str] = mapped_column(String(11))
    secondary: Mapped[bool] = mapped_column(default=False)
    suffix: Mapped[int | None]
    status: Mapped[str | None] = mapped_column(String(25))
    relation: Mapped[str | None] = mapped_column(String(15))
    nationality: Mapped[str | None] = mapped_column(String(60))

    form: Mapped[FormA] = relationship(back_populates="members")
    member: Mapped[HouseholdMember] = relationship()

    def visible_to(self, user: Any) -> bool:
        return self.form.organisation_id == user.organisation_id
