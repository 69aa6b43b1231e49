"""A French-aware phonetic key for surnames and first names (Belgian spellings included).

The key is what the phonetic search compares: two spellings that sound alike in French get
the same key (Dupont / Dupond / Dupon, Lefèvre / Lefebvre,
Martin / Martain, Goossens / Gossens). Steps, in order:
1. fold: upper case, accents removed, anything but letters dropped (Van der Berg → VANDERBERG);
2. spelling variants rewritten to one form (PH→F, QU→K, C+E/I/Y→S, C→K, EAU/AU→O, AI/EI→E,
   Y→I, W→V, Z→S, BV→V, final silent letters, nasal vowels…);
3. double letters collapsed.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Applied in order; each is (pattern, replacement) on the upper-case folded text.
_RULES: tuple[tuple[str, str], ...] = (
    (r"IJ", "I"),  # Dutch spellings common in Belgium (Van Dijck, Maertens)
    (r"AE", "A"),
    (r"AUL?T?\b", "O"),  # Hennaut, Hénault
    (r"CK", "K"),
    (r"DT\b", "T"),
    (r"PH", "F"),
    (r"TH", "T"),
    (r"GH", "G"),
    (r"SCH", "CH"),
    (r"SH", "CH"),
    (r"QU", "K"),
    (r"Q", "K"),
    (r"GU(?=[EIY])", "G"),
    (r"GE(?=[AOU])", "J"),
    (r"G(?=[EIY])", "J"),
    (r"C(?=[EIY])", "S"),
    (r"CH", "§"),  # keep CH apart from C→K
    (r"C", "K"),
    (r"§", "CH"),
    (r"X\b", ""),
    (r"X", "KS"),
    (r"BV", "V"),
    (r"W", "V"),
    (r"Y", "I"),
    (r"Z", "S"),
    (r"(?<=[AEIOU])S(?=[AEIOU])", "Z"),  # voiced S between vowels
    (r"EAU", "O"),
    (r"AU", "O"),
    (r"OU", "U"),
    (r"OE", "U"),
    (r"[AE]IN(?=[^AEIOU]|\b)", "IN"),  # Martain, Martin
    (r"AI", "E"),
    (r"EI", "E"),
    (r"[AE][NM](?=[^AEIOUNM]|\b)", "AN"),  # Lambert, Laurent, Janssens
    (r"(?<=[^AEIOUC])H|^H", ""),  # silent H (CH is kept)
    (r"(?<=..)E\b", ""),  # silent final E: Lefèvre → LEFEVR, Philippe → FILIP
    (r"(?<=.)[DTPSX]\b", ""),  # silent final consonants: Dupont, Dupond, Renards
)
_COMPILED = tuple((re.compile(p), r) for p, r in _RULES)
_DOUBLES = re.compile(r"(.)\1+")


@functools.lru_cache(maxsize=8192)
def fold_name(text: str | None) -> str:
    """Upper case, accents removed, letters only (memoised: ranking search candidates
    folds the same few names hundreds of times)."""
    text = (text or "").replace("ç", "s").replace("Ç", "S")  # François → FRANSOIS
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^A-Z]", "", letters.upper().replace("Œ", "OE").replace("Æ", "AE"))


def phonetic_key(text: str | None) -> str:
    """Return the phonetic key of a name ("" for an empty name)."""
    key = _DOUBLES.sub(r"\1", fold_name(text))
    for pattern, replacement in _COMPILED:
        key = pattern.sub(replacement, key)
    key = _DOUBLES.sub(r"\1", key)
    return key[:40]
