"""Form fields shared by the domains: the base form, Belgian money input, ids, names, IBAN."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from stdnum import iban as iban_number
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError
from wtforms import DateField, HiddenField, StringField, TextAreaField
from wtforms.meta import DefaultMeta
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import TextInput

from .inputs import control_characters, parse_id
from .niss import normalise_niss
from .templating import format_money

THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
#: After normalisation: ASCII digits, an optional decimal point; no exponent, NaN or infinity.
PLAIN_AMOUNT = re.compile(r"-?[0-9]{1,20}(\.[0-9]{1,20})?")
#: The largest amount a NUMERIC(12, 2) column holds; every money column is NUMERIC(12, 2).
MAX_AMOUNT = Decimal("9999999999.99")
#: A person's name: letters (accents included), spaces, hyphens, apostrophes, dots.
PERSON_NAME = re.compile(r"[^\W\d_]+(?:[ .'’-]+[^\W\d_]+)*\.?")


#: No text field of any form holds more (each visible field has its own, smaller Length).
MAX_TEXT = 10_000


def refuse_garbage_text(_form, field) -> None:
    """Refuse NUL and other control characters (tab and line breaks allowed in a text area)
    and any text longer than MAX_TEXT, hidden fields included."""
    data = field.data
    if not isinstance(data, str) or not data:
        return
    if len(data) > MAX_TEXT:
        raise StopValidation(_("Ce texte est trop long."))
    if control_characters(data, multiline=isinstance(field, TextAreaField)):
        raise StopValidation(_("Ce texte contient des caractères de contrôle non admis."))


class BaseForm(FlaskForm):
    """The form every screen uses: each text field refuses control characters and huge text.

    The check is added to every StringField (and its subclasses: text areas, e-mail,
    password, hidden, money…) when the form binds its fields, so a new form or field gets
    it without anyone remembering to add it."""

    class Meta(DefaultMeta):
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, StringField):
                # first in the chain, and stopping it: no later validator sees the garbage
                field.validators = [refuse_garbage_text, *field.validators]
            return field


class IdField(HiddenField):
    """A hidden database id: ``data`` is an int, or None when the posted value is not an id."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data = parse_id(self.raw) if self.raw else None
        if self.raw and self.data is None:
            raise ValueError(_("Identifiant invalide."))

    def _value(self) -> str:
        return str(self.data) if self.data is not None else ""


def coerce_id(value: object) -> int:
    """Coerce a posted choice to a database id (a select's ``coerce``); refuse anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = parse_id(value)
    if number is None:
        raise ValueError(_("Identifiant invalide."))
    return number


def person_name(_form, field) -> None:
    """Accept a person's name only: letters, spaces, hyphens, apostrophes, dots."""
    if not field.data:
        return
    if not PERSON_NAME.fullmatch(field.data.strip()):
        raise ValidationError(
            _("Un nom ne contient que des lettres, espaces, traits d'union, apostrophes, points.")
        )


class MoneyField(StringField):
    """An amount in euros: ``1.234,56``, ``1234,56``, ``7.500`` (thousands) or ``12.50``.

    Stored as an exact Decimal with two places."""

    def __init__(
        self, *args, minimum: Decimal | None = Decimal("0"), maximum: Decimal = MAX_AMOUNT, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.minimum = minimum
        self.maximum = min(maximum, MAX_AMOUNT)

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data = None
        text = (self.raw or "").replace("€", "").replace(" ", "").replace("\u00a0", "")
        if not text:
            return
        if "," in text or THOUSANDS.match(text):
            # Belgian notation: dots group thousands, the comma is the decimal mark
            text = text.replace(".", "").replace(",", ".")
        if not PLAIN_AMOUNT.fullmatch(text):
            # exponents (1e30), NaN, infinity, Unicode digits: Decimal would take them
            raise ValueError(_("Montant invalide (ex. 1.234,56)."))
        try:
            value = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(_("Montant invalide (ex. 1.234,56).")) from exc
        if not value.is_finite() or value.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError(_("Montant invalide : deux décimales au plus."))
        if self.minimum is not None and value < self.minimum:
            raise ValueError(_("Le montant ne peut pas être négatif."))
        if abs(value) > self.maximum:
            raise ValueError(
                _("Montant trop élevé : %(max)s au plus.", max=format_money(self.maximum))
            )
        self.data = value.quantize(Decimal("0.01"))

    def _value(self) -> str:
        if self.data is not None:
            return f"{self.data:.2f}".replace(".", ",")
        return getattr(self, "raw", "") or ""


def validate_iban(_form, field) -> None:
    """Validate (and compact) an IBAN with python-stdnum; empty is left to Optional()."""
    if not field.data:
        return
    try:
        field.data = check_iban(field.data)
    except StdnumError as exc:
        raise ValidationError(
            _(
                "Numéro de compte (IBAN) invalide : vérifiez les chiffres, "
                "par ex. BE71 0961 2345 6769."
            )
        ) from exc


def check_iban(value: str) -> str:
    """Return the compact IBAN if its checksums hold; raise stdnum's ValidationError if not."""
    # check_country=False: stdnum's Belgian module also demands a bank code from its own table,
    # which lags behind real banks (BE68 5390 0754 7034 was refused); the checksums suffice.
    number = iban_number.validate(value, check_country=False)
    if number.startswith("BE") and number[-2:] != f"{int(number[4:-2]) % 97 or 97:02d}":
        raise InvalidChecksum()  # the Belgian account number's own check digits
    return number


# --------------------------------------------------------------------------- NISS and dates

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def parse_belgian_date(text: str) -> date | None:
    """A date typed JJ/MM/AAAA (or ISO), else None."""
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


DATE_MESSAGE = _l("Date attendue au format JJ/MM/AAAA.")


class NissField(StringField):
    """A NISS or BIS number, stored as its 11 digits."""

    data: str | None

    def pre_validate(self, form) -> None:
        if self.data:
            digits = normalise_niss(self.data)
            if digits is None:
                raise ValidationError(
                    _(
                        "NISS invalide : 11 chiffres avec un chiffre de contrôle correct "
                        "(ex. 85.07.30-033.28)."
                    )
                )
            self.data = digits


class BelgianDateField(DateField):
    """JJ/MM/AAAA typed in a text box (a browser date picker would show another format);
    the ISO form is accepted too."""

    widget = TextInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", DATE_FORMATS)
        render_kw = kwargs.setdefault("render_kw", {})
        render_kw.setdefault("placeholder", _("JJ/MM/AAAA"))
        render_kw.setdefault("inputmode", "numeric")
        render_kw.setdefault("autocomplete", "off")
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(str(DATE_MESSAGE)) from exc

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%d/%m/%Y") if self.data else ""
