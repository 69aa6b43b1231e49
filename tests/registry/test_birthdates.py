"""Birth dates with unknown parts and the phonetic search window (seed 001 §3.2)."""

from __future__ import annotations

from datetime import date

import pytest

from cpas.registry.birthdates import (
    BirthDateError,
    PartialDate,
    format_birth,
    parse_partial,
    search_window,
)

TODAY = date(2026, 3, 10)


def window(text: str, tolerance: int) -> tuple[date, date]:
    return search_window(parse_partial(text, today=TODAY), tolerance)


@pytest.mark.parametrize(
    "text,tolerance,low,high",
    [
        # The seed's examples.
        ("00/10/2000", 2, date(2000, 8, 1), date(2000, 12, 31)),
        ("00/00/2000", 2, date(1998, 1, 1), date(2002, 12, 31)),
        # Tolerance 0: the whole month, the whole year.
        ("00/10/2000", 0, date(2000, 10, 1), date(2000, 10, 31)),
        ("00/00/2000", 0, date(2000, 1, 1), date(2000, 12, 31)),
        # Tolerance 1 (seed: month before to month after; year before to year after).
        ("00/10/2000", 1, date(2000, 9, 1), date(2000, 11, 30)),
        ("00/00/2000", 1, date(1999, 1, 1), date(2001, 12, 31)),
        # Full date: ± t days; t = 0 is that day.
        ("15/10/2000", 0, date(2000, 10, 15), date(2000, 10, 15)),
        ("15/10/2000", 3, date(2000, 10, 12), date(2000, 10, 18)),
        ("31/12/1999", 2, date(1999, 12, 29), date(2000, 1, 2)),
        ("01/03/2001", 1, date(2001, 2, 28), date(2001, 3, 2)),
        # Month windows across a year boundary, into a leap February.
        ("00/01/2000", 1, date(1999, 12, 1), date(2000, 2, 29)),
        ("00/12/1999", 2, date(1999, 10, 1), date(2000, 2, 29)),
        ("00/12/2000", 2, date(2000, 10, 1), date(2001, 2, 28)),
        ("00/02/2001", 10, date(2000, 4, 1), date(2001, 12, 31)),
        # Leap years.
        ("29/02/2000", 1, date(2000, 2, 28), date(2000, 3, 1)),
        ("00/02/2024", 0, date(2024, 2, 1), date(2024, 2, 29)),
        ("00/02/2023", 0, date(2023, 2, 1), date(2023, 2, 28)),
        ("00/02/1900", 0, date(1900, 2, 1), date(1900, 2, 28)),  # 1900 is not a leap year
        # Maximum tolerance.
        ("00/00/2000", 10, date(1990, 1, 1), date(2010, 12, 31)),
    ],
)
def test_search_window(text: str, tolerance: int, low: date, high: date) -> None:
    assert window(text, tolerance) == (low, high)


def test_precision_and_first_day() -> None:
    assert parse_partial("14/03/1985", today=TODAY) == PartialDate(1985, 3, 14)
    assert PartialDate(1985, 3, 14).precision == "day"
    assert PartialDate(1985, 3, 0).precision == "month"
    assert PartialDate(1985, 0, 0).precision == "year"
    assert PartialDate(1985, 3, 0).first_day() == date(1985, 3, 1)
    assert PartialDate(1985, 0, 0).first_day() == date(1985, 1, 1)
    assert str(PartialDate(1985, 3, 0)) == "00/03/1985"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1/2/2000", PartialDate(2000, 2, 1)),
        ("01.02.2000", PartialDate(2000, 2, 1)),
        (" 00 / 00 / 1970 ", PartialDate(1970, 0, 0)),
        ("29-02-2000", PartialDate(2000, 2, 29)),
    ],
)
def test_parse_accepts_separators(text: str, expected: PartialDate) -> None:
    assert parse_partial(text, today=TODAY) == expected


@pytest.mark.parametrize(
    "text,message",
    [
        ("15/00/2000", "Si le mois est inconnu (00), le jour doit l'être aussi : 00/00/AAAA."),
        ("31/02/2001", "Ce jour n'existe pas dans ce mois."),
        ("29/02/2001", "Ce jour n'existe pas dans ce mois."),
        ("31/04/2000", "Ce jour n'existe pas dans ce mois."),
        ("01/13/2000", "Le mois doit être compris entre 01 et 12 (ou 00 s'il est inconnu)."),
        ("01/01/1849", "L'année doit être comprise entre 1850 et 2026."),
        ("01/01/2027", "L'année doit être comprise entre 1850 et 2026."),
        ("11/03/2026", "La date de naissance ne peut pas être dans le futur."),
        ("00/04/2026", "La date de naissance ne peut pas être dans le futur."),
        ("2000-10-15", "Date attendue au format JJ/MM/AAAA (00 pour un jour ou un mois inconnu)."),
        ("", "Date attendue au format JJ/MM/AAAA (00 pour un jour ou un mois inconnu)."),
        ("00/10/00", "Date attendue au format JJ/MM/AAAA (00 pour un jour ou un mois inconnu)."),
    ],
)
def test_invalid_dates_have_french_messages(text: str, message: str) -> None:
    with pytest.raises(BirthDateError) as error:
        parse_partial(text, today=TODAY)
    assert str(error.value) == message


def test_today_and_this_month_are_not_future() -> None:
    assert parse_partial("10/03/2026", today=TODAY) == PartialDate(2026, 3, 10)
    assert parse_partial("00/03/2026", today=TODAY) == PartialDate(2026, 3, 0)
    assert parse_partial("00/00/2026", today=TODAY) == PartialDate(2026, 0, 0)


@pytest.mark.parametrize("tolerance", [11, -1, 99])
def test_tolerance_out_of_range(tolerance: int) -> None:
    with pytest.raises(BirthDateError) as error:
        search_window(PartialDate(2000, 10, 0), tolerance)
    assert str(error.value) == "La tolérance doit être comprise entre 00 et 10."


def test_format_birth() -> None:
    assert format_birth(date(1985, 3, 14)) == "14/03/1985"
    assert format_birth(date(1985, 3, 1), "month") == "00/03/1985"
    assert format_birth(date(1985, 1, 1), "year") == "00/00/1985"
    assert format_birth(None) == ""
