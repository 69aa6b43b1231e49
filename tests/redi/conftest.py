"""REDI fixtures: a CPAS with its INS code, a campaign, workbooks in the REDI layout."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from openpyxl import Workbook

from cpas.access.models import OrganisationKind, User
from cpas.extensions import db
from cpas.redi import services

NISS_A = "85073003328"
NISS_B = "90021512370"  # fictitious, valid check digits (born < 2000)
NISS_C = "01010112301"  # born in 2001: check computed on 2 + the first 9 digits

HEADER = [
    "INS CPAS", "N° NISS", "N° budget mensuel", "Date budget mensuel", "Solde budget mensuel",
    "Parcours d'activation", "Date de décision", "Montant mensuel octroyé",
    "Montant mensuel subventionné", "Période d'octroi début", "Période d'octroi fin",
    "Nombre de mois", "Montant total octroyé par le CPAS",
    "Montant total subventionnable par le SPPIS", "Paiement",
    "Montant total payé pendant la période de subvention",
    "Montant à payer après la période de subvention", "Contrôle",
]  # fmt: skip


def workbook(rows, header=HEADER, title="Période 01/05/23 au 29/02/24") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.cell(row=2, column=1, value=title)
    for col, text in enumerate(header, start=1):
        ws.cell(row=4, column=col, value=text)
    for r, row in enumerate(rows, start=5):
        for col, value in enumerate(row, start=1):
            ws.cell(row=r, column=col, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row(niss=NISS_A, budget="64", when="1-5-2023", balance="-116,29", ins="99001", **encoded):
    values = [ins, niss, budget, when, balance] + [None] * 13
    index = {name: HEADER.index(label) for name, label in [
        ("activation", "Parcours d'activation"), ("decision_date", "Date de décision"),
        ("monthly_granted", "Montant mensuel octroyé"), ("period_start", "Période d'octroi début"),
        ("period_end", "Période d'octroi fin"), ("months", "Nombre de mois"), ("payment", "Paiement"),
        ("total_paid", "Montant total payé pendant la période de subvention"),
    ]}  # fmt: skip
    for name, value in encoded.items():
        values[index[name]] = value
    return values


@pytest.fixture
def redi(app, make_org, make_user):
    cpas = make_org(OrganisationKind.CPAS, name="CPAS REDI", ins_code="99001")
    other = make_org(OrganisationKind.CPAS, name="CPAS Autre", ins_code="99002")
    encoder = make_user(
        cpas, functions=["redi.view", "redi.import", "redi.encode", "redi.export", "redi.validate"]
    )
    with app.app_context():
        campaign = services.create_campaign(
            cpas.id,
            {
                "name": "REDI 2023-2024",
                "period_start": date(2023, 5, 1),
                "period_end": date(2024, 2, 29),
                "report_deadline": date(2024, 4, 30),
                "subsidy_amount": Decimal("6349.82"),
                "payment_reference": "REMI-REDI_23/0001",
            },
            db.session.get(User, encoder.id),
        )
        campaign_id = campaign.id
    return SimpleNamespace(
        cpas=cpas,
        other=other,
        encoder=encoder,
        campaign_id=campaign_id,
        president=make_user(
            cpas, functions=["redi.view", "redi.sign_president"], last_name="Président"
        ),
        director=make_user(
            cpas, functions=["redi.view", "redi.sign_director"], last_name="Directrice"
        ),
        stranger=make_user(
            other, functions=["redi.view", "redi.import", "redi.encode", "redi.export"]
        ),
    )
