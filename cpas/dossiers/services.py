"""Writes of the dossiers domain: each service changes state, writes the audit entry and
commits. Register and BCSS calls go through the adapters (``cpas/registry/adapters.py``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..access.models import Organisation, User
from ..concurrency import check_version, commit, stamp
from ..extensions import db
from ..registry.adapters import (
    BisRequest,
    IntegrationResult,
    Period,
    PersonRecord,
    get_bcss,
    get_register,
)
from ..registry.quality_codes import INQUIRY, INQUIRY_DAYS_ON_REQUEST, QUALITY_CODES
from ..textutil import fold
from ..timeutil import utcnow
from . import freeze
from .models import Dossier, HouseholdMember, HouseholdSnapshot, SnapshotPerson


class DossierRuleError(Exception):
    """A change refused by a rule; ``field`` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class HouseholdFrozen(DossierRuleError):
    """A household change refused while the household is frozen (``freeze``)."""


def ensure_household_open(dossier: Dossier) -> None:
    """Refuse a household change while a domain above freezes it (nothing changed yet)."""
    reason = freeze.frozen_reason(dossier)
    if reason:
        raise HouseholdFrozen(reason)


@dataclass(frozen=True)
class Address:
    """An effective residence address (« adresse de résidence effective »)."""

    street: str
    house_number: str
    box: str | None
    postal_code: str
    locality: str


def index_key(name: str) -> str:
    """The folded name the index and the search use: accents and leading apostrophes or
    spaces dropped, so « 't Kint » files under T and « Œuvray » under O."""
    folded = fold(name).replace("œ", "oe").replace("æ", "ae")
    return re.sub(r"^[^a-z0-9]+", "", folded)[:100]


def _identity(person: PersonRecord) -> dict:
    return {
        "niss": person.niss,
        "last_name": person.last_name,
        "first_name": person.first_name,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "birth_precision": person.birth_precision,
        "nationality": person.nationality,
        "civil_state": person.civil_state,
        "registre": person.registre,
        "legal_street": person.street,
        "legal_number": person.house_number,
        "legal_box": person.box,
        "legal_postal_code": person.postal_code,
        "legal_locality": person.locality,
    }


def _apply_address(member: HouseholdMember, address: Address) -> None:
    member.street = address.street
    member.house_number = address.house_number
    member.box = address.box or None
    member.postal_code = address.postal_code
    member.locality = address.locality


def _snapshot(dossier: Dossier, by: User) -> HouseholdSnapshot:
    people = get_register().household(dossier.niss)
    snapshot = HouseholdSnapshot(
        dossier_id=dossier.id,
        taken_by_id=by.id,
        taken_at=utcnow(),
        people=[
            SnapshotPerson(
                niss=p.niss,
                last_name=p.last_name,
                first_name=p.first_name,
                sex=p.sex,
                birth_date=p.birth_date,
                is_head=p.is_head,
                relation_to_head=p.relation_to_head,
            )
            for p in people
        ],
    )
    db.session.add(snapshot)
    return snapshot


def snapshot_for_request(dossier: Dossier, request_id: int, by: User) -> HouseholdSnapshot:
    """The official composition taken for a new aid request (the caller commits): a request
    keeps the composition the register gave the day it was made."""
    snapshot = _snapshot(dossier, by)
    snapshot.request_id = request_id
    return snapshot


def create_dossier(
    organisation: Organisation, person: PersonRecord, address: Address, by: User
) -> tuple[Dossier, bool]:
    """Open the person's dossier (or return the existing one: one per person per CPAS)."""
    existing = db.session.scalar(
        select(Dossier).where(
            Dossier.organisation_id == organisation.id, Dossier.niss == person.niss
        )
    )
    if existing is not None:
        return existing, False
    dossier = Dossier(
        organisation_id=organisation.id,
        niss=person.niss,
        dossier_number=person.niss,  # the NISS until the CPAS gives its own number
        opened_on=date.today(),
        last_name=person.last_name,
        first_name=person.first_name,
        name_key=index_key(person.last_name),
        first_key=index_key(person.first_name),
        sex=person.sex,
        birth_date=person.birth_date,
        created_by_id=by.id,
    )
    main = HouseholdMember(is_main=True, relation="beneficiary", **_identity(person))
    _apply_address(main, address)
    dossier.members.append(main)
    db.session.add(dossier)
    try:
        db.session.flush()
    except IntegrityError:  # a colleague created it a moment ago
        db.session.rollback()
        existing = db.session.scalar(
            select(Dossier).where(
                Dossier.organisation_id == organisation.id, Dossier.niss == person.niss
            )
        )
        if existing is None:
            raise
        return existing, False
    _snapshot(dossier, by)
    audit.record("dossiers.create", obj=dossier, niss=person.niss, user=by)
    db.session.commit()
    return dossier, True


