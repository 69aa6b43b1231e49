"""Forms of the REDI module."""

from __future__ import annotations

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
        "Nom",
        default="Subvention REDI 2023-2024",
        validators=[DataRequired("Indiquez un nom."), Length(max=120)],
    )
    period_start = DateField("Début de la période", validators=[InputRequired("Date requise.")])
    period_end = DateField("Fin de la période", validators=[InputRequired("Date requise.")])
    report_deadline = DateField(
        "Date limite du rapport", validators=[InputRequired("Date requise.")]
    )
    subsidy_amount = MoneyField(
        "Montant de la subvention reçue", validators=[InputRequired("Montant requis.")]
    )
    payment_reference = StringField(
        "Référence de paiement", validators=[Optional(), Length(max=60)]
    )

    def validate_period_end(self, field: DateField) -> None:
        if field.data and self.period_start.data and field.data < self.period_start.data:
            raise ValidationError("La fin précède le début.")


class LineForm(BaseForm):
    """One row's encoded cells, posted inline by htmx (CSRF travels in the header)."""

    class Meta:
        csrf = False

    version = VersionField()  # the row's, in a hidden input of the row
    activation = SelectField(
        "Parcours d'activation",
        choices=[("", "—"), *ACTIVATION_CHOICES.items()],
        validators=[Optional()],
    )
    decision_date = DateField("Date de décision", validators=[Optional()])
    monthly_granted = MoneyField("Montant mensuel octroyé")
    period_start = DateField("Période d'octroi début", validators=[Optional()])
    period_end = DateField("Période d'octroi fin", validators=[Optional()])
    months = IntegerField(
        "Nombre de mois",
        validators=[Optional(), NumberRange(min=1, max=120, message="Au moins 1.")],
    )
    payment = SelectField(
        "Paiement", choices=[("", "—"), *PAYMENT_CHOICES.items()], validators=[Optional()]
    )
    total_paid = MoneyField("Montant total payé pendant la période")

    def validate_period_end(self, field: DateField) -> None:
        if field.data and self.period_start.data and field.data < self.period_start.data:
            raise ValidationError("La fin précède le début.")

    def validate_months(self, field: IntegerField) -> None:
        if field.data and self.period_start.data and self.period_end.data:
            span = months_spanned(self.period_start.data, self.period_end.data)
            if self.period_end.data >= self.period_start.data and field.data > span:
                raise ValidationError(f"Au plus {span} (la période compte {span} mois).")

    def validate_total_paid(self, field: MoneyField) -> None:
        granted, months = self.monthly_granted.data, self.months.data
        if (
            field.data is not None
            and granted is not None
            and months
            and field.data > granted * months
        ):
            raise ValidationError("Supérieur au montant total octroyé.")

    def values(self) -> dict:
        return {
            name: (f.data if f.data != "" else None)
            for name, f in self._fields.items()
            if name != "version"
        }


class FilterForm(BaseForm):
    class Meta:
        csrf = False

    niss = StringField("NISS", validators=[Optional(), Length(max=30)])
    control = SelectField(
        "Contrôle",
        choices=[("", "Tous"), ("incomplet", "Incomplet"), ("complet", "Complet")],
        validators=[Optional()],
    )
    activation = SelectField(
        "Parcours d'activation",
        choices=[("", "Tous"), *ACTIVATION_CHOICES.items()],
        validators=[Optional()],
    )
