"""Writes of the drawing rights (DTI, DTC, FAT funds), encoded by the fund manager."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from .. import audit
from ..access.models import Organisation, OrganisationKind, User, cpas_distributor
from ..concurrency import Conflict as Conflict  # re-exported: the route catches it
from ..concurrency import check_version, commit
from ..extensions import db
from ..timeutil import utcnow
from .lifecycle import WaterRuleError as WaterRuleError  # re-exported
from .models import DrawingRight


def linked_pair(cpas_id: int | None, distributor_id: int | None) -> bool:
    """Tell whether this CPAS and this distributor are linked (``cpas_distributor``)."""
    cpas = aliased(Organisation)
    distributor = aliased(Organisation)
    found = db.session.scalar(
        select(cpas_distributor.c.cpas_id)
        .join(cpas, cpas.id == cpas_distributor.c.cpas_id)
        .join(distributor, distributor.id == cpas_distributor.c.distributor_id)
        .where(
            cpas_distributor.c.cpas_id == cpas_id,
            cpas_distributor.c.distributor_id == distributor_id,
            cpas.kind == OrganisationKind.CPAS.value,
            distributor.kind == OrganisationKind.DISTRIBUTOR.value,
        )
    )
    return found is not None


def save_drawing_right(
    cpas_id: int,
    distributor_id: int,
    year: int,
    initial: Decimal,
    complementary: Decimal,
    fat_funds: Decimal,
    by: User,
    *,
    version: int | None,
) -> DrawingRight:
    """Set DTI, DTC and FAT funds of a CPAS × distributor × year (fund manager). Commits.

    ``version`` is the one shown in the form: 0 when the pair had no right yet."""
    if not linked_pair(cpas_id, distributor_id):
        # A right for a pair that is not linked would count in no dashboard and mislead.
        raise WaterRuleError(
            _(
                "Ce CPAS n'est pas lié à ce distributeur : aucun droit de tirage ne peut y "
                "être encodé."
            )
        )
    right = db.session.scalar(
        select(DrawingRight).where(
            DrawingRight.cpas_id == cpas_id,
            DrawingRight.distributor_id == distributor_id,
            DrawingRight.year == year,
        )
    )
    if right is None:
        if version != 0:
            raise WaterRuleError(_("Ce formulaire n'est plus à jour : rechargez la page."))
        right = DrawingRight(cpas_id=cpas_id, distributor_id=distributor_id, year=year)
        right.updated_at, right.updated_by_id = utcnow(), by.id
        db.session.add(right)
    else:
        check_version(right, version, by)  # 0 here: someone created it meanwhile
    right.initial, right.complementary, right.fat_funds = initial, complementary, fat_funds
    db.session.flush()
    audit.record("water.rights_update", obj=right, user=by, details=f"{year}")
    commit(right)
    return right
