"""« Calculer les ressources à prendre en compte pour le DIS » (seed 001 §9.4, §11): which
resources of the de facto household count, the exemptions applied, the totals per year
and per month. Pure: exact decimals, no Flask, no database.

The amounts come from dated tables; the request's effective date picks the one in force
(seed 001 §6). Each row says where it was read and until when a source confirms it
(``checked_until``): a date outside every verified row gets no exemption — the resource
then counts fully and the line says « montant officiel non vérifié » — rather than an
amount nobody checked. Sources read (2026-12, stored copies):

* [BDAS-GEN] bdas-wwsb.brussels/?p=3321, « L'exonération générale ou forfaitaire », mise à
  jour 01/04/2025;
* [BDAS-ISP] bdas-wwsb.brussels/?p=3363, « L'exonération socioprofessionnelle », mise à
  jour 01/04/2025;
* [DQ-ISP-2024] droitsquotidiens.be, « le montant de l'exonération socioprofessionnelle
  augmente pour les métiers en pénurie » (depuis le 1er janvier 2024) and « Je trouve un
  petit job, vais-je garder mon RIS ? »;
* [DQ-ETU-2022] droitsquotidiens.be, « RIS : plus de distinction entre les étudiants
  boursiers et non boursiers » (depuis le 1er janvier 2022);
* [CPAS-RI-2025] cpassivryrance.be, « Montants au 01/02/2025 » of the revenu d'intégration;
* [TL-AF] terralaboris.be, C. trav. Bruxelles 8 juillet 2022, R.G. 2020/AB/601, on
  art. 22, § 1er, al. 1er, b) of the AR of 11 July 2002 (family allowances).

Not verified, hence not in the tables: the amounts of art. 35 between 02/01/2024 and
31/01/2025 (one indexation in between: 309,48 / 297,46 = 1,0404, two steps of 2 %, the
intermediate amount was not found), every amount after the last date a source confirms
it, the exemption of artistic income, and the « métiers en pénurie » amount (the inquiry
does not know the attestation).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONTHS = 12

# ------------------------------------------------------------------ rule codes

#: Why a resource counts or not (the screens translate each code).
COUNTED = "counted"  # D.I.S. ticked, no exemption for its type
NOT_TICKED = "not_ticked"  # « D.I.S. » not ticked: the social worker leaves it out
ENDED = "ended"  # ended before the request's effective date
FAMILY_ALLOWANCES = "family_allowances"  # art. 22, § 1er, al. 1er, b)
ART35 = "art35"  # art. 35, socio-professional exemption
STUDENT = "student"  # student job of an « étudiant avec PIIS »
UNVERIFIED = "unverified"  # an exemption exists but no verified amount for the date
ARTISTIC_UNVERIFIED = "artistic_unverified"

#: The household's general exemption (art. 22, § 2).
GENERAL = "general"
GENERAL_NO_CATEGORY = "general_no_category"  # the beneficiary's category is not encoded
GENERAL_NOT_BELOW = "general_not_below"  # resources not below the RI of the category
GENERAL_UNVERIFIED = "general_unverified"
GENERAL_NOTHING = "general_nothing"  # nothing counted: nothing to exempt


@dataclass(frozen=True)
class Rate:
    """An amount in force from ``valid_from``, confirmed by ``source`` up to ``checked_until``."""

    valid_from: date
    checked_until: date
    amount: Decimal
    source: str


def rate_on(table: Sequence[Rate], when: date) -> Rate | None:
    """The row in force on ``when`` if a source confirms it then, else None."""
    current = None
    for row in sorted(table, key=lambda r: r.valid_from):
        if row.valid_from <= when:
            current = row
    if current is None or when > current.checked_until:
        return None
    return current


# ------------------------------------------------------------------ the tables

#: AR du 11 juillet 2002 portant règlement général en matière de droit à l'intégration
#: sociale, art. 22, § 2: the general exemption, per year, by category; « montants qui ne
#: sont pas indexés » [BDAS-GEN]. Also stated in [DQ-ETU-2022] (from 01/01/2022) and
#: [DQ-ISP-2024]; confirmed until [BDAS-GEN]'s update of 01/04/2025.
GENERAL_EXEMPTION: dict[str, tuple[Rate, ...]] = {
    "cohabitant": (Rate(date(2022, 1, 1), date(2025, 4, 1), Decimal("155.00"), "BDAS-GEN"),),
    "isole": (Rate(date(2022, 1, 1), date(2025, 4, 1), Decimal("250.00"), "BDAS-GEN"),),
    "famille": (Rate(date(2022, 1, 1), date(2025, 4, 1), Decimal("310.00"), "BDAS-GEN"),),
}

#: The revenu d'intégration per month by category (loi du 26 mai 2002, art. 14), only to
#: test the condition of the general exemption: « appliquée si le montant total de vos
#: ressources est inférieur au RIS de votre catégorie » [BDAS-GEN], [DQ-ISP-2024].
#: Montants au 01/02/2025 [CPAS-RI-2025]; cohabitant and isolé also in [BDAS-GEN]
#: (10.513,60 €/an, 1.314,20 €/mois) up to its update of 01/04/2025.
MONTHLY_RI: dict[str, tuple[Rate, ...]] = {
    "cohabitant": (Rate(date(2025, 2, 1), date(2025, 4, 1), Decimal("876.13"), "CPAS-RI-2025"),),
    "isole": (Rate(date(2025, 2, 1), date(2025, 4, 1), Decimal("1314.20"), "CPAS-RI-2025"),),
    "famille": (Rate(date(2025, 2, 1), date(2025, 2, 1), Decimal("1776.07"), "CPAS-RI-2025"),),
}

#: AR du 11 juillet 2002, art. 35: the socio-professional exemption, per month, of the
#: income of work started while on the RI (3 years over 6; the period is the social
#: worker's to check in the LOA flow, seed 001 §9.4.2).
#: 297,46 € « montant indexé au 1er novembre 2023 », stated in force on 01/01/2024
#: [DQ-ISP-2024]; 309,48 € « montant au 1er février 2025 » [BDAS-ISP], [DQ-ISP-2024].
ART35_MONTHLY: tuple[Rate, ...] = (
    Rate(date(2023, 11, 1), date(2024, 1, 1), Decimal("297.46"), "DQ-ISP-2024"),
    Rate(date(2025, 2, 1), date(2025, 4, 1), Decimal("309.48"), "BDAS-ISP"),
)

#: The student-job exemption of an « étudiant avec PIIS » (AR du 11 juillet 2002, art. 35,
#: for students: under 25, full-time studies, a PIIS), per month, « intégrée d'office au
#: calcul » (seed 001 §9.3): 264,13 € « valable à partir du 1er janvier 2022 » for every
#: student [DQ-ETU-2022] (indexed each year: confirmed on that day only); 309,48 € at
#: 01/02/2025, the same amount as the general one [BDAS-ISP].
STUDENT_MONTHLY: tuple[Rate, ...] = (
    Rate(date(2022, 1, 1), date(2022, 1, 1), Decimal("264.13"), "DQ-ETU-2022"),
    Rate(date(2025, 2, 1), date(2025, 4, 1), Decimal("309.48"), "BDAS-ISP"),
)

#: Types never counted: family allowances received for the children in charge (AR du
#: 11 juillet 2002, art. 22, § 1er, al. 1er, b) [TL-AF]).
EXCLUDED_KINDS: dict[str, str] = {"allocations_familiales": FAMILY_ALLOWANCES}
#: Types whose own exemption exists but whose amount was not verified.
UNVERIFIED_KINDS: dict[str, str] = {"artistique": ARTISTIC_UNVERIFIED}
#: The student-job exemption applies to a student's wages.
STUDENT_KINDS = ("salaire",)


# ------------------------------------------------------------------ input and output


@dataclass(frozen=True)
class ResourceInput:
    """One resource as the computation needs it."""

    key: Any  # the resource's id
    member_key: Any  # the member's id
    relation: str
    kind: str
    annual_amount: Decimal
    counts_for_dis: bool
    student_piis: bool = False
    end_date: date | None = None


@dataclass(frozen=True)
class ResourceLine:
    """One resource computed: counted or not, the exemption applied, what counts."""

    key: Any
    member_key: Any
    relation: str
    kind: str
    annual_amount: Decimal
    counted: bool
    rule: str  # one of the codes above
    exemption: Decimal  # the annual amount exempted from this resource
    rate: Rate | None  # the amount in force used (monthly for art. 35 and students)
    counted_amount: Decimal  # annual


@dataclass(frozen=True)
class Computation:
    effective_date: date
    category: str | None
    lines: tuple[ResourceLine, ...]
    subtotal: Decimal  # annual, after each resource's exemption
    general_rule: str
    general_exemption: Decimal
    general_rate: Rate | None
    ri_rate: Rate | None
    total_year: Decimal
    total_month: Decimal
    _by_key: dict[Any, ResourceLine] = field(default_factory=dict, repr=False, compare=False)

    def line(self, key: Any) -> ResourceLine | None:
        return self._by_key.get(key)

    def member_total(self, member_key: Any) -> Decimal:
        """What counts of one member's resources, per year, before the general exemption."""
        return sum((ln.counted_amount for ln in self.lines if ln.member_key == member_key), ZERO)


