"""Small helpers shared by the tests."""

from __future__ import annotations

import html
from typing import Any


def page_text(response: Any) -> str:
    """The response body with HTML entities decoded (apostrophes, accents)."""
    return html.unescape(response.get_data(as_text=True))
