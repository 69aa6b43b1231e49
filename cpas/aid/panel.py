"""« Historique des demandes d'aide » (seed 002's dossier page), drawn on the dossier page.

The dossiers domain knows no aid request: this module registers a panel the dossier page
draws (``cpas.dossiers.panels``). The same fragment answers the status filter, « Anciennes
demandes » and the moves (``routes/history.py``), so the panel redraws itself in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from ..dossiers.models import Dossier
from ..dossiers.panels import Panel, register
from . import functions as fn
from . import queries
from .models import STATUS_LABELS, RequestStatus

#: The fragment's root id (hx-target of the filter, the links and the buttons).
TARGET = "aid-history"
UNKNOWN_STATUS = _l("Ce statut n'existe pas : choisissez un statut de la liste.")
UNKNOWN_VIEW = _l("Cette vue de l'historique n'existe pas.")


@dataclass(frozen=True)
class HistoryView:
    """What the history shows: current or « Anciennes demandes », which status."""

    archived: bool = False
    status: str | None = None
    #: Why the asked view was refused (shown next to the filter, answered with a 422).
    error: Any = None


def parse_view(args: Mapping[str, str]) -> HistoryView:
    """``?statut=<code>`` and ``?anciennes=1`` as the history understands them."""
    old = args.get("anciennes", "")
    if old not in ("", "0", "1"):
        return HistoryView(error=UNKNOWN_VIEW)
    archived = old == "1"
    status = args.get("statut", "")
    if status and status not in STATUS_LABELS:
        return HistoryView(archived=archived, error=UNKNOWN_STATUS)
    return HistoryView(archived=archived, status=status or None)


def history_context(dossier: Dossier, view: HistoryView, **extra: Any) -> dict[str, Any]:
    """The rows and the counts the fragment draws (two queries, whatever the rows)."""
    rows = queries.history(dossier, archived=view.archived, status=view.status)
    closed = 0 if view.archived else queries.closed_in_history(dossier)
    return {
        "dossier": dossier,
        "history": rows,
        "view": view,
        "closed_count": closed,
        "statuses": [(s.value, STATUS_LABELS[s]) for s in RequestStatus],
        "target": TARGET,
        **extra,
    }


def render_history(dossier: Dossier, view: HistoryView, **extra: Any) -> str:
    return render_template("aid/_history.html", **history_context(dossier, view, **extra))


def _render(dossier: Dossier) -> Markup | None:
    """The panel for users who may list the requests; the history view asked when the
    page is the history's own no-JavaScript answer (``aid.history``)."""
    if not current_user.has_function(fn.LIST):
        return None
    view = parse_view(request.args) if request.endpoint == "aid.history" else HistoryView()
    return Markup(render_history(dossier, view))  # noqa: S704 - an autoescaped template


PANEL = register(Panel("aid_history", 10, _render))
