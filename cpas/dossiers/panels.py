"""Panels a domain above adds to the dossier's main page (the aid request history).

The dossier page draws what is registered here, in order, without knowing the domains:
each panel renders its own template for the dossier and the signed-in user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from .models import Dossier


@dataclass(frozen=True)
class Panel:
    name: str
    order: int
    #: Renders the panel (an escaped template) for the dossier; None: nothing to show.
    render: Callable[[Dossier], Markup | None]


_PANELS: dict[str, Panel] = {}


def register(panel: Panel) -> Panel:
    _PANELS[panel.name] = panel
    return panel


def render_panels(dossier: Dossier) -> list[Markup]:
    """The registered panels of the dossier page, rendered, in order."""
    rendered = (p.render(dossier) for p in sorted(_PANELS.values(), key=lambda p: p.order))
    return [html for html in rendered if html is not None]
