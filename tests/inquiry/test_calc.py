"""The computation for the D.I.S. (``cpas.inquiry.calc``) against a literal table of
hand-computed cases. Each row: the effective date, the household's category, the
resources (member, kind, annual amount, D.I.S., PIIS student, end date), and what the
social worker computes by hand; the arithmetic is in the comment above the row.

Amounts read from the sources cited in ``calc``: general exemption 155 / 250 / 310 €/an;
art. 35 297,46 €/mois (from 01/11/2023, confirmed 01/01/2024), 309,48 €/mois (from
01/02/2025, confirmed 01/04/2025); student 264,13 €/mois (01/01/2022), 309,48 €/mois
(01/02/2025); RI per month at 01/02/2025: 876,13 / 1.314,20 / 1.776,07.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cpas.inquiry import calc

D = Decimal
MAR25 = date(2025, 3, 1)


def res(key, kind, amount, dis=True, member=1, student=False, end=None, relation="beneficiary"):
    return calc.ResourceInput(
        key=key,
        member_key=member,
        relation=relation,
        kind=kind,
        annual_amount=D(amount),
        counts_for_dis=dis,
        student_piis=student,
        end_date=end,
    )


# (case, date, category, resources, per line (rule, exemption, counted), general rule,
#  general exemption, total per year, total per month)
CASES = [
    # 12.000,00 unemployment; 12.000 / 12 = 1.000 < 1.314,20 → general 250;
    # 12.000 − 250 = 11.750,00; 11.750 / 12 = 979,1666… → 979,17
    ("isole_unemployment", MAR25, "isole", [res(1, "chomage", "12000")],
     [("counted", "0", "12000.00")], "general", "250.00", "11750.00", "979.17"),
    # bdas example: 3.600 from the parents, cohabitant: 3.600 − 155 = 3.445,00;
    # 3.445 / 12 = 287,0833… → 287,08
    ("cohabitant_bdas", MAR25, "cohabitant", [res(1, "divers", "3600")],
     [("counted", "0", "3600.00")], "general", "155.00", "3445.00", "287.08"),
    # art. 35: 12 × 309,48 = 3.713,76 exempt; 6.000 − 3.713,76 = 2.286,24;
    # 2.286,24 / 12 = 190,52 < 1.314,20 → − 250 = 2.036,24; / 12 = 169,686… → 169,69
    ("art35_2025", MAR25, "isole", [res(1, "art35", "6000")],
     [("art35", "3713.76", "2286.24")], "general", "250.00", "2036.24", "169.69"),
    # art. 35 below the yearly exemption: 2.000 all exempt → nothing counted, nothing
    # for the general exemption
    ("art35_all_exempt", MAR25, "isole", [res(1, "art35", "2000")],
     [("art35", "2000.00", "0.00")], "general_nothing", "0", "0.00", "0.00"),
    # two art. 35 incomes of one member share 3.713,76: 2.000 (all exempt), then
    # 3.000 − 1.713,76 = 1.286,24; − 250 = 1.036,24; / 12 = 86,353… → 86,35
    ("art35_shared_pool", MAR25, "isole", [res(1, "art35", "2000"), res(2, "art35", "3000")],
     [("art35", "2000.00", "0.00"), ("art35", "1713.76", "1286.24")],
     "general", "250.00", "1036.24", "86.35"),
    # each member has their own pool: 3.000 (all exempt) and 5.000 − 3.713,76 = 1.286,24;
    # − 250 = 1.036,24
    ("art35_two_members", MAR25, "isole",
     [res(1, "art35", "3000"), res(2, "art35", "5000", member=2, relation="partner")],
     [("art35", "3000.00", "0.00"), ("art35", "3713.76", "1286.24")],
     "general", "250.00", "1036.24", "86.35"),
    # PIIS student's wages 4.800: − 3.713,76 = 1.086,24; − 250 = 836,24;
    # 836,24 / 12 = 69,686… → 69,69
    ("student_2025", MAR25, "isole", [res(1, "salaire", "4800", student=True)],
     [("student", "3713.76", "1086.24")], "general", "250.00", "836.24", "69.69"),
    # the same wages without PIIS: 4.800 − 250 = 4.550; / 12 = 379,166… → 379,17
    ("wages_no_piis", MAR25, "isole", [res(1, "salaire", "4800")],
     [("counted", "0", "4800.00")], "general", "250.00", "4550.00", "379.17"),
    # family allowances never count; 6.000 unemployment − 250 = 5.750; / 12 = 479,166… → 479,17
    ("family_allowances", MAR25, "isole",
     [res(1, "allocations_familiales", "3000"), res(2, "chomage", "6000")],
     [("family_allowances", "0", "0.00"), ("counted", "0", "6000.00")],
     "general", "250.00", "5750.00", "479.17"),
    # « D.I.S. » not ticked: left out; nothing counted
    ("not_ticked", MAR25, "isole", [res(1, "chomage", "6000", dis=False)],
     [("not_ticked", "0", "0.00")], "general_nothing", "0", "0.00", "0.00"),
    # ended 31/01/2025, before the effective date 01/03/2025: left out
    ("ended", MAR25, "isole", [res(1, "chomage", "6000", end=date(2025, 1, 31))],
     [("ended", "0", "0.00")], "general_nothing", "0", "0.00", "0.00"),
    # ending on the effective date itself still counts: 6.000 − 250 = 5.750
    ("ends_on_date", MAR25, "isole", [res(1, "chomage", "6000", end=MAR25)],
     [("counted", "0", "6000.00")], "general", "250.00", "5750.00", "479.17"),
    # 16.000 / 12 = 1.333,33 ≥ 1.314,20 (isolé): no general exemption; 16.000 / 12 → 1.333,33
    ("not_below_ri", MAR25, "isole", [res(1, "chomage", "16000")],
     [("counted", "0", "16000.00")], "general_not_below", "0", "16000.00", "1333.33"),
    # 15.770,40 / 12 = 1.314,20: equal, not below → no general exemption
    ("equal_to_ri", MAR25, "isole", [res(1, "chomage", "15770.40")],
     [("counted", "0", "15770.40")], "general_not_below", "0", "15770.40", "1314.20"),
    # 100 of resources, isolé: the exemption is capped at what counts → 0
    ("general_capped", MAR25, "isole", [res(1, "divers", "100")],
     [("counted", "0", "100.00")], "general", "100.00", "0.00", "0.00"),
    # famille à charge on 01/02/2025: 12.000 / 12 = 1.000 < 1.776,07 → − 310 = 11.690;
    # / 12 = 974,166… → 974,17
    ("famille_feb25", date(2025, 2, 1), "famille", [res(1, "chomage", "12000")],
     [("counted", "0", "12000.00")], "general", "310.00", "11690.00", "974.17"),
    # famille à charge on 01/03/2025: its RI is confirmed on 01/02/2025 only → the general
    # exemption is not applied; 12.000 / 12 = 1.000
    ("famille_unverified_ri", MAR25, "famille", [res(1, "chomage", "12000")],
     [("counted", "0", "12000.00")], "general_unverified", "0", "12000.00", "1000.00"),
    # no category encoded for the beneficiary: no general exemption
    ("no_category", MAR25, None, [res(1, "chomage", "12000")],
     [("counted", "0", "12000.00")], "general_no_category", "0", "12000.00", "1000.00"),
    # artistic income: its exemption's amount is not verified → counts fully; − 250
    ("artistic", MAR25, "isole", [res(1, "artistique", "3000")],
     [("artistic_unverified", "0", "3000.00")], "general", "250.00", "2750.00", "229.17"),
    # art. 35 on 01/06/2024: between the two verified amounts → not applied, counts fully;
    # the RI is not verified then either; 6.000 / 12 = 500
    ("art35_gap_2024", date(2024, 6, 1), "isole", [res(1, "art35", "6000")],
     [("unverified", "0", "6000.00")], "general_unverified", "0", "6000.00", "500.00"),
    # art. 35 on 01/01/2024: 12 × 297,46 = 3.569,52; 6.000 − 3.569,52 = 2.430,48;
    # RI not verified on that date → no general exemption; / 12 = 202,54
    ("art35_jan24", date(2024, 1, 1), "isole", [res(1, "art35", "6000")],
     [("art35", "3569.52", "2430.48")], "general_unverified", "0", "2430.48", "202.54"),
    # student on 01/01/2022: 12 × 264,13 = 3.169,56; 4.000 − 3.169,56 = 830,44;
    # / 12 = 69,203… → 69,20
    ("student_2022", date(2022, 1, 1), "isole", [res(1, "salaire", "4000", student=True)],
     [("student", "3169.56", "830.44")], "general_unverified", "0", "830.44", "69.20"),
    # student on 01/02/2022: the 2022 amount is confirmed on 01/01/2022 only → counts fully
    ("student_2022_unverified", date(2022, 2, 1), "isole",
     [res(1, "salaire", "4000", student=True)],
     [("unverified", "0", "4000.00")], "general_unverified", "0", "4000.00", "333.33"),
    # after the last confirmed date (01/04/2025): nothing applied; 6.000 / 12 = 500
    ("after_checked", date(2026, 12, 2), "isole", [res(1, "art35", "6000")],
     [("unverified", "0", "6000.00")], "general_unverified", "0", "6000.00", "500.00"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("when", "category", "resources", "lines", "general_rule", "general", "year", "month"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_computation_table(when, category, resources, lines, general_rule, general, year, month):
    result = calc.compute(resources, category, when)
    got = [(ln.rule, ln.exemption, ln.counted_amount) for ln in result.lines]
    assert got == [(rule, D(ex), D(counted)) for rule, ex, counted in lines]
    assert result.general_rule == general_rule
    assert result.general_exemption == D(general)
    assert result.total_year == D(year)
    assert result.total_month == D(month)


def test_counted_flag_and_member_totals():
    result = calc.compute(
        [
            res(1, "chomage", "6000"),
            res(2, "divers", "1200", member=2, relation="partner"),
            res(3, "divers", "500", member=2, dis=False, relation="partner"),
        ],
        "isole",
        MAR25,
    )
    assert [ln.counted for ln in result.lines] == [True, True, False]
    assert result.member_total(1) == D("6000.00")
    assert result.member_total(2) == D("1200.00")
    assert result.line(3) is not None and result.line(3).counted_amount == D("0.00")
    assert result.line(99) is None


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (date(2023, 10, 31), None),  # before the first row
        (date(2023, 11, 1), D("297.46")),
        (date(2024, 1, 1), D("297.46")),  # last confirmed day
        (date(2024, 1, 2), None),  # not confirmed any more
        (date(2025, 1, 31), None),
        (date(2025, 2, 1), D("309.48")),
        (date(2025, 4, 1), D("309.48")),
        (date(2025, 4, 2), None),
    ],
)
def test_rate_on_art35(when, expected):
    rate = calc.rate_on(calc.ART35_MONTHLY, when)
    assert (rate.amount if rate else None) == expected


def test_every_rate_cites_a_source_and_is_ordered():
    tables = [calc.ART35_MONTHLY, calc.STUDENT_MONTHLY]
    tables += list(calc.GENERAL_EXEMPTION.values()) + list(calc.MONTHLY_RI.values())
    for table in tables:
        for row in table:
            assert row.source and row.valid_from <= row.checked_until
            assert row.amount == row.amount.quantize(D("0.01")) and row.amount > 0
