"""Reads of the dossiers domain: the alphabetical index, searches, the household."""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date

from flask import session
from sqlalchemy import Select, select

from ..extensions import db
from ..scoping import get_scoped_or_404, scoped_loader
from ..textutil import fold
from .models import Dossier, HouseholdMember, HouseholdSnapshot

LETTERS = tuple(string.ascii_uppercase)
RECENT_KEY = "recent_dossiers"
RECENT_MAX = 8


@scoped_loader
def get_dossier_or_404(dossier_id: int) -> Dossier:
    """The dossier if the signed-in user's CPAS keeps it, else 404."""
    return get_scoped_or_404(Dossier, dossier_id)


@scoped_loader
def get_member_or_404(dossier: Dossier, member_id: int) -> HouseholdMember:
    """A member of ``dossier``'s household, else 404 (another CPAS's member is logged)."""
    return get_scoped_or_404(HouseholdMember, member_id, same={"dossier_id": dossier.id})


def index_query(organisation_id: int, letter: str, archived: bool) -> Select:
    """Dossiers whose surname starts with ``letter``, in name order (range on the index)."""
    low = letter.lower()
    high = chr(ord(low) + 1)
    return (
        select(Dossier)
        .where(
            Dossier.organisation_id == organisation_id,
            Dossier.archived == archived,  # equality: indexable on PostgreSQL too
            Dossier.name_key >= low,
            Dossier.name_key < high,
        )
        .order_by(Dossier.name_key, Dossier.first_key, Dossier.id)
    )


@dataclass(frozen=True)
class DossierSearch:
    niss: str | None = None
    name: str | None = None
    opened_on: date | None = None


def search_query(organisation_id: int, criteria: DossierSearch) -> Select:
    """« Rechercher un dossier »: by NISS, by name (contains, accent-insensitive), by date."""
    query = select(Dossier).where(Dossier.organisation_id == organisation_id)
    if criteria.niss:
        query = query.where(Dossier.niss == criteria.niss)
    if criteria.name:
        # autoescape: % and _ typed by the user are plain characters, not wildcards
        query = query.where(Dossier.name_key.contains(fold(criteria.name), autoescape=True))
    if criteria.opened_on:
        query = query.where(Dossier.opened_on == criteria.opened_on)
    return query.order_by(Dossier.name_key, Dossier.first_key, Dossier.id)


def dossier_for_niss(organisation_id: int, niss: str) -> Dossier | None:
    return db.session.scalar(
        select(Dossier).where(Dossier.organisation_id == organisation_id, Dossier.niss == niss)
    )


def current_members(dossier: Dossier) -> list[HouseholdMember]:
    """The de facto household: the main beneficiary first, removed members left out."""
    return list(
        db.session.scalars(
            select(HouseholdMember)
            .where(HouseholdMember.dossier_id == dossier.id, HouseholdMember.removed_at.is_(None))
            .order_by(HouseholdMember.is_main.desc(), HouseholdMember.id)
        )
    )


def main_member(dossier: Dossier) -> HouseholdMember | None:
    return db.session.scalar(
        select(HouseholdMember).where(
            HouseholdMember.dossier_id == dossier.id, HouseholdMember.is_main.is_(True)
        )
    )


def latest_snapshot(dossier: Dossier) -> HouseholdSnapshot | None:
    return db.session.scalar(
        select(HouseholdSnapshot)
        .where(HouseholdSnapshot.dossier_id == dossier.id)
        .order_by(HouseholdSnapshot.taken_at.desc(), HouseholdSnapshot.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class Difference:
    """Where the de facto household differs from the official one."""

    missing: list  # in the official composition, not in the de facto one
    added: list  # in the de facto composition, not in the official one
    same: list


def compare(snapshot: HouseholdSnapshot | None, members: list[HouseholdMember]) -> Difference:
    official = {p.niss: p for p in (snapshot.people if snapshot else [])}
    de_facto = {m.niss: m for m in members}
    return Difference(
        missing=[p for n, p in official.items() if n not in de_facto],
        added=[m for n, m in de_facto.items() if n not in official],
        same=[m for n, m in de_facto.items() if n in official],
    )


# ----------------------------------------------------------------- recently consulted


def remember(dossier: Dossier) -> None:
    """Put the dossier on top of the user's recently consulted list (ids only, no names)."""
    recent = [i for i in session.get(RECENT_KEY, []) if i != dossier.id]
    session[RECENT_KEY] = [dossier.id, *recent][:RECENT_MAX]


def recent_dossiers(organisation_id: int) -> list[Dossier]:
    ids = session.get(RECENT_KEY, [])
    if not ids:
        return []
    rows = db.session.scalars(
        select(Dossier).where(Dossier.organisation_id == organisation_id, Dossier.id.in_(ids))
    ).all()
    by_id = {d.id: d for d in rows}
    return [by_id[i] for i in ids if i in by_id]
