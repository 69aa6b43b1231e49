"""BCSS quality codes (seed 001 §8.3): labels, maximum and default durations."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cpas.registry.quality_codes import (
    INQUIRY,
    INQUIRY_DAYS_ON_REQUEST,
    QUALITY_CODES,
    add_months,
)

#: The seed's table. Two typos of the seed are corrected in the app: « Particiant » (012)
#: and « jusqu'au jour de le pension » (021).
SEED_TABLE = {
    "001": ("En enquête", "Maximum 2 mois"),
    "002": ("RIS", "Maximum 1 an"),
    "003": ("Équivalent RIS", "Maximum 1 an"),
    "004": ("Autre aide financière", "Maximum 1 an"),
    "005": ("Membre du ménage sans aide", "Maximum 1 an"),
    "006": ("Emploi subsidié", "Maximum 1 an"),
    "007": ("Médiation collective/Accompagnement budget", "Maximum 5 ans"),
    "008": ("Services (famille, seniors, etc.)", "Maximum 5 ans"),
    "009": ("Autres formes d'accompagnement", "Maximum 5 ans"),
    "011": ("Encadrant", "Période indéfinie"),
    "012": ("Participant", "Maximum 1 an"),
    "020": ("Collaborateur en enquête (Vesta)", "Maximum 2 mois"),
    "021": (
        "Collaborateur (Vesta)",
        "Date de début de la mise au travail jusqu'au jour de la pension",
    ),
    "030": ("Débiteur d'aliments", "Maximum 1 an"),
    "031": ("Dette en dehors de toute dette sociale en cours", "Maximum 1 mois"),
    "040": ("Bénéficiaire de l'allocation de chauffage", "1 an : du 01/01 au 31/12 d'une année"),
}
START = date(2026, 1, 15)


def test_every_code_of_the_seed_with_its_label() -> None:
    assert set(QUALITY_CODES) == set(SEED_TABLE)
    for code, (label, duration) in SEED_TABLE.items():
        quality = QUALITY_CODES[code]
        assert quality.code == code
        assert (quality.label, quality.duration_label) == (label, duration)


@pytest.mark.parametrize(
    "code,start,end",
    [
        ("001", START, date(2026, 3, 14)),
        ("020", START, date(2026, 3, 14)),
        ("031", START, date(2026, 2, 14)),
        ("002", START, date(2027, 1, 14)),
        ("003", START, date(2027, 1, 14)),
        ("004", START, date(2027, 1, 14)),
        ("005", START, date(2027, 1, 14)),
        ("006", START, date(2027, 1, 14)),
        ("012", START, date(2027, 1, 14)),
        ("030", START, date(2027, 1, 14)),
        ("007", START, date(2031, 1, 14)),
        ("008", START, date(2031, 1, 14)),
        ("009", START, date(2031, 1, 14)),
        ("011", START, None),
        ("021", START, None),
        ("040", START, date(2026, 12, 31)),
        ("040", date(2026, 12, 31), date(2026, 12, 31)),
        ("001", date(2026, 1, 1), date(2026, 2, 28)),
        ("001", date(2023, 12, 31), date(2024, 2, 28)),  # → 29/02/2024 then the day before
        ("031", date(2026, 1, 31), date(2026, 2, 27)),
    ],
)
def test_max_end(code: str, start: date, end: date | None) -> None:
    assert QUALITY_CODES[code].max_end(start) == end


def test_default_end_when_no_end_date_is_given() -> None:
    # Seed §8.1: « Si vous ne communiquez qu'une date de début, … 2 mois. »
    assert QUALITY_CODES["001"].default_end(START) == date(2026, 3, 14)
    assert QUALITY_CODES["002"].default_end(START) == date(2027, 1, 14)
    assert QUALITY_CODES["040"].default_end(date(2026, 6, 1)) == date(2026, 12, 31)
    assert QUALITY_CODES["011"].default_end(START) is None


def test_inquiry_on_request_creation() -> None:
    assert INQUIRY == "001"
    # Seed §6: from the request date « jusqu'au 30ème jour qui suit » (15/01 → 14/02),
    # within code 001's maximum.
    end = date(2026, 1, 15) + timedelta(days=INQUIRY_DAYS_ON_REQUEST)
    assert end == date(2026, 2, 14)
    assert end <= QUALITY_CODES[INQUIRY].max_end(date(2026, 1, 15))


@pytest.mark.parametrize(
    "day,months,expected",
    [
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2025, 12, 31), 2, date(2026, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 1, 15), 0, date(2026, 1, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 15), 60, date(2031, 1, 15)),
    ],
)
def test_add_months_clamps_to_the_end_of_shorter_months(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected
