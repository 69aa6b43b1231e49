"""REDI computations (seed 004), pure functions on exact decimals.

Per line: montant mensuel subventionné = min(octroyé, |solde|) — nothing when the balance
is not negative or the decision falls outside the campaign period — and, across the lines
of one simulation (same NISS and budget number), never more than |solde| for the same
month; montant total octroyé = mensuel octroyé × mois; total subventionnable = mensuel
subventionné × mois; à payer après la période = total octroyé − total payé.
A line counts only when « complet ».

Two entry points give the same figures: ``compute()`` explains every line (problems and
warnings, for the table and the export) and ``summarise_lines()`` gives only the
« Rapport Unique » totals, without building any text (the summary of a whole campaign).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..templating import format_money

ZERO = Decimal("0")
CENT = Decimal("0.01")

#: The sheet's choices: stored as codes, shown (and exported) in the user's language. The
#: French labels are the French REDI tool's; their Dutch is the Dutch tool's (the importer
#: also knows both by heart: ``importer.DUTCH_CHOICES``).
ACTIVATION_CHOICES = {
    "non_equite": _l("Non – pour des raisons d'équité"),
    "non_deja_parcours": _l("Non – déjà en parcours d'activation"),
    "non_emploi": _l("Non – déjà à l'emploi"),
    "oui_piis": _l("Oui – PIIS"),
    "oui_autre": _l("Oui – autre"),
}
PAYMENT_CHOICES = {"mensuelle": _l("Mensuelle"), "unique": _l("Unique")}

#: The encoded fields a « complet » line needs, in the order the message lists them.
REQUIRED = (
    ("activation", _l("parcours d'activation")),
    ("decision_date", _l("date de décision")),
    ("monthly_granted", _l("montant mensuel octroyé")),
    ("period_start", _l("période d'octroi début")),
    ("period_end", _l("période d'octroi fin")),
    ("months", _l("nombre de mois")),
    ("payment", _l("paiement")),
    ("total_paid", _l("montant total payé")),
)


def cents(value: Decimal) -> Decimal:
    """Round to the cent, for display and export only."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def months_spanned(start: date, end: date) -> int:
    """Each started month counts: 01/06/2023–15/08/2023 → 3."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def month_keys(start: date, end: date) -> list[tuple[int, int]]:
    """Return the (year, month) of every month the period touches."""
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


def is_complete(line: LineLike) -> bool:
    """Tell whether a line is « complet » (what ``check_line`` says, without its texts)."""
    activation, payment = line.activation, line.payment
    granted, months, paid = line.monthly_granted, line.months, line.total_paid
    start, end = line.period_start, line.period_end
    if (
        not activation  # None or ""
        or not payment
        or line.decision_date is None
        or granted is None
        or start is None
        or end is None
        or months is None
        or paid is None
    ):
        return False
    # (end.year - start.year) * 12 + end.month - start.month + 1 is months_spanned, inlined:
    # this runs once per line of every campaign summary.
    return (
        start <= end
        and 1 <= months <= (end.year - start.year) * 12 + end.month - start.month + 1
        and paid <= granted * months
    )


def check_line(line: LineLike) -> list[str]:
    """What is missing or incoherent on a line (empty list: « complet »)."""
    if is_complete(line):
        return []
    problems = []
    missing = [label for name, label in REQUIRED if getattr(line, name) in (None, "")]
    if missing:
        problems.append(_("À compléter : %(fields)s.", fields=", ".join(map(str, missing))))
    if line.period_start and line.period_end:
        if line.period_end < line.period_start:
            problems.append(_("La fin de la période d'octroi précède son début."))
        elif line.months is not None:
            span = months_spanned(line.period_start, line.period_end)
            if line.months < 1:
                problems.append(_("Le nombre de mois doit être d'au moins 1."))
            elif line.months > span:
                problems.append(
                    _("Le nombre de mois ne peut dépasser la période (%(span)s).", span=span)
                )
    if (
        line.monthly_granted is not None
        and line.months is not None
        and line.total_paid is not None
        and line.total_paid > line.monthly_granted * line.months
    ):
        problems.append(_("Le montant payé dépasse le montant total octroyé."))
    return problems


class _Balances:
    """What the lines of each simulation already took of |solde|, month by month.

    Only simulations with several eligible lines need this bookkeeping; a month is the
    integer ``year * 12 + month`` so a period is a ``range``.
    """

    def __init__(self, eligible: Counter) -> None:
        self.shared = {key for key, count in eligible.items() if count > 1}
        self.used: dict[tuple[str, str], dict[int, Decimal]] = {}

    def monthly(self, line: LineLike, granted: Decimal, cap: Decimal) -> Decimal:
        """Take this line's monthly subsidy from its simulation's balance and return it."""
        key = (line.niss, line.budget_number)
        if key not in self.shared:
            return min(granted, cap)
        start, end = line.period_start, line.period_end
        if start is None or end is None:  # never for an eligible line (it is complete)
            return min(granted, cap)
        span = range(start.year * 12 + start.month, end.year * 12 + end.month + 1)
        used = self.used.setdefault(key, {})
        room = min(cap - used.get(m, ZERO) for m in span)
        monthly = min(granted, max(room, ZERO))
        for m in span:
            used[m] = used.get(m, ZERO) + monthly
        return monthly


def _eligible(line: LineLike, complete: bool, period_start: date, period_end: date) -> bool:
    """A complete line with a negative balance and a decision within the period."""
    return (
        complete
        and line.balance is not None
        and line.balance < 0
        and line.decision_date is not None
        and period_start <= line.decision_date <= period_end
    )


def compute(lines: Sequence[LineLike], period_start: date, period_end: date) -> list[LineResult]:
    """Compute every line, in order; lines of one simulation share |solde| per month."""
    # The texts are looked up once per call, not once per line.
    positive = _("Solde positif ou nul : rien n'est subventionnable.")
    outside = _("Décision hors de la période de subvention : rien n'est subventionnable.")
    over_shared = _(
        "Les lignes de cette simulation dépassent le solde pour les mêmes mois : seuls "
        "%(amount)s par mois sont subventionnables."
    )
    capped = _("Montant octroyé supérieur au solde : plafonné à %(amount)s par mois.")
    problems_of = [check_line(line) for line in lines]
    balances = _Balances(
        Counter(
            (line.niss, line.budget_number)
            for line, problems in zip(lines, problems_of, strict=True)
            if _eligible(line, not problems, period_start, period_end)
        )
    )
    results = []
    for line, problems in zip(lines, problems_of, strict=True):
        complete = not problems
        granted = line.monthly_granted or ZERO
        months = line.months or 0
        total_granted = granted * months
        result = LineResult(
            complete=complete,
            total_granted=total_granted,
            to_pay_after=total_granted - (line.total_paid or ZERO),
            problems=problems,
        )
        balance = line.balance if line.balance is not None else ZERO
        if balance >= 0:
            result.warnings.append(positive)
        elif line.decision_date and not period_start <= line.decision_date <= period_end:
            result.warnings.append(outside)
        elif complete:
            cap = -balance
            monthly = balances.monthly(line, granted, cap)
            if monthly < min(granted, cap):
                result.warnings.append(over_shared % {"amount": format_money(monthly)})
            elif granted > cap:
                result.warnings.append(capped % {"amount": format_money(cap)})
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


def _summary(
    subsidy: Decimal,
    granted: Decimal,
    subsidisable: Decimal,
    paid: Decimal,
    remaining: Decimal,
    complete: int,
    incomplete: int,
) -> Summary:
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
    return _summary(subsidy, granted, subsidisable, paid, remaining, complete, incomplete)


def summarise_lines(
    subsidy: Decimal, lines: Sequence[LineLike], period_start: date, period_end: date
) -> Summary:
    """Return ``summarise(subsidy, lines, compute(lines, …))`` without explaining each line."""
    complete_lines = [line for line in lines if is_complete(line)]
    eligible = [line for line in complete_lines if _eligible(line, True, period_start, period_end)]
    balances = _Balances(Counter((line.niss, line.budget_number) for line in eligible))
    # Exact sums of Decimal × int; « or ZERO » as in compute(), so that even a 0,00 € line
    # gives the very same Decimal (value and exponent).
    # a complete line has its months and an eligible one its balance: « or » only for mypy
    granted = sum(
        ((line.monthly_granted or ZERO) * (line.months or 0) for line in complete_lines), ZERO
    )
    paid = sum((line.total_paid or ZERO for line in complete_lines), ZERO)
    subsidisable = sum(
        (
            balances.monthly(line, line.monthly_granted or ZERO, -(line.balance or ZERO))
            * (line.months or 0)
            for line in eligible
        ),
        ZERO,
    )
    complete = len(complete_lines)
    return _summary(
        subsidy, granted, subsidisable, paid, granted - paid, complete, len(lines) - complete
    )
