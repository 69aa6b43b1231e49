"""The form of a resource (« Nouvelle ressource » → the fields of its type, « Modifier »).

The form parses and says what is wrong next to each field; the rules (types per
relation, « Etudiant avec PIIS », « Pas de ressources ») are the service's
(``cpas.inquiry.resources``), so a tampered POST meets them too.

Money: ``MoneyField`` reads Belgian input (``1.234,56``, ``1234,56``, ``7.500``); a dot
followed by one or two digits is a decimal point, so ``1234.56`` is read as 1.234,56 €
(what a number pad or a copy from a spreadsheet gives), while ``1.234`` is a thousand
two hundred and thirty-four.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..concurrency import VersionField
from ..formfields import BaseForm, BelgianDateField, MoneyField
from .models import RESOURCE_DETAIL_LABELS
from .resources import END_BEFORE_START, MAX_ANNUAL, NOT_POSITIVE


class ResourceForm(BaseForm):
    """A resource of the type chosen in « Nouvelle ressource » (``kind``, hidden)."""

    kind = HiddenField()
    detail = StringField(_l("Précisez"), validators=[Optional(), Length(max=150)])
    annual_amount = MoneyField(
        _l("Montant annuel réel"),
        maximum=MAX_ANNUAL,
        validators=[InputRequired(_l("Indiquez le montant annuel réel (ex. 1.234,56)."))],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    start_date = BelgianDateField(_l("Date de début"), validators=[Optional()])
    end_date = BelgianDateField(_l("Date de fin"), validators=[Optional()])
    counts_for_dis = BooleanField(_l("D.I.S."))

    def for_kind(self, kind: str) -> ResourceForm:
        """Label the detail field as its type asks (« Employeur », « Mutualité »…)."""
        self.kind.data = kind
        label = RESOURCE_DETAIL_LABELS.get(kind)
        if label is not None:
            self.detail.label.text = label
        return self

    def validate_end_date(self, field: Any) -> None:
        start = self.start_date.data
        if field.data and start and field.data < start:
            raise ValidationError(str(END_BEFORE_START))

    def validate_annual_amount(self, field: Any) -> None:
        if field.data is not None and field.data <= 0:
            raise ValidationError(str(NOT_POSITIVE))


class ResourceEditForm(ResourceForm):
    """« Modifier »: the resource's version goes with it (its type does not change)."""

    version = VersionField()
