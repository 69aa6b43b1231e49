"""NISS (national register number) and BIS number helpers, on python-stdnum."""

from __future__ import annotations

import re

from stdnum.be import bis, nn
from stdnum.exceptions import ValidationError

NISS_DIGITS = re.compile(r"[0-9]{11}")


def normalise_niss(value: str) -> str | None:
    """Return the 11 digits of a valid NISS or BIS number, or None.

    Accepts ``85.07.30-033.28``, ``85073003328`` and spaces.
    """
    compact = nn.compact(value or "")
    if not NISS_DIGITS.fullmatch(compact):
        # stdnum would call int() on « ² » or on thousands of digits (a ValueError, not its own)
        return None
    for module in (nn, bis):
        try:
            return module.validate(compact)
        except ValidationError:
            continue
    return None


def format_niss(value: str | None) -> str:
    """Show a NISS as ``85.07.30-033.28``."""
    if not value or len(value) != 11:
        return value or ""
    return f"{value[:2]}.{value[2:4]}.{value[4:6]}-{value[6:9]}.{value[9:]}"