def monthly(annual: Decimal) -> Decimal:
    """An annual amount per month, rounded to the cent (half up)."""
    return (annual / MONTHS).quantize(CENT, rounding=ROUND_HALF_UP)


def compute(
    resources: Iterable[ResourceInput], category: str | None, effective_date: date
) -> Computation:
    """The household's resources taken into account for the D.I.S. on ``effective_date``.

    Per resource: not ticked « D.I.S. » or ended before the date → not counted; family
    allowances → not counted; art. 35 income and a PIIS student's wages → less what is
    left of the member's yearly exemption (12 × the monthly amount, shared by the member's
    resources of that rule in order); everything else counts fully. Then the household's
    general exemption by the beneficiary's category, if the total is below the RI.
    """
    left: dict[tuple[Any, str], Decimal] = {}
    lines: list[ResourceLine] = []
    for res in resources:
        amount = Decimal(res.annual_amount).quantize(CENT)
        rule, exemption, rate = _exemption(res, effective_date, left)
        counted = rule not in (NOT_TICKED, ENDED, FAMILY_ALLOWANCES)
        counted_amount = amount - exemption if counted else ZERO
        lines.append(
            ResourceLine(
                key=res.key,
                member_key=res.member_key,
                relation=res.relation,
                kind=res.kind,
                annual_amount=amount,
                counted=counted,
                rule=rule,
                exemption=exemption if counted else ZERO,
                rate=rate,
                counted_amount=counted_amount,
            )
        )
    subtotal = sum((ln.counted_amount for ln in lines), ZERO)
    general_rule, general, general_rate, ri_rate = _general(subtotal, category, effective_date)
    total = subtotal - general
    return Computation(
        effective_date=effective_date,
        category=category,
        lines=tuple(lines),
        subtotal=subtotal,
        general_rule=general_rule,
        general_exemption=general,
        general_rate=general_rate,
        ri_rate=ri_rate,
        total_year=total,
        total_month=monthly(total),
        _by_key={ln.key: ln for ln in lines},
    )


