"""REDI computations (seed 004), pure functions on exact decimals.

Per line: montant mensuel subventionné = min(octroyé, |solde|) — nothing when the balance
is not negative or the decision falls outside the campaign period — and, across the lines
of one simulation (same NISS and budget number), never more than |solde| for the same
month; montant total octroyé = mensuel octroyé × mois; total subventionnable = mensuel
subventionné × mois; à payer après la période = total octroyé − total payé.
A line counts only when « complet ».
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

ZERO = Decimal("0")
CENT = Decimal("0.01")

ACTIVATION_CHOICES = {
    "non_equite": "Non – pour des raisons d'équité",
    "non_deja_parcours": "Non – déjà en parcours d'activation",
    "non_emploi": "Non – déjà à l'emploi",
    "oui_piis": "Oui – PIIS",
    "oui_autre": "Oui – autre",
}
PAYMENT_CHOICES = {"mensuelle": "Mensuelle", "unique": "Unique"}


def cents(value: Decimal) -> Decimal:
    """Round to the cent, for display and export only."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def months_spanned(start: date, end: date) -> int:
    """Each started month counts: 01/06/2023–15/08/2023 → 3."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def month_keys(start: date, end: date) -> list[tuple[int, int]]:
    keys = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        keys.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


class LineLike(Protocol):
    niss: str
    budget_number: str
    balance: Decimal | None
    activation: str | None
    decision_date: date | None
    monthly_granted: Decimal | None
    period_start: date | None
    period_end: date | None
    months: int | None
    payment: str | None
    total_paid: Decimal | None


@dataclass
class LineResult:
    complete: bool
    monthly_subsidised: Decimal = ZERO
    total_granted: Decimal = ZERO
    total_subsidisable: Decimal = ZERO
    to_pay_after: Decimal = ZERO
    problems: list[str] = field(default_factory=list)  # why « incomplet »
    warnings: list[str] = field(default_factory=list)  # rules that reduce the subsidy


def check_line(line: LineLike) -> list[str]:
    """What is missing or incoherent on a line (empty list: « complet »)."""
    problems = []
    required = {
        "activation": "parcours d'activation",
        "decision_date": "date de décision",
        "monthly_granted": "montant mensuel octroyé",
        "period_start": "période d'octroi début",
        "period_end": "période d'octroi fin",
        "months": "nombre de mois",
        "payment": "paiement",
        "total_paid": "montant total payé",
    }
    missing = [label for name, label in required.items() if getattr(line, name) in (None, "")]
    if missing:
        problems.append("À compléter : " + ", ".join(missing) + ".")
    if line.period_start and line.period_end:
        if line.period_end < line.period_start:
            problems.append("La fin de la période d'octroi précède son début.")
        elif line.months is not None:
            span = months_spanned(line.period_start, line.period_end)
            if line.months < 1:
                problems.append("Le nombre de mois doit être d'au moins 1.")
            elif line.months > span:
                problems.append(f"Le nombre de mois ne peut dépasser la période ({span}).")
    if (
        line.monthly_granted is not None
        and line.months is not None
        and line.total_paid is not None
        and line.total_paid > line.monthly_granted * line.months
    ):
        problems.append("Le montant payé dépasse le montant total octroyé.")
    return problems


def compute(lines: Sequence[LineLike], period_start: date, period_end: date) -> list[LineResult]:
    """Compute every line, in order; lines of one simulation share |solde| per month."""
    used: dict[tuple[str, str], dict[tuple[int, int], Decimal]] = defaultdict(
        lambda: defaultdict(lambda: ZERO)
    )
    # Only simulations with several lines need the per-month bookkeeping.
    per_simulation: dict[tuple[str, str], int] = defaultdict(int)
    for line in lines:
        per_simulation[(line.niss, line.budget_number)] += 1
    results = []
    for line in lines:
        problems = check_line(line)
        result = LineResult(complete=not problems, problems=problems)
        granted = line.monthly_granted or ZERO
        months = line.months or 0
        result.total_granted = granted * months
        result.to_pay_after = result.total_granted - (line.total_paid or ZERO)
        balance = line.balance if line.balance is not None else ZERO
        if balance >= 0:
            result.warnings.append("Solde positif ou nul : rien n'est subventionnable.")
        elif line.decision_date and not period_start <= line.decision_date <= period_end:
            result.warnings.append(
                "Décision hors de la période de subvention : rien n'est subventionnable."
            )
        elif result.complete and line.period_start and line.period_end:
            cap = -balance
            key = (line.niss, line.budget_number)
            shared = per_simulation[key] > 1
            if shared:
                shares = used[key]
                span = month_keys(line.period_start, line.period_end)
                room = min((cap - shares[m] for m in span), default=cap)
            else:
                room = cap
            monthly = min(granted, max(room, ZERO))
            if monthly < min(granted, cap):
                result.warnings.append(
                    "Les lignes de cette simulation dépassent le solde pour les mêmes mois : "
                    f"seuls {cents(monthly)} € par mois sont subventionnables."
                )
            elif granted > cap:
                result.warnings.append(
                    f"Montant octroyé supérieur au solde : plafonné à {cents(cap)} € par mois."
                )
            if shared:
                for m in span:
                    shares[m] += monthly
            result.monthly_subsidised = monthly
            result.total_subsidisable = monthly * months
        results.append(result)
    return results


@dataclass
class Summary:
    subsidy: Decimal
    total_granted: Decimal
    total_subsidisable: Decimal
    total_paid: Decimal
    remaining_after: Decimal
    subsidised: Decimal
    to_repay: Decimal
    complete_lines: int
    incomplete_lines: int


def summarise(
    subsidy: Decimal, lines: Iterable[LineLike], results: Iterable[LineResult]
) -> Summary:
    """« Rapport Unique »: totals over the complete lines, subsidised and to repay."""
    granted = subsidisable = paid = remaining = ZERO
    complete = incomplete = 0
    for line, result in zip(lines, results, strict=True):
        if not result.complete:
            incomplete += 1
            continue
        complete += 1
        granted += result.total_granted
        subsidisable += result.total_subsidisable
        paid += line.total_paid or ZERO
        remaining += result.to_pay_after
    subsidised = min(subsidisable, subsidy)
    return Summary(
        subsidy=subsidy,
        total_granted=granted,
        total_subsidisable=subsidisable,
        total_paid=paid,
        remaining_after=remaining,
        subsidised=subsidised,
        to_repay=max(subsidy - subsidised, ZERO),
        complete_lines=complete,
        incomplete_lines=incomplete,
    )