def assign_bis(request: BisRequest, by: User) -> PersonRecord:
    """« Attribuer un numéro bis »: a new BIS number in the (local) BIS register."""
    person = get_register().assign_bis(request)
    audit.record("registry.assign_bis", niss=person.niss, user=by)
    db.session.commit()
    return person


def update_references(
    dossier: Dossier,
    dossier_number: str,
    opened_on: date,
    social_worker_id: int | None,
    by: User,
    *,
    version: int | None,
) -> None:
    """« Modifier »: the CPAS's own dossier number (1–11 characters), opening date, worker.

    ``version`` is the dossier's when the form was loaded (a stale one is a Conflict)."""
    check_version(dossier, version, by)
    number = (dossier_number or "").strip()
    if not number or len(number) > 11:
        raise DossierRuleError(
            _("Le n° de dossier comprend de 1 à 11 caractères (pas seulement des espaces)."),
            "dossier_number",
        )
    clash = db.session.scalar(
        select(Dossier.id).where(
            Dossier.organisation_id == dossier.organisation_id,
            Dossier.dossier_number == number,
            Dossier.id != dossier.id,
        )
    )
    if clash is not None:
        raise DossierRuleError(
            _("Ce n° de dossier est déjà utilisé par un autre dossier du CPAS."), "dossier_number"
        )
    if opened_on > date.today():
        raise DossierRuleError(
            _("La date d'ouverture ne peut pas être dans le futur."), "opened_on"
        )
    dossier.dossier_number = number
    dossier.opened_on = opened_on
    dossier.social_worker_id = social_worker_id
    audit.record("dossiers.update_references", obj=dossier, niss=dossier.niss, user=by)
    commit(dossier)


def set_archived(dossier: Dossier, archived: bool, by: User) -> None:
    """Move the dossier to « Anciens dossiers » or back."""
    dossier.archived = archived
    stamp(dossier, by)
    audit.record(
        "dossiers.archive" if archived else "dossiers.unarchive",
        obj=dossier,
        niss=dossier.niss,
        user=by,
    )
    db.session.commit()


# --------------------------------------------------------------------------- household


def refresh_official_household(dossier: Dossier, by: User) -> HouseholdSnapshot:
    """« Mettre à jour »: a new snapshot of the official composition from the register."""
    ensure_household_open(dossier)
    snapshot = _snapshot(dossier, by)
    audit.record("household.refresh_official", obj=dossier, niss=dossier.niss, user=by)
    db.session.commit()
    return snapshot


def add_member(
    dossier: Dossier,
    person: PersonRecord,
    address: Address,
    relation: str,
    relation_start: date,
    by: User,
) -> HouseholdMember:
    """« Ajouter un membre » to the de facto household."""
    ensure_household_open(dossier)
    member = db.session.scalar(
        select(HouseholdMember).where(
            HouseholdMember.dossier_id == dossier.id, HouseholdMember.niss == person.niss
        )
    )
    if member is not None and member.removed_at is None:
        raise DossierRuleError(_("Cette personne fait déjà partie du ménage de fait."))
    if member is None:
        member = HouseholdMember(dossier_id=dossier.id, is_main=False)
        db.session.add(member)
    for name, value in _identity(person).items():
        setattr(member, name, value)
    _apply_address(member, address)
    member.relation = relation
    member.relation_start = relation_start
    member.removed_at = None
    member.refreshed_at = utcnow()
    stamp(member, by)
    audit.record("household.add_member", obj=dossier, niss=person.niss, user=by)
    db.session.commit()
    return member


def remove_member(member: HouseholdMember, by: User, *, version: int | None) -> None:
    """« Supprimer » a member (never the main beneficiary); the undo restores it."""
    if member.is_main:
        raise DossierRuleError(_("Le bénéficiaire principal ne peut pas être supprimé."))
    ensure_household_open(member.dossier)
    check_version(member, version, by)
    member.removed_at = utcnow()
    audit.record("household.remove_member", obj=member.dossier, niss=member.niss, user=by)
    commit(member)


