"""The local BCSS: integrations (quality code, period) kept in the ``bcss_integration`` table."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from ..extensions import db
from .interfaces import (
    IntegrationResult,
    Period,
    RegisterAdapter,
)
from .models import BcssIntegration
from .quality_codes import QUALITY_CODES


class LocalBcss:
    """The BCSS repertoire of integrations, kept in the ``bcss_integration`` table."""

    def __init__(self, register: RegisterAdapter) -> None:
        self.register = register

    def _overlapping(self, organisation_id: int, niss: str, start: date, end: date | None):
        conditions = [
            BcssIntegration.organisation_id == organisation_id,
            BcssIntegration.niss == niss,
            or_(BcssIntegration.end.is_(None), BcssIntegration.end >= start),
        ]
        if end is not None:
            conditions.append(BcssIntegration.start <= end)
        return db.session.scalars(
            select(BcssIntegration).where(and_(*conditions)).order_by(BcssIntegration.start)
        ).all()

    def integrate(
        self, organisation_id: int, niss: str, code: str, period: Period, by_id: int | None
    ) -> IntegrationResult:
        quality = QUALITY_CODES.get(code)
        if quality is None:
            return IntegrationResult(niss, False, _("Code qualité inconnu."))
        if self.register.by_niss(niss) is None:
            return IntegrationResult(
                niss, False, _("Personne inconnue du registre : non intégrée.")
            )
        limit = quality.max_end(period.start)
        if period.end is not None and period.end < period.start:
            return IntegrationResult(niss, False, _("La date de fin précède la date de début."))
        if limit is not None and (period.end is None or period.end > limit):
            return IntegrationResult(
                niss,
                False,
                _(
                    "Durée maximale du code %(code)s (%(duration)s) dépassée.",
                    code=code,
                    duration=str(quality.duration_label).lower(),
                ),
            )
        # Same code, overlapping or adjacent periods (on either side) are merged into one.
        start, end = period.start, period.end
        after = None if end is None else end + timedelta(days=1)
        for row in self._overlapping(organisation_id, niss, start - timedelta(days=1), after):
            if row.quality_code != code:
                continue
            start = min(start, row.start)
            end = None if row.end is None or end is None else max(end, row.end)
            db.session.delete(row)
        db.session.add(
            BcssIntegration(
                organisation_id=organisation_id,
                niss=niss,
                quality_code=code,
                start=start,
                end=end,
                created_by_id=by_id,
            )
        )
        db.session.flush()
        return IntegrationResult(
            niss, True, _("Intégration effectuée."), ((code, Period(period.start, period.end)),)
        )

    def deintegrate(
        self, organisation_id: int, niss: str, period: Period, by_id: int | None
    ) -> IntegrationResult:
        if period.end is not None and period.end < period.start:
            return IntegrationResult(niss, False, _("La date de fin précède la date de début."))
        rows = self._overlapping(organisation_id, niss, period.start, period.end)
        if not rows:
            return IntegrationResult(niss, False, _("Aucune intégration sur cette période."))
        for row in rows:
            # Keep what lies before and after the de-integrated period.
            if row.start < period.start:
                db.session.add(
                    BcssIntegration(
                        organisation_id=organisation_id,
                        niss=niss,
                        quality_code=row.quality_code,
                        start=row.start,
                        end=period.start - timedelta(days=1),
                        created_by_id=by_id,
                    )
                )
            if period.end is not None and (row.end is None or row.end > period.end):
                db.session.add(
                    BcssIntegration(
                        organisation_id=organisation_id,
                        niss=niss,
                        quality_code=row.quality_code,
                        start=period.end + timedelta(days=1),
                        end=row.end,
                        created_by_id=by_id,
                    )
                )
            db.session.delete(row)
        db.session.flush()
        return IntegrationResult(niss, True, _("Désintégration effectuée."))

    def consult(
        self, organisation_id: int, niss: str, start: date, end: date | None
    ) -> list[tuple[str, Period]]:
        return [
            (row.quality_code, Period(row.start, row.end))
            for row in self._overlapping(organisation_id, niss, start, end)
        ]
