"""The completed REDI spreadsheet, in the import's layout (title, headers, grey columns)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from ..documents.xlsx import safe_value
from .calc import ACTIVATION_CHOICES, PAYMENT_CHOICES, cents
from .models import RediCampaign

HEADERS = [
    "INS CPAS", "N° NISS", "N° budget mensuel", "Date budget mensuel", "Solde budget mensuel",
    "Parcours d'activation", "Date de décision", "Montant mensuel octroyé",
    "Montant mensuel subventionné", "Période d'octroi début", "Période d'octroi fin",
    "Nombre de mois", "Montant total octroyé par le CPAS",
    "Montant total subventionnable par le SPPIS", "Paiement",
    "Montant total payé pendant la période de subvention",
    "Montant à payer après la période de subvention", "Contrôle",
]  # fmt: skip
GREY = {0, 1, 2, 3, 4, 8, 12, 13, 16, 17}  # imported or computed: read-only
MONEY = {4, 7, 8, 12, 13, 15, 16}
DATES = {3, 6, 9, 10}


def build(campaign: RediCampaign, rows) -> bytes:
    """Return the xlsx bytes: row 2 the period, row 4 the headers, data from row 5."""
    wb = Workbook()
    ws = wb.active
    ws.title = "REDI"
    grey = PatternFill("solid", fgColor="D9D9D9")
    ws.cell(
        row=2,
        column=1,
        value=f"Période {campaign.period_start:%d/%m/%y} au {campaign.period_end:%d/%m/%y}",
    )
    for col, title in enumerate(HEADERS, start=1):
        cell = ws.cell(row=4, column=col, value=title)
        cell.font = Font(bold=True)
        if col - 1 in GREY:
            cell.fill = grey
    for r, (line, result) in enumerate(rows, start=5):
        values = [
            line.ins_code, line.niss, line.budget_number, line.budget_date, line.balance,
            ACTIVATION_CHOICES.get(line.activation or "", None), line.decision_date,
            line.monthly_granted, cents(result.monthly_subsidised), line.period_start,
            line.period_end, line.months, cents(result.total_granted),
            cents(result.total_subsidisable), PAYMENT_CHOICES.get(line.payment or "", None),
            line.total_paid, cents(result.to_pay_after),
            "Complet" if result.complete else "Incomplet",
        ]  # fmt: skip
        for col, value in enumerate(values):
            cell = ws.cell(row=r, column=col + 1, value=safe_value(value))
            if col in MONEY and value is not None:
                cell.number_format = "#,##0.00"
            elif col in DATES and value is not None:
                cell.number_format = "DD/MM/YYYY"
            if col in GREY:
                cell.fill = grey
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
