"""What a domain above adds to the dossier's pages without the dossiers knowing it: panels
of the main page (the aid request history) and the link behind a household member's name
(the member's social inquiry).

The dossier page draws what is registered here, in order, without knowing the domains:
each panel renders its own template for the dossier and the signed-in user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from .models import Dossier, HouseholdMember


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


#: The link behind a member's name on the household page (None: no link).
MemberLink = Callable[[Dossier, HouseholdMember], str | None]
_MEMBER_LINKS: list[MemberLink] = []


def register_member_link(link: MemberLink) -> MemberLink:
    if link not in _MEMBER_LINKS:
        _MEMBER_LINKS.append(link)
    return link


def member_link(dossier: Dossier, member: HouseholdMember) -> str | None:
    """The first registered link for the member's name (the inquiry), or None."""
    for link in _MEMBER_LINKS:
        url = link(dossier, member)
        if url:
            return url
    return None
