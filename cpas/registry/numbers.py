"""Building NISS and BIS numbers (validation lives in ``cpas/niss.py``, on python-stdnum).

A NISS is YYMMDD + a 3-digit serial (odd for men, even for women) + a 2-digit check:
97 − (the 9 first digits mod 97); for people born from 2000 on, the check is computed on
``2`` followed by the 9 digits. A BIS number is built the same way with the month raised
by 40 when the sex is known (20 when it is not); an unknown month is 00 (+offset), an
unknown day 00.
"""

from __future__ import annotations

from datetime import date

from .birthdates import PartialDate


def check_digits(first_nine: str, born_2000_or_later: bool) -> str:
    base = int(("2" if born_2000_or_later else "") + first_nine)
    return f"{97 - base % 97:02d}"


def compose(year: int, month_code: int, day: int, serial: int) -> str:
    """Assemble 11 digits from the birth parts (month already offset) and the serial."""
    if not 1 <= serial <= 998:
        raise ValueError("serial must be in 1..998")
    nine = f"{year % 100:02d}{month_code:02d}{day:02d}{serial:03d}"
    return nine + check_digits(nine, year >= 2000)


def niss_for(birth: date, serial: int) -> str:
    """The NISS of someone born on ``birth`` with this serial."""
    return compose(birth.year, birth.month, birth.day, serial)


def bis_for(birth: PartialDate, serial: int, *, sex_known: bool = True) -> str:
    """A BIS number: month + 40 (sex known) or + 20 (unknown)."""
    return compose(birth.year, birth.month + (40 if sex_known else 20), birth.day, serial)


def serials_for(sex: str | None) -> range:
    """Serials of a sex: odd for men, even for women; any when the sex is unknown."""
    if sex == "M":
        return range(1, 999, 2)
    if sex == "F":
        return range(2, 999, 2)
    return range(1, 999)
