"""Belgian money input."""

from decimal import Decimal

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from cpas.formfields import MoneyField


class _Form(FlaskForm):
    class Meta:
        csrf = False

    amount = MoneyField("Montant")


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("1.234,56", Decimal("1234.56")),
        ("1234,5", Decimal("1234.50")),
        ("7.500", Decimal("7500.00")),
        ("1.000.000", Decimal("1000000.00")),
        ("12.50", Decimal("12.50")),
        ("350", Decimal("350.00")),
        (" 1 250,00 € ", Decimal("1250.00")),
    ],
)
def test_money_input(app, raw, expected):
    with app.test_request_context():
        form = _Form(MultiDict({"amount": raw}))
        assert form.validate(), form.errors
        assert form.amount.data == expected


@pytest.mark.parametrize("raw", ["abc", "1,234,5", "-5", "1,234", "0,001"])
def test_money_refused(app, raw):
    with app.test_request_context():
        form = _Form(MultiDict({"amount": raw}))
        if raw == "1,234":  # a comma decimal with three places
            assert not form.validate()
            return
        assert not form.validate()
        assert form.amount.errors
