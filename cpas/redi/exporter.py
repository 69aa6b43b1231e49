"""The completed REDI spreadsheet, in the import's layout (period, headers, grey columns).

Written by the one Excel writer (``documents.xlsx``): row 2 the period, row 4 the headers,
data from row 5, so that the exported file imports again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from flask import Response

from ..documents.xlsx import AMOUNT_FORMAT, DATE_FORMAT, Column, send_xlsx
from .calc import ACTIVATION_CHOICES, PAYMENT_CHOICES, LineResult, cents
from .models import RediCampaign, RediLine

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

#: The REDI sheet's columns: its own header texts (the importer finds them by these).
COLUMNS = tuple(
    Column(
        header,
        number_format=AMOUNT_FORMAT if i in MONEY else DATE_FORMAT if i in DATES else None,
        grey=i in GREY,
    )
    for i, header in enumerate(HEADERS)
)


def preamble(campaign: RediCampaign) -> tuple[tuple[Any, ...], ...]:
    """Rows 1 to 3: blank, the period (« Période 01/05/23 au 29/02/24 »), blank."""
    period = f"Période {campaign.period_start:%d/%m/%y} au {campaign.period_end:%d/%m/%y}"
    return ((None,), (period,), (None,))


def rows(lines: Iterable[tuple[RediLine, LineResult]]) -> Iterator[Sequence[Any]]:
    """One row per line: imported cells, the CPAS's encoding (labels), computed cells."""
    for line, result in lines:
        yield [
            line.ins_code, line.niss, line.budget_number, line.budget_date, line.balance,
            ACTIVATION_CHOICES.get(line.activation or "", None), line.decision_date,
            line.monthly_granted, cents(result.monthly_subsidised), line.period_start,
            line.period_end, line.months, cents(result.total_granted),
            cents(result.total_subsidisable), PAYMENT_CHOICES.get(line.payment or "", None),
            line.total_paid, cents(result.to_pay_after),
            "Complet" if result.complete else "Incomplet",
        ]  # fmt: skip


def send(campaign: RediCampaign, lines: Sequence[tuple[RediLine, LineResult]]) -> Response:
    """Stream the completed sheet of ``campaign``."""
    return send_xlsx(
        f"redi-{campaign.id}.xlsx", COLUMNS, rows(lines), "REDI", preamble=preamble(campaign)
    )
