"""Demo dossiers: about twenty heads of household of the local register get a dossier at
« CPAS de Demoville », so that the index, the search and the household screens have data."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from ..access.models import Organisation, User
from ..extensions import db
from ..registry.adapters import LocalRegister
from ..registry.models import RegisterPerson
from .models import Dossier
from .services import Address, create_dossier

DEMO_DOSSIERS = 20


def seed(orgs: dict[str, Organisation]) -> None:
    cpas = orgs.get("CPAS de Demoville")
    if cpas is None:
        return
    have = (
        db.session.scalar(select(func.count(Dossier.id)).where(Dossier.organisation_id == cpas.id))
        or 0
    )
    if have >= DEMO_DOSSIERS:
        return
    author = db.session.scalar(
        select(User).where(User.organisation_id == cpas.id).order_by(User.id).limit(1)
    )
    if author is None:  # the demo seeds users before dossiers; nobody to open them
        return
    heads = db.session.scalars(
        select(RegisterPerson)
        .where(RegisterPerson.is_head.is_(True), RegisterPerson.street.is_not(None))
        .order_by(RegisterPerson.id)
        .limit(DEMO_DOSSIERS * 2)
    ).all()
    register = LocalRegister()
    for n, head in enumerate(heads):
        if have >= DEMO_DOSSIERS:
            break
        person = register.by_ref(head.id)
        assert person is not None
        dossier, created = create_dossier(
            cpas,
            person,
            Address(
                street=head.street or "",
                house_number=head.house_number or "1",
                box=head.box,
                postal_code=head.postal_code or "4000",
                locality=head.locality or "",
            ),
            author,
        )
        if created:
            dossier.opened_on = date.today() - timedelta(days=30 * n)
            db.session.commit()
            have += 1
