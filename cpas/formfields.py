"""Form fields shared by the domains: Belgian money input, IBAN."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from stdnum import iban as iban_number
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError
from wtforms import StringField
from wtforms.validators import ValidationError

THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


class MoneyField(StringField):
    """An amount in euros: ``1.234,56``, ``1234,56``, ``7.500`` (thousands) or ``12.50``.

    Stored as an exact Decimal with two places."""

    def __init__(self, *args, minimum: Decimal | None = Decimal("0"), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.minimum = minimum

    def process_formdata(self, valuelist):  # type: ignore[no-untyped-def]
        self.raw = valuelist[0] if valuelist else ""
        self.data = None
        text = (self.raw or "").replace("€", "").replace(" ", "").replace("\u00a0", "")
        if not text:
            return
        if "," in text or THOUSANDS.match(text):
            # Belgian notation: dots group thousands, the comma is the decimal mark
            text = text.replace(".", "").replace(",", ".")
        try:
            value = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError("Montant invalide (ex. 1.234,56).") from exc
        if not value.is_finite() or value.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError("Montant invalide : deux décimales au plus.")
        if self.minimum is not None and value < self.minimum:
            raise ValueError("Le montant ne peut pas être négatif.")
        self.data = value.quantize(Decimal("0.01"))

    def _value(self) -> str:
        if self.data is not None:
            return f"{self.data:.2f}".replace(".", ",")
        return getattr(self, "raw", "") or ""


def validate_iban(_form, field) -> None:  # type: ignore[no-untyped-def]
    """Validate (and compact) an IBAN with python-stdnum; empty is left to Optional()."""
    if not field.data:
        return
    try:
        field.data = check_iban(field.data)
    except StdnumError as exc:
        raise ValidationError(
            "Numéro de compte (IBAN) invalide : vérifiez les chiffres, par ex. BE71 0961 2345 6769."
        ) from exc


def check_iban(value: str) -> str:
    """Return the compact IBAN if its checksums hold; raise stdnum's ValidationError if not."""
    # check_country=False: stdnum's Belgian module also demands a bank code from its own table,
    # which lags behind real banks (BE68 5390 0754 7034 was refused); the checksums suffice.
    number = iban_number.validate(value, check_country=False)
    if number.startswith("BE") and number[-2:] != f"{int(number[4:-2]) % 97 or 97:02d}":
        raise InvalidChecksum()  # the Belgian account number's own check digits
    return number
