"""Demo data of the centre domain: addresses, numbers, social workers with office hours."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select

from ..access.models import Organisation
from ..extensions import db
from .models import CentrePhone, CentreProfile, OfficeHour, SocialWorker

CENTRES = {
    "CPAS de Demoville": (
        ("Rue de l'Hôtel de Ville", "1", "4000", "Liège"),
        (("telephone", "04 220 00 00", "Accueil"), ("fax", "04 220 00 01", "Secrétariat")),
    ),
    "CPAS de Exempleville": (
        ("Place Communale", "5", "5000", "Namur"),
        (("telephone", "081 30 00 00", "Accueil"), ("general", "081 30 00 10", "Service social")),
    ),
}
WORKERS = (
    # last, first, phone, office, active, office hours (weekday, from, to, place)
    (
        "Lambert",
        "Sophie",
        "04 220 00 21",
        "Bureau 2",
        True,
        ((0, 9, 12, "Siège"), (3, 14, 16, "Antenne Nord")),
    ),
    ("Renson", "Thomas", "04 220 00 22", "Bureau 3", True, ((1, 9, 12, "Siège"),)),
    ("Collard", "Isabelle", "04 220 00 23", "Bureau 4", False, ()),
)


def seed(orgs: dict[str, Organisation]) -> None:
    for name, (address, phones) in CENTRES.items():
        org = orgs.get(name)
        if org is None:
            continue
        if db.session.scalar(
            select(CentreProfile.id).where(CentreProfile.organisation_id == org.id)
        ):
            continue
        street, number, postal_code, locality = address
        db.session.add(
            CentreProfile(
                organisation_id=org.id,
                street=street,
                house_number=number,
                postal_code=postal_code,
                locality=locality,
            )
        )
        for kind, phone, holder in phones:
            db.session.add(
                CentrePhone(organisation_id=org.id, kind=kind, number=phone, holder=holder)
            )
    demoville = orgs.get("CPAS de Demoville")
    if demoville is None:
        return
    for last, first, phone, office, active, hours in WORKERS:
        exists = db.session.scalar(
            select(SocialWorker.id).where(
                SocialWorker.organisation_id == demoville.id,
                SocialWorker.last_name == last,
                SocialWorker.first_name == first,
            )
        )
        if exists:
            continue
        db.session.add(
            SocialWorker(
                organisation_id=demoville.id,
                last_name=last,
                first_name=first,
                phone=phone,
                office=office,
                active=active,
                email=f"{first.lower()}.{last.lower()}@cpas-demoville.be",
                office_hours=[
                    OfficeHour(weekday=d, start_time=time(a), end_time=time(b), place=p)
                    for d, a, b, p in hours
                ],
            )
        )
    db.session.commit()
