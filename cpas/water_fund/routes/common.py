"""What several water-fund screens read from a request: the year, the list filters."""

from __future__ import annotations

from datetime import date
from typing import Any

from ...inputs import control_characters
from ..queries import ListFilters


def year_from(args: Any) -> int:
    """The year asked for (« annee »), this year when missing or out of range."""
    try:
        year = int(args.get("annee", ""))
    except ValueError:
        year = date.today().year
    return year if 2000 <= year <= 2100 else date.today().year


def _bounded(value: object) -> str:
    """A filter value as kept in links and export-job parameters: 100 characters at most,
    none when it holds a control character (a 100 KB value was stored in a job)."""
    text = str(value or "")[:100]
    return "" if control_characters(text) else text


def filters_from(kind: str, args: Any) -> ListFilters:
    """Read the table's filters from query arguments (or a saved dict)."""
    keep = {k: _bounded(args.get(k)) for k in ("annee", "q", "statut", "suivant", "tri", "ordre")}
    return ListFilters(
        kind=kind,
        year=year_from(args),
        q=(args.get("q") or "")[:100],
        status=args.get("statut", ""),
        next_actor=args.get("suivant", ""),
        sort=args.get("tri", "id"),
        direction="asc" if args.get("ordre") == "asc" else "desc",
        args={k: v for k, v in keep.items() if v},
    )
