"""URL helpers shared by the domains."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import url_for


def safe_local_path(target: str | None, default: str) -> str:
    """``target`` when it is a path on this site, else ``default`` (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.netloc and not parts.scheme:
            return target
    return default


#: Stands for the varying id while the URL pattern is built once (an id never this large).
_ID_MARKER = 987_654_321_012_345


def id_url(endpoint: str, name: str, **values: Any) -> Callable[[int], str]:
    """A builder of ``url_for(endpoint, name=id, **values)`` for many ids: ``url_for`` runs
    once, each id is then put in place (a table of 25 rows builds dozens of such links)."""
    params: dict[str, Any] = {**values, name: _ID_MARKER}
    head, _, tail = url_for(endpoint, **params).partition(str(_ID_MARKER))

    def build(object_id: int) -> str:
        return f"{head}{int(object_id)}{tail}"

    return build
