"""Forms of the REDI module."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..concurrency import VersionField
from ..formfields import BaseForm, MoneyField
from .calc import ACTIVATION_CHOICES, PAYMENT_CHOICES, months_spanned


class CampaignForm(BaseForm):
    name = StringField(
        _l("Nom"),
        default=lambda: _("Subvention REDI 2023-2024"),  # a proposal, saved as typed
        validators=[DataRequired(_l("Indiquez un nom.")), Length(max=120)],
    )
    period_start = DateField(
        _l("Début de la période"), validators=[InputRequired(_l("Date requise."))]
    )
    period_end = DateField(_l("Fin de la période"), validators=[InputRequired(_l("Date requise."))])
    report_deadline = DateField(
        _l("Date limite du rapport"), validators=[InputRequired(_l("Date requise."))]
    )
    subsidy_amount = MoneyField(
        _l("Montant de la subvention reçue"), validators=[InputRequired(_l("Montant requis."))]
    )
    payment_reference = StringField(
        _l("Référence de paiement"), validators=[Optional(), Length(max=60)]
    )

    def validate_period_end(self, field: DateField) -> None:
        if field.data and self.period_start.data and field.data < self.period_start.data:
            raise ValidationError(_("La fin précède le début."))


class LineForm(BaseForm):
    """One row's encoded cells, posted inline by htmx (CSRF travels in the header)."""

    class Meta:
        csrf = False

    version = VersionField()  # the row's, in a hidden input of the row
    activation = SelectField(
        _l("Parcours d'activation"),
        choices=[("", "—"), *ACTIVATION_CHOICES.items()],
        validators=[Optional()],
    )
    decision_date = DateField(_l("Date de décision"), validators=[Optional()])
    monthly_granted = MoneyField(_l("Montant mensuel octroyé"))
    period_start = DateField(_l("Période d'octroi début"), validators=[Optional()])
    period_end = DateField(_l("Période d'octroi fin"), validators=[Optional()])
    months = IntegerField(
        _l("Nombre de mois"),
        validators=[Optional(), NumberRange(min=1, max=120, message=_l("Au moins 1."))],
    )
    payment = SelectField(
        _l("Paiement"), choices=[("", "—"), *PAYMENT_CHOICES.items()], validators=[Optional()]
    )
    total_paid = MoneyField(_l("Montant total payé pendant la période"))

    def validate_period_end(self, field: DateField) -> None:
        if field.data and self.period_start.data and field.data < self.period_start.data:
            raise ValidationError(_("La fin précède le début."))

    def validate_months(self, field: IntegerField) -> None:
        if field.data and self.period_start.data and self.period_end.data:
            span = months_spanned(self.period_start.data, self.period_end.data)
            if self.period_end.data >= self.period_start.data and field.data > span:
                raise ValidationError(
                    _("Au plus %(span)s (la période compte %(span)s mois).", span=span)
                )

    def validate_total_paid(self, field: MoneyField) -> None:
        granted, months = self.monthly_granted.data, self.months.data
        if (
            field.data is not None
            and granted is not None
            and months
            and field.data > granted * months
        ):
            raise ValidationError(_("Supérieur au montant total octroyé."))

    def values(self) -> dict:
        return {
            name: (f.data if f.data != "" else None)
            for name, f in self._fields.items()
            if name != "version"
        }


class FilterForm(BaseForm):
    class Meta:
        csrf = False

    niss = StringField(_l("NISS"), validators=[Optional(), Length(max=30)])
    control = SelectField(
        _l("Contrôle"),
        choices=[("", _l("Tous")), ("incomplet", _l("Incomplet")), ("complet", _l("Complet"))],
        validators=[Optional()],
    )
    activation = SelectField(
        _l("Parcours d'activation"),
        choices=[("", _l("Tous")), *ACTIVATION_CHOICES.items()],
        validators=[Optional()],
    )