def restore_member(member: HouseholdMember, by: User, *, version: int | None) -> None:
    """Undo a « Supprimer »."""
    ensure_household_open(member.dossier)
    check_version(member, version, by)
    member.removed_at = None
    audit.record("household.restore_member", obj=member.dossier, niss=member.niss, user=by)
    commit(member)


def update_effective_address(
    member: HouseholdMember, address: Address, by: User, *, version: int | None
) -> None:
    """The member's « adresse de résidence effective » (identification of the inquiry)."""
    ensure_household_open(member.dossier)
    check_version(member, version, by)
    _apply_address(member, address)
    audit.record("household.update_address", obj=member.dossier, niss=member.niss, user=by)
    commit(member)


def refresh_members(dossier: Dossier, members: list[HouseholdMember], by: User) -> int:
    """« Mettre à jour les données des membres sélectionnés » from the register."""
    ensure_household_open(dossier)
    register = get_register()
    updated = 0
    for member in members:
        person = register.by_niss(member.niss)
        if person is None:
            continue
        for name, value in _identity(person).items():
            setattr(member, name, value)
        member.refreshed_at = utcnow()
        stamp(member, by)
        if member.is_main:
            dossier.last_name, dossier.first_name = person.last_name, person.first_name
            dossier.name_key = index_key(person.last_name)
            dossier.first_key = index_key(person.first_name)
            stamp(dossier, by)
        audit.record("household.refresh_member", obj=dossier, niss=member.niss, user=by)
        updated += 1
    db.session.commit()
    return updated


# --------------------------------------------------------------------------- BCSS


def integration_end(code: str, start: date, end: date | None) -> date | None:
    """The end of an integration: the one given, else the code's default (001: 2 months)."""
    return end if end is not None else QUALITY_CODES[code].default_end(start)


def integrate(
    dossier: Dossier,
    members: list[HouseholdMember],
    code: str,
    start: date,
    end: date | None,
    by: User,
) -> list[tuple[HouseholdMember, IntegrationResult]]:
    """Integrate the selected members for a period; one green/red result per person."""
    bcss = get_bcss()
    period = Period(start, integration_end(code, start, end))
    results = []
    for member in members:
        result = bcss.integrate(dossier.organisation_id, member.niss, code, period, by.id)
        audit.record(
            "integrations.integrate",
            obj=dossier,
            niss=member.niss,
            outcome="success" if result.ok else "refused",
            details=f"code {code} {period.start:%d/%m/%Y}–"
            + (f"{period.end:%d/%m/%Y}" if period.end else "…"),
            user=by,
        )
        results.append((member, result))
    db.session.commit()
    return results


def deintegrate(
    dossier: Dossier,
    members: list[HouseholdMember],
    start: date,
    end: date,
    by: User,
) -> list[tuple[HouseholdMember, IntegrationResult]]:
    """De-integrate the selected members for a period."""
    bcss = get_bcss()
    results = []
    for member in members:
        result = bcss.deintegrate(dossier.organisation_id, member.niss, Period(start, end), by.id)
        audit.record(
            "integrations.deintegrate",
            obj=dossier,
            niss=member.niss,
            outcome="success" if result.ok else "refused",
            details=f"{start:%d/%m/%Y}–{end:%d/%m/%Y}",
            user=by,
        )
        results.append((member, result))
    db.session.commit()
    return results


def integrate_for_new_request(dossier: Dossier, request_date: date, by: User) -> IntegrationResult:
    """Integrate the main beneficiary « en enquête » (001) from the request date until the
    30th day after it (15/01 → 14/02, seed 001 §6): called when a dossier's aid request is
    created (next module)."""
    main = db.session.scalar(
        select(HouseholdMember).where(
            HouseholdMember.dossier_id == dossier.id, HouseholdMember.is_main.is_(True)
        )
    )
    assert main is not None, "a dossier always has its main beneficiary"
    end = request_date + timedelta(days=INQUIRY_DAYS_ON_REQUEST)
    result = get_bcss().integrate(
        dossier.organisation_id, main.niss, INQUIRY, Period(request_date, end), by.id
    )
    audit.record(
        "integrations.integrate",
        obj=dossier,
        niss=main.niss,
        outcome="success" if result.ok else "refused",
        details=f"code {INQUIRY} {request_date:%d/%m/%Y}–{end:%d/%m/%Y} (nouvelle demande)",
        user=by,
    )
    db.session.commit()
    return result
