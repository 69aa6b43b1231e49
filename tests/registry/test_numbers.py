"""NISS and BIS numbers: validation (cpas.niss, on python-stdnum) and construction."""

from __future__ import annotations

from datetime import date

import pytest
from stdnum.be import bis, nn

from cpas.niss import format_niss, normalise_niss
from cpas.registry.birthdates import PartialDate
from cpas.registry.numbers import bis_for, check_digits, niss_for, serials_for


@pytest.mark.parametrize(
    "text",
    ["85.07.30-033.28", "85073003328", "85 07 30 033 28", " 850730 03328 ", "85.07.30 033-28"],
)
def test_accepts_the_usual_input_formats(text: str) -> None:
    assert normalise_niss(text) == "85073003328"


@pytest.mark.parametrize(
    "text",
    [
        "85073003329",  # check digits off by one
        "85073003327",
        "8507300332",  # 10 digits
        "850730033288",  # 12 digits
        "85133003328",  # month 13
        "8507300332A",
        "",
        "abc",
    ],
)
def test_refuses_invalid_numbers(text: str) -> None:
    assert normalise_niss(text) is None


def test_none_is_refused() -> None:
    assert normalise_niss(None) is None  # type: ignore[arg-type]


def test_born_from_2000_the_check_is_computed_on_2_and_the_nine_digits() -> None:
    nine = "030506017"
    after_2000 = nine + f"{97 - int('2' + nine) % 97:02d}"
    before_2000 = nine + f"{97 - int(nine) % 97:02d}"
    assert after_2000 != before_2000
    assert normalise_niss(after_2000) == after_2000
    assert nn.get_birth_date(after_2000) == date(2003, 5, 6)
    # The same nine digits with the pre-2000 check belong to someone born in 1903.
    assert nn.get_birth_date(before_2000) == date(1903, 5, 6)
    wrong = nine + f"{(int(after_2000[-2:]) % 97) + 1:02d}"
    assert normalise_niss(wrong) is None


@pytest.mark.parametrize(
    "number,offset",
    [
        (bis_for(PartialDate(1990, 5, 12), 17), 40),
        (bis_for(PartialDate(1990, 5, 12), 17, sex_known=False), 20),
    ],
)
def test_bis_numbers_are_valid_niss_inputs(number: str, offset: int) -> None:
    assert int(number[2:4]) == 5 + offset
    assert normalise_niss(number) == number
    assert bis.is_valid(number)
    assert not nn.is_valid(number)  # not a National Register number
    dotted = format_niss(number)
    assert normalise_niss(dotted) == number


def test_bis_with_a_wrong_check_is_refused() -> None:
    number = bis_for(PartialDate(1990, 5, 12), 17)
    assert normalise_niss(number[:9] + f"{(int(number[9:]) + 1) % 100:02d}") is None


def test_format_niss() -> None:
    assert format_niss("85073003328") == "85.07.30-033.28"
    assert format_niss(None) == ""
    assert format_niss("") == ""
    assert format_niss("1234") == "1234"  # not a NISS: shown as is


@pytest.mark.parametrize(
    "born,serial",
    [
        (date(1985, 7, 30), 33),
        (date(1925, 1, 1), 1),
        (date(1999, 12, 31), 998),
        (date(2000, 1, 1), 2),
        (date(2016, 6, 21), 33),
        (date(2024, 2, 29), 500),
    ],
)
def test_niss_for_builds_numbers_stdnum_validates(born: date, serial: int) -> None:
    number = niss_for(born, serial)
    assert len(number) == 11 and number.isdigit()
    assert nn.validate(number) == number
    assert nn.get_birth_date(number) == born
    assert int(number[6:9]) == serial
    assert nn.get_gender(number) == ("M" if serial % 2 else "F")


def test_niss_for_the_manual_example() -> None:
    assert niss_for(date(1985, 7, 30), 33) == "85073003328"


def test_check_digits() -> None:
    assert check_digits("850730033", False) == "28"
    assert check_digits("030506017", True) == f"{97 - 2030506017 % 97:02d}"


@pytest.mark.parametrize(
    "birth",
    [
        PartialDate(1990, 5, 12),
        PartialDate(1990, 5, 0),  # unknown day
        PartialDate(1990, 0, 0),  # unknown day and month
        PartialDate(2003, 11, 0),
        PartialDate(2010, 0, 0),
    ],
)
@pytest.mark.parametrize("sex_known", [True, False])
def test_bis_for_builds_numbers_stdnum_validates(birth: PartialDate, sex_known: bool) -> None:
    number = bis_for(birth, 7, sex_known=sex_known)
    assert bis.validate(number) == number
    assert int(number[2:4]) == birth.month + (40 if sex_known else 20)
    assert int(number[4:6]) == birth.day
    assert number[:2] == f"{birth.year % 100:02d}"
    # stdnum reads the known parts back (and the century from the check digits).
    assert bis.get_birth_year(number) == birth.year
    assert bis.get_birth_month(number) == (birth.month or None)
    expected = date(birth.year, birth.month, birth.day) if birth.day else None
    assert bis.get_birth_date(number) == expected


def test_serials_by_sex() -> None:
    assert list(serials_for("M"))[:3] == [1, 3, 5] and max(serials_for("M")) == 997
    assert list(serials_for("F"))[:3] == [2, 4, 6] and max(serials_for("F")) == 998
    assert len(serials_for(None)) == 998


def test_serial_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError):
        niss_for(date(1985, 7, 30), 0)
    with pytest.raises(ValueError):
        niss_for(date(1985, 7, 30), 999)
