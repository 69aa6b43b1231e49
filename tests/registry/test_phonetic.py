"""The phonetic key: spelling variants match, different names do not."""

from __future__ import annotations

import pytest

from cpas.registry.phonetic import fold_name, phonetic_key


@pytest.mark.parametrize(
    "a,b",
    [
        ("Dupont", "Dupond"),
        ("Dupont", "DUPONT"),
        ("Lefèvre", "Lefebvre"),
        ("Lefèvre", "Lefevre"),
        ("Philippe", "Filip"),
        ("Goossens", "Gossens"),
        ("Peeters", "Peters"),
        ("Janssens", "Jansen"),
        ("Van Dijck", "Vandyck"),
        ("Van Dijck", "van dyck"),
        ("Schmitt", "Schmit"),
        ("Martin", "Martain"),
        ("Mathieu", "Matthieu"),
        ("Hénault", "Hennaut"),
        ("François", "Fransois"),
    ],
)
def test_spelling_variants_share_a_key(a: str, b: str) -> None:
    assert phonetic_key(a) == phonetic_key(b)
    assert phonetic_key(a)  # never empty for a real name


@pytest.mark.parametrize(
    "a,b",
    [
        ("Dupont", "Dumont"),
        ("Martin", "Marton"),
        ("Lambert", "Laurent"),
        ("Peeters", "Pieters"),
        ("Simon", "Salmon"),
        ("Marie", "Mario"),
    ],
)
def test_different_names_do_not_match(a: str, b: str) -> None:
    assert phonetic_key(a) != phonetic_key(b)


def test_fold_name() -> None:
    assert fold_name("Lefèvre") == "LEFEVRE"
    assert fold_name("Van der Berg") == "VANDERBERG"
    assert fold_name("D'Hondt-Noël") == "DHONDTNOEL"
    assert fold_name("François") == "FRANSOIS"
    assert fold_name(None) == ""


def test_empty_names() -> None:
    assert phonetic_key("") == ""
    assert phonetic_key(None) == ""
    assert phonetic_key(" - ") == ""


def test_key_is_at_most_40_characters() -> None:
    assert len(phonetic_key("Abcdefghijklmnop" * 5)) <= 40
