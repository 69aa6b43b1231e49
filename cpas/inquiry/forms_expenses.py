"""The forms of « Dépenses » (a row to add, a row updated in place) and of « Formulaire A »
(its date and the main beneficiary's nationality, a member's line).

The forms parse and say what is wrong next to each field; the rules are the services'
(``expenses.check_expense``, ``form_a.save_member``…), so a tampered POST meets them too.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..concurrency import VersionField
from ..formfields import BaseForm, BelgianDateField, MoneyField
from .expenses import END_BEFORE_START, EXPENSE_MAX, NOT_POSITIVE
from .models import EXPENSE_TYPES, FORM_A_RELATIONS, FORM_A_STATUSES, SUFFIX_MAX

CHOOSE = _l("— Choisissez —")


def known_choice(message: Any) -> Any:
    """A select's posted value must be one of its options (a tampered one is refused)."""

    def check(_form: Any, field: Any) -> None:
        if field.data in (None, ""):
            return
        if field.data not in {value for value, _label in field.choices if value}:
            raise ValidationError(str(message))

    return check


def _choices(labels: dict[str, Any]) -> list[tuple[str, Any]]:
    return [("", CHOOSE), *labels.items()]


# ------------------------------------------------------------------ Dépenses (§9.5)


class TypedMoneyField(MoneyField):
    """A MoneyField that shows back exactly what was typed (« 9.999,99 », not « 9999,99 »)
    when the row comes back with a message or a conflict."""

    def _value(self) -> str:
        raw = getattr(self, "raw", None)
        return raw if raw else super()._value()


class ExpenseForm(BaseForm):
    """A row of « Dépenses »: « Types de dépenses », dates, « Montant annuel »."""

    kind = SelectField(
        _l("Type de dépense"),
        choices=_choices(EXPENSE_TYPES),
        validate_choice=False,
        validators=[
            InputRequired(_l("Choisissez un type de dépense.")),
            known_choice(_l("Choisissez un type de dépense de la liste.")),
        ],
    )
    start_date = BelgianDateField(_l("Date de début"), validators=[Optional()])
    end_date = BelgianDateField(_l("Date de fin"), validators=[Optional()])
    annual_amount = TypedMoneyField(
        _l("Montant annuel"),
        maximum=EXPENSE_MAX,
        validators=[InputRequired(_l("Indiquez le montant annuel (ex. 1.234,56)."))],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )

    def validate_end_date(self, field: Any) -> None:
        start = self.start_date.data
        if field.data and start and field.data < start:
            raise ValidationError(str(END_BEFORE_START))

    def validate_annual_amount(self, field: Any) -> None:
        if field.data is not None and field.data <= 0:
            raise ValidationError(str(NOT_POSITIVE))


class ExpenseEditForm(ExpenseForm):
    """« Mettre à jour » on a row: the row's version goes with it."""

    version = VersionField()


# ------------------------------------------------------------------ Formulaire A (§12)


class FormAForm(BaseForm):
    """The form's effective date and the main beneficiary's nationality."""

    effective_date = BelgianDateField(
        _l("Date d'entrée en vigueur *"),
        validators=[InputRequired(_l("Indiquez la date d'entrée en vigueur (JJ/MM/AAAA)."))],
    )
    main_nationality = StringField(
        _l("Nationalité du bénéficiaire principal"),
        validators=[Optional(), Length(max=60)],
    )
    version = VersionField()


YES_NO = [("oui", _l("Oui")), ("non", _l("Non"))]


class FormAMemberForm(BaseForm):
    """A de facto member's line: secondary beneficiary or not, suffix, status, relation,
    nationality."""

    secondary = RadioField(
        _l("Bénéficiaire secondaire"),
        choices=YES_NO,
        default="non",
        validate_choice=False,
        validators=[known_choice(_l("Répondez oui ou non."))],
    )
    suffix = StringField(
        _l("Suffixe"),
        validators=[Optional(), Length(max=3)],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "size": 3},
    )
    status = SelectField(
        _l("Statut"),
        choices=_choices(FORM_A_STATUSES),
        validate_choice=False,
        validators=[known_choice(_l("Choisissez un statut de la liste."))],
    )
    relation = SelectField(
        _l("Relation avec le bénéficiaire principal"),
        choices=_choices(FORM_A_RELATIONS),
        validate_choice=False,
        validators=[
            known_choice(
                _l(
                    "La relation est « Partenaire du bénéficiaire » ou « Enfant mineur à "
                    "charge du bénéficiaire »."
                )
            )
        ],
    )
    nationality = StringField(_l("Nationalité"), validators=[Optional(), Length(max=60)])
    version = VersionField()

    def validate_suffix(self, field: Any) -> None:
        text = (field.data or "").strip()
        if text and (not text.isascii() or not text.isdigit() or not 1 <= int(text) <= SUFFIX_MAX):
            raise ValidationError(
                str(_l("Le suffixe est un nombre de 1 à %(max)s.")) % {"max": SUFFIX_MAX}
            )

    @property
    def suffix_value(self) -> int | None:
        text = (self.suffix.data or "").strip()
        return int(text) if text.isascii() and text.isdigit() else None
