"""REDI formulas with the seed's examples and edge cases."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from cpas.redi.calc import (
    ACTIVATION_CHOICES,
    cents,
    compute,
    months_spanned,
    summarise,
    summarise_lines,
)

START, END = date(2023, 5, 1), date(2024, 2, 29)


@dataclass
class L:
    niss: str = "85073003328"
    budget_number: str = "64"
    balance: D | None = D("-500")
    activation: str | None = "oui_piis"
    decision_date: date | None = date(2023, 6, 1)
    monthly_granted: D | None = D("100")
    period_start: date | None = date(2023, 6, 1)
    period_end: date | None = date(2023, 8, 15)
    months: int | None = 3
    payment: str | None = "mensuelle"
    total_paid: D | None = D("100")


@pytest.mark.parametrize(
    "start,end,expected",
    [
        (date(2023, 6, 1), date(2023, 8, 15), 3),  # the seed's example
        (date(2023, 11, 15), date(2024, 2, 1), 4),  # across the year
        (date(2024, 2, 29), date(2024, 2, 29), 1),  # a single (leap) day
        (date(2023, 5, 31), date(2023, 6, 1), 2),  # two started months
        (date(2023, 5, 1), date(2024, 2, 29), 10),  # the whole period
    ],
)
def test_months_spanned(start, end, expected):
    assert months_spanned(start, end) == expected


def test_line_formulas():
    [r] = compute([L(monthly_granted=D("600"), months=3, total_paid=D("600"))], START, END)
    assert r.complete
    assert r.monthly_subsidised == D("500")  # min(600, |−500|)
    assert r.total_granted == D("1800") and r.total_subsidisable == D("1500")
    assert r.to_pay_after == D("1200")
    assert "plafonné" in r.warnings[0]


def test_gaps_lower_the_months_never_raise_them():
    march_june = L(
        period_start=date(2023, 3, 1),
        period_end=date(2023, 6, 30),
        months=2,
        decision_date=date(2023, 5, 2),
    )
    assert compute([march_june], START, END)[0].complete
    too_many = L(months=4)  # span June–August is 3
    result = compute([too_many], START, END)[0]
    assert not result.complete and "ne peut dépasser la période (3)" in result.problems[0]


def test_seed_example_two_lines_share_the_balance():
    """1.000 € over June–July (500/month) with −500 €, then 50 €/month: not subsidisable."""
    hospital = L(
        monthly_granted=D("500"),
        period_start=date(2023, 6, 1),
        period_end=date(2023, 7, 31),
        months=2,
        payment="unique",
        total_paid=D("1000"),
    )
    extra = L(
        monthly_granted=D("50"),
        period_start=date(2023, 6, 1),
        period_end=date(2023, 7, 31),
        months=2,
        total_paid=D("0"),
    )
    first, second = compute([hospital, extra], START, END)
    assert first.total_subsidisable == D("1000")
    assert second.monthly_subsidised == D("0") and second.total_subsidisable == D("0")
    assert "dépassent le solde pour les mêmes mois" in second.warnings[0]
    # another simulation of the same person is not affected
    other = L(
        budget_number="66",
        monthly_granted=D("50"),
        months=2,
        period_end=date(2023, 7, 31),
        total_paid=D("0"),
    )
    assert compute([hospital, other], START, END)[1].total_subsidisable == D("100")


def test_positive_balance_and_decision_outside_period_subsidise_nothing():
    positive = compute([L(balance=D("20"))], START, END)[0]
    assert positive.total_subsidisable == 0 and "Solde positif" in positive.warnings[0]
    late = compute([L(decision_date=date(2024, 3, 1))], START, END)[0]
    assert late.total_subsidisable == 0 and "hors de la période" in late.warnings[0]


def test_incomplete_and_incoherent_lines():
    missing = compute([L(activation=None, payment="")], START, END)[0]
    assert (
        not missing.complete
        and "parcours d'activation" in missing.problems[0]
        and "paiement" in missing.problems[0]
    )
    overpaid = compute([L(total_paid=D("301"))], START, END)[0]
    assert not overpaid.complete and "dépasse le montant total octroyé" in overpaid.problems[0]
    reversed_period = compute([L(period_start=date(2023, 9, 1))], START, END)[0]
    assert not reversed_period.complete


def test_summary_worked_example_of_the_seed():
    """Subvention 6.349,82 €, total subventionnable 5.063,06 € → à rembourser 1.286,76 €."""
    line = L(
        monthly_granted=D("1687.69"),
        balance=D("-2000"),
        months=3,
        period_end=date(2023, 8, 31),
        total_paid=D("5063.07"),
    )
    results = compute([line], START, END)
    assert results[0].total_subsidisable == D("5063.07")
    lines = [
        L(
            monthly_granted=D("5063.06"),
            balance=D("-6000"),
            months=1,
            period_end=date(2023, 6, 30),
            total_paid=D("5063.06"),
        )
    ]
    summary = summarise(D("6349.82"), lines, compute(lines, START, END))
    assert summary.total_subsidisable == D("5063.06")
    assert summary.subsidised == D("5063.06") and summary.to_repay == D("1286.76")
    rich = summarise(D("100"), lines, compute(lines, START, END))
    assert rich.subsidised == D("100") and rich.to_repay == 0


def test_incomplete_lines_count_for_nothing_in_the_summary():
    lines = [L(), L(activation=None)]
    summary = summarise(D("1000"), lines, compute(lines, START, END))
    assert summary.complete_lines == 1 and summary.incomplete_lines == 1
    assert summary.total_granted == D("300")


def test_rounding_only_for_display():
    [r] = compute([L(monthly_granted=D("33.33"), months=3, total_paid=D("0"))], START, END)
    assert r.total_granted == D("99.99") and cents(D("1.005")) == D("1.01")


def test_warnings_show_money_the_belgian_way():
    [capped] = compute([L(balance=D("-1234.5"), monthly_granted=D("2000"))], START, END)
    assert "plafonné à 1.234,50 € par mois" in capped.warnings[0]
    hospital = L(monthly_granted=D("450"), months=2, period_end=date(2023, 7, 31))
    extra = L(monthly_granted=D("80"), months=2, period_end=date(2023, 7, 31), total_paid=D("0"))
    assert "seuls 50,00 € par mois" in compute([hospital, extra], START, END)[1].warnings[0]


# --------------------------------------------------------------------------- fast path
# A plain reading of the seed's rules, one line after the other and month by month, to
# compare the optimised code with (written from DOMAIN.md / seed 004, not from calc.py).


def _months_touched(start: date, end: date) -> list[tuple[int, int]]:
    touched, day = [], start.replace(day=1)
    while day <= end:
        touched.append((day.year, day.month))
        day = (day + timedelta(days=32)).replace(day=1)
    return touched


def _reference(lines, period_start, period_end):
    taken: dict[tuple, D] = {}  # (niss, budget number, month) → subsidy already counted
    out = []
    for x in lines:
        encoded = (x.activation, x.decision_date, x.monthly_granted, x.period_start,
                   x.period_end, x.months, x.payment, x.total_paid)  # fmt: skip
        complete = all(value is not None and value != "" for value in encoded)
        if complete:
            complete = (
                x.period_start <= x.period_end
                and 1 <= x.months <= len(_months_touched(x.period_start, x.period_end))
                and x.total_paid <= x.monthly_granted * x.months
            )
        total_granted = (x.monthly_granted or 0) * (x.months or 0)
        monthly = D(0)
        if (
            complete
            and x.balance is not None
            and x.balance < 0
            and period_start <= x.decision_date <= period_end
        ):
            months = _months_touched(x.period_start, x.period_end)
            left = min(-x.balance - taken.get((x.niss, x.budget_number, m), 0) for m in months)
            monthly = min(x.monthly_granted, max(left, D(0)))
            for m in months:
                taken[(x.niss, x.budget_number, m)] = (
                    taken.get((x.niss, x.budget_number, m), 0) + monthly
                )
        out.append(
            (
                complete,
                monthly,
                total_granted,
                monthly * (x.months or 0),
                total_granted - (x.total_paid or 0),
            )
        )
    return out


def _random_lines(rng: random.Random, count: int) -> list[L]:
    def money(low: int, high: int) -> D:
        return D(rng.randrange(low * 100, high * 100)) / 100

    def day() -> date:
        return date(2023, 3, 1) + timedelta(days=rng.randrange(0, 460))

    def maybe(value, empty=None):
        return empty if rng.random() < 0.08 else value

    lines = []
    for _ in range(count):
        start = day()
        end = start + timedelta(days=rng.randrange(-20, 200))
        granted = money(0, 900)
        months = rng.randrange(0, 9)
        lines.append(
            L(
                niss=rng.choice(["85073003328", "90021512370", "01010112301"]),
                budget_number=rng.choice(["64", "65"]),
                balance=maybe(money(-900, 60)),
                activation=maybe(rng.choice(list(ACTIVATION_CHOICES)), rng.choice([None, ""])),
                decision_date=maybe(day()),
                monthly_granted=maybe(granted),
                period_start=maybe(start),
                period_end=maybe(end),
                months=maybe(months),
                payment=maybe(rng.choice(["mensuelle", "unique"]), rng.choice([None, ""])),
                total_paid=maybe(
                    D(0) if rng.random() < 0.2 else money(0, 1 + int(granted * months * 11 // 10))
                ),
            )
        )
    return lines


@pytest.mark.parametrize("seed", range(6))
def test_fast_paths_equal_the_plain_reading_of_the_rules(seed):
    rng = random.Random(seed)
    lines = _random_lines(rng, 300)
    expected = _reference(lines, START, END)
    results = compute(lines, START, END)
    got = [
        (r.complete, r.monthly_subsidised, r.total_granted, r.total_subsidisable, r.to_pay_after)
        for r in results
    ]
    assert got == expected
    # the random lines reach every branch: shared balances cut, complete and incomplete
    assert any(e[0] for e in expected) and not all(e[0] for e in expected)
    assert any(
        e[0] and 0 < e[1] < min(x.monthly_granted, -x.balance)
        for x, e in zip(lines, expected, strict=True)
    )
    complete = [(x, e) for x, e in zip(lines, expected, strict=True) if e[0]]
    subsidy = D("6349.82")
    subsidisable = sum((e[3] for _, e in complete), D(0))
    summary = summarise_lines(subsidy, lines, START, END)
    assert summary == summarise(subsidy, lines, results)
    assert summary.complete_lines == len(complete)
    assert summary.incomplete_lines == len(lines) - len(complete)
    assert summary.total_granted == sum((e[2] for _, e in complete), D(0))
    assert summary.total_subsidisable == subsidisable
    assert summary.total_paid == sum((x.total_paid for x, _ in complete), D(0))
    assert summary.remaining_after == sum((e[4] for _, e in complete), D(0))
    assert summary.subsidised == min(subsidisable, subsidy)
    assert summary.to_repay == max(subsidy - min(subsidisable, subsidy), D(0))
