"""A small water-fund world: two CPAS, two distributors, the fund manager, and helpers."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from cpas.access.models import Organisation, OrganisationKind, User
from cpas.extensions import db
from cpas.water_fund import services
from cpas.water_fund.files import CheckedFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "devis.pdf") -> CheckedFile:
    return CheckedFile(data=PDF, mime_type="application/pdf", original_name=name, ext=".pdf")


BASE = {
    "last_name": "Dupont",
    "first_name": "Marie",
    "street": "Rue de la Source",
    "house_number": "12",
    "postal_code": "4000",
    "locality": "Liège",
    "client_number": "CLI-001",
    "internal_ref": "DOS-42",
}
FAT = {
    **BASE,
    "contact_name": "Sophie Lambert",
    "contact_phone": "081000000",
    "contact_email": "contact@cpas-a.be",
    "works_type": "fuite",
    "quote_amount": Decimal("1250.00"),
    "requested_amount": Decimal("1000.00"),
    "payee": "contractor",
    "contractor_name": "Plomberie Dubois",
    "contractor_iban": "BE71096123456769",
}
FSE = {
    **BASE,
    "requested_amount": Decimal("350.00"),
    "recurrence": "ponctuelle",
    "contract_accounts": ["CA-1", "CA-2"],
    "invoice_numbers": ["F-2026-001"],
}


@pytest.fixture
def world(app, make_org, make_user):
    cpas_a = make_org(OrganisationKind.CPAS, name="CPAS A")
    cpas_b = make_org(OrganisationKind.CPAS, name="CPAS B")
    dist_x = make_org(OrganisationKind.DISTRIBUTOR, name="Distributeur X")
    dist_y = make_org(OrganisationKind.DISTRIBUTOR, name="Distributeur Y")
    spge = make_org(OrganisationKind.FUND_MANAGER, name="SPGE test")
    with app.app_context():
        a = db.session.get(Organisation, cpas_a.id)
        a.distributors = [
            db.session.get(Organisation, dist_x.id),
            db.session.get(Organisation, dist_y.id),
        ]
        db.session.get(Organisation, cpas_b.id).distributors = [
            db.session.get(Organisation, dist_x.id)
        ]
        db.session.commit()
    return SimpleNamespace(
        cpas_a=cpas_a,
        cpas_b=cpas_b,
        dist_x=dist_x,
        dist_y=dist_y,
        spge=spge,
        user_a=make_user(cpas_a, all_access=True, email="agent@cpas-a.be"),
        user_b=make_user(cpas_b, all_access=True, email="agent@cpas-b.be"),
        user_x=make_user(dist_x, all_access=True, email="agent@dist-x.be"),
        user_y=make_user(dist_y, all_access=True, email="agent@dist-y.be"),
        user_spge=make_user(spge, all_access=True, email="agent@spge.be"),
    )


@pytest.fixture
def new_request(app, world):
    """Create a request through the service; returns its id."""

    def _make(kind="fat", cpas=None, distributor=None, by=None, **overrides):
        with app.app_context():
            cpas_org = db.session.get(Organisation, (cpas or world.cpas_a).id)
            dist_org = db.session.get(Organisation, (distributor or world.dist_x).id)
            user = db.session.get(User, (by or world.user_a).id)
            data = {**(FAT if kind == "fat" else FSE), **overrides}
            row = services.create_request(
                kind, cpas_org, dist_org, data, user, pdf() if kind == "fat" else None
            )
            return row.id

    return _make
