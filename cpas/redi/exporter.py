"""The completed REDI spreadsheet, in the import's layout (period, headers, grey columns).

Written by the one Excel writer (``documents.xlsx``): row 2 the period, row 4 the headers,
data from row 5, so that the exported file imports again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from flask import Response
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..documents.xlsx import AMOUNT_FORMAT, DATE_FORMAT, Column, send_xlsx
from .calc import ACTIVATION_CHOICES, PAYMENT_CHOICES, LineResult, cents
from .models import RediCampaign, RediLine

#: The sheet's headers, in the user's language: the French REDI tool's texts, and in Dutch
#: the Dutch tool's (the importer knows both: ``importer.HEADER_TEXTS``).
HEADERS = [
    _l("INS CPAS"), _l("N° NISS"), _l("N° budget mensuel"), _l("Date budget mensuel"),
    _l("Solde budget mensuel"), _l("Parcours d'activation"), _l("Date de décision"),
    _l("Montant mensuel octroyé"), _l("Montant mensuel subventionné"),
    _l("Période d'octroi début"), _l("Période d'octroi fin"), _l("Nombre de mois"),
    _l("Montant total octroyé par le CPAS"), _l("Montant total subventionnable par le SPPIS"),
    _l("Paiement"), _l("Montant total payé pendant la période de subvention"),
    _l("Montant à payer après la période de subvention"), _l("Contrôle"),
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
    period = _(
        "Période %(start)s au %(end)s",
        start=f"{campaign.period_start:%d/%m/%y}",
        end=f"{campaign.period_end:%d/%m/%y}",
    )
    return ((None,), (period,), (None,))


def rows(lines: Iterable[tuple[RediLine, LineResult]]) -> Iterator[Sequence[Any]]:
    """One row per line: imported cells, the CPAS's encoding (labels), computed cells."""
    complete, incomplete = _("Complet"), _("Incomplet")
    activations = {code: str(label) for code, label in ACTIVATION_CHOICES.items()}
    payments = {code: str(label) for code, label in PAYMENT_CHOICES.items()}
    for line, result in lines:
        yield [
            line.ins_code, line.niss, line.budget_number, line.budget_date, line.balance,
            activations.get(line.activation or ""), line.decision_date,
            line.monthly_granted, cents(result.monthly_subsidised), line.period_start,
            line.period_end, line.months, cents(result.total_granted),
            cents(result.total_subsidisable), payments.get(line.payment or ""),
            line.total_paid, cents(result.to_pay_after),
            complete if result.complete else incomplete,
        ]  # fmt: skip


def send(campaign: RediCampaign, lines: Sequence[tuple[RediLine, LineResult]]) -> Response:
    """Stream the completed sheet of ``campaign``."""
    return send_xlsx(
        f"redi-{campaign.id}.xlsx", COLUMNS, rows(lines), "REDI", preamble=preamble(campaign)
    )