def _exemption(
    res: ResourceInput, when: date, left: dict[tuple[Any, str], Decimal]
) -> tuple[str, Decimal, Rate | None]:
    amount = Decimal(res.annual_amount).quantize(CENT)
    if not res.counts_for_dis:
        return NOT_TICKED, ZERO, None
    if res.end_date is not None and res.end_date < when:
        return ENDED, ZERO, None
    if res.kind in EXCLUDED_KINDS:
        return EXCLUDED_KINDS[res.kind], ZERO, None
    if res.kind in UNVERIFIED_KINDS:
        return UNVERIFIED_KINDS[res.kind], ZERO, None
    if res.kind == "art35":
        rule, table = ART35, ART35_MONTHLY
    elif res.student_piis and res.kind in STUDENT_KINDS:
        rule, table = STUDENT, STUDENT_MONTHLY
    else:
        return COUNTED, ZERO, None
    rate = rate_on(table, when)
    if rate is None:
        return UNVERIFIED, ZERO, None
    pool = (res.member_key, rule)
    available = left.get(pool, rate.amount * MONTHS)
    used = min(available, amount)
    left[pool] = available - used
    return rule, used, rate


def _general(
    subtotal: Decimal, category: str | None, when: date
) -> tuple[str, Decimal, Rate | None, Rate | None]:
    if category not in GENERAL_EXEMPTION:
        return GENERAL_NO_CATEGORY, ZERO, None, None
    if subtotal <= ZERO:
        return GENERAL_NOTHING, ZERO, None, None
    rate = rate_on(GENERAL_EXEMPTION[category], when)
    ri = rate_on(MONTHLY_RI[category], when)
    if rate is None or ri is None:
        return GENERAL_UNVERIFIED, ZERO, rate, ri
    if subtotal / MONTHS >= ri.amount:
        return GENERAL_NOT_BELOW, ZERO, rate, ri
    return GENERAL, min(rate.amount, subtotal), rate, ri
