"""Birth dates with unknown parts (``00``) and the search window of the phonetic search.

Rules (seed 001 §3.2), with a tolerance t from 0 to 10:
* full date JJ/MM/AAAA: t = 0 → that day; t > 0 → from t days before to t days after;
* day unknown 00/MM/AAAA: from the 1st day of month m−t to the last day of month m+t
  (00/10/2000, t=2 → 01/08/2000–31/12/2000; t=0 → the whole month);
* day and month unknown 00/00/AAAA: from 01/01 of y−t to 31/12 of y+t
  (00/00/2000, t=2 → 01/01/1998–31/12/2002; t=0 → the whole year).
A known day with an unknown month (15/00/2000) is refused.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _

MAX_TOLERANCE = 10
_PATTERN = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*$", re.ASCII)


class BirthDateError(ValueError):
    """The date cannot be understood; the message is for the user."""


@dataclass(frozen=True)
class PartialDate:
    """A birth date whose day, or day and month, may be unknown (0)."""

    year: int
    month: int  # 0: unknown
    day: int  # 0: unknown

    @property
    def precision(self) -> str:
        if self.month == 0:
            return "year"
        return "month" if self.day == 0 else "day"

    def first_day(self) -> date:
        """The earliest date it can be (stored as the birth date of partial BIS persons)."""
        return date(self.year, self.month or 1, self.day or 1)

    def __str__(self) -> str:
        return f"{self.day:02d}/{self.month:02d}/{self.year:04d}"


def parse_partial(text: str, *, today: date | None = None) -> PartialDate:
    """Read ``JJ/MM/AAAA`` where JJ, or JJ and MM, may be ``00``."""
    match = _PATTERN.match(text or "")
    if not match:
        raise BirthDateError(
            _("Date attendue au format JJ/MM/AAAA (00 pour un jour ou un mois inconnu).")
        )
    day, month, year = (int(g) for g in match.groups())
    today = today or date.today()
    if not 1850 <= year <= today.year:
        raise BirthDateError(
            _("L'année doit être comprise entre 1850 et %(year)s.", year=today.year)
        )
    if month > 12:
        raise BirthDateError(
            _("Le mois doit être compris entre 01 et 12 (ou 00 s'il est inconnu).")
        )
    if month == 0 and day != 0:
        raise BirthDateError(
            _("Si le mois est inconnu (00), le jour doit l'être aussi : 00/00/AAAA.")
        )
    if day and day > calendar.monthrange(year, month)[1]:
        raise BirthDateError(_("Ce jour n'existe pas dans ce mois."))
    partial = PartialDate(year, month, day)
    if partial.first_day() > today:
        raise BirthDateError(_("La date de naissance ne peut pas être dans le futur."))
    return partial


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def search_window(birth: PartialDate, tolerance: int) -> tuple[date, date]:
    """Return the first and last birth dates (inclusive) the search looks at."""
    if not 0 <= tolerance <= MAX_TOLERANCE:
        raise BirthDateError(
            _("La tolérance doit être comprise entre 00 et %(max)s.", max=f"{MAX_TOLERANCE:02d}")
        )
    if birth.precision == "year":
        return date(birth.year - tolerance, 1, 1), date(birth.year + tolerance, 12, 31)
    if birth.precision == "month":
        y1, m1 = _add_months(birth.year, birth.month, -tolerance)
        y2, m2 = _add_months(birth.year, birth.month, tolerance)
        return date(y1, m1, 1), date(y2, m2, calendar.monthrange(y2, m2)[1])
    exact = birth.first_day()
    return exact - timedelta(days=tolerance), exact + timedelta(days=tolerance)


def format_birth(value: date | None, precision: str = "day") -> str:
    """Show a birth date as JJ/MM/AAAA with 00 for the unknown parts."""
    if value is None:
        return ""
    if precision == "year":
        return f"00/00/{value.year:04d}"
    if precision == "month":
        return f"00/{value.month:02d}/{value.year:04d}"
    return value.strftime("%d/%m/%Y")
