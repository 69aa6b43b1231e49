"""Bounded parsing of what a client sends: ids, page numbers, digit strings, control characters.

Python's ``str.isdigit()`` is true for « ² » and other Unicode digits, ``int()`` refuses
more than 4.300 digits with a ValueError, and SQLite refuses an integer above 2**63-1 with an
OverflowError: every number read from a request goes through these helpers instead.
"""

from __future__ import annotations

import re
import unicodedata

from werkzeug.routing import IntegerConverter

#: The largest id a table holds (a 32-bit INTEGER on PostgreSQL).
MAX_ID = 2**31 - 1
#: The largest page number a list accepts (far beyond any real list, far below an overflow).
MAX_PAGE = 100_000

_ID = re.compile(r"[0-9]{1,10}")
#: Characters allowed in multi-line text; every other control character is refused.
MULTILINE_CONTROLS = frozenset("\t\n\r")


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` in URLs: ASCII digits only, at most MAX_ID; anything else is a 404."""

    regex = r"[0-9]{1,19}"

    def __init__(
        self,
        map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,  # noqa: A002
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)


def parse_id(value: object) -> int | None:
    """Return a positive database id from a form or query value, or None when it is not one."""
    if not isinstance(value, str) or not _ID.fullmatch(value.strip()):
        return None
    number = int(value.strip())
    return number if 1 <= number <= MAX_ID else None


def parse_ids(values: list[str]) -> list[int] | None:
    """Return every id of a posted list, or None when one of them is not an id."""
    ids = [parse_id(v) for v in values]
    return None if any(i is None for i in ids) else ids  # type: ignore[return-value]


def parse_page(value: object) -> int:
    """Return a page number from a request value; anything odd means page 1."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{1,6}", value.strip()):
        return 1
    return min(max(1, int(value.strip())), MAX_PAGE)


def parse_digits(value: str, max_length: int) -> int | None:
    """Return the integer written with 1..max_length ASCII digits, or None."""
    if not re.fullmatch(rf"[0-9]{{1,{max_length}}}", value or ""):
        return None
    return int(value)


def control_characters(text: str, *, multiline: bool = False) -> list[str]:
    """Return the control characters (and lone surrogates) found in ``text``."""
    allowed = MULTILINE_CONTROLS if multiline else frozenset()
    return [c for c in text if c not in allowed and unicodedata.category(c) in {"Cc", "Cs"}]
