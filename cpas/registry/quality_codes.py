"""BCSS quality codes (seed 001 §8.3): label, default and maximum duration of an integration.

The integration screens, the services and the local BCSS adapter all read this one table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class QualityCode:
    code: str
    label: str | LazyString
    #: Maximum as the seed words it.
    duration_label: str | LazyString
    #: Maximum length in months (None: no maximum) — ignored for calendar-year codes.
    max_months: int | None = None
    #: The integration always covers 01/01–31/12 of one year (code 040).
    calendar_year: bool = False
    #: Default length in months when no end date is given (None: the maximum).
    default_months: int | None = None

    def max_end(self, start: date) -> date | None:
        """The last day an integration starting on ``start`` may cover (None: no limit)."""
        if self.calendar_year:
            return date(start.year, 12, 31)
        if self.max_months is None:
            return None
        return add_months(start, self.max_months) - timedelta(days=1)

    def default_end(self, start: date) -> date | None:
        """The end used when none is given: the code's default, else its maximum."""
        if self.default_months is not None and not self.calendar_year:
            return add_months(start, self.default_months) - timedelta(days=1)
        return self.max_end(start)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the end of a shorter month."""
    import calendar

    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


QUALITY_CODES: dict[str, QualityCode] = {
    q.code: q
    for q in (
        QualityCode("001", _l("En enquête"), _l("Maximum 2 mois"), 2),
        QualityCode("002", _l("RIS"), _l("Maximum 1 an"), 12),
        QualityCode("003", _l("Équivalent RIS"), _l("Maximum 1 an"), 12),
        QualityCode("004", _l("Autre aide financière"), _l("Maximum 1 an"), 12),
        QualityCode("005", _l("Membre du ménage sans aide"), _l("Maximum 1 an"), 12),
        QualityCode("006", _l("Emploi subsidié"), _l("Maximum 1 an"), 12),
        QualityCode(
            "007", _l("Médiation collective/Accompagnement budget"), _l("Maximum 5 ans"), 60
        ),
        QualityCode("008", _l("Services (famille, seniors, etc.)"), _l("Maximum 5 ans"), 60),
        QualityCode("009", _l("Autres formes d'accompagnement"), _l("Maximum 5 ans"), 60),
        QualityCode("011", _l("Encadrant"), _l("Période indéfinie"), None),
        QualityCode("012", _l("Participant"), _l("Maximum 1 an"), 12),
        QualityCode("020", _l("Collaborateur en enquête (Vesta)"), _l("Maximum 2 mois"), 2),
        QualityCode(
            "021",
            _l("Collaborateur (Vesta)"),
            _l("Date de début de la mise au travail jusqu'au jour de la pension"),
            None,
        ),
        QualityCode("030", _l("Débiteur d'aliments"), _l("Maximum 1 an"), 12),
        QualityCode(
            "031", _l("Dette en dehors de toute dette sociale en cours"), _l("Maximum 1 mois"), 1
        ),
        QualityCode(
            "040",
            _l("Bénéficiaire de l'allocation de chauffage"),
            _l("1 an : du 01/01 au 31/12 d'une année"),
            calendar_year=True,
        ),
    )
}
#: Code of the automatic integration when an aid request is created.
INQUIRY = "001"
#: That integration ends on the 30th day after the request date (15/01 → 14/02).
INQUIRY_DAYS_ON_REQUEST = 30
