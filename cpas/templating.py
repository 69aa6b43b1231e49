"""Template filters and globals: Belgian formats for money and dates, navigation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, NamedTuple

from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

from .documents.branding import logo_data_url
from .domains import kinds_of_endpoint
from .niss import format_niss
from .urls import id_url

if TYPE_CHECKING:
    from .access.function_types import NavItem


def format_money(value: Decimal | int | None) -> str:
    """Format euros the Belgian way: 1.000,00 €."""
    if value is None:
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    return f"{sign}{format_thousands(int(whole))},{cents} €"


def format_thousands(value: int) -> str:
    """Group digits the Belgian way: 10.000."""
    return f"{value:,}".replace(",", ".")


def format_date(value: date | datetime | None) -> str:
    """Format a date as JJ/MM/AAAA."""
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y %H:%M")


def _visible_entries() -> list[NavItem]:
    """The menu entries the signed-in user's functions and organisation kind allow."""
    if not current_user.is_authenticated:
        return []
    from .access.functions import NAVIGATION

    kind = current_user.organisation.kind
    return [
        item
        for item in NAVIGATION
        if (item.code is None or current_user.has_function(item.code))
        and (item.kinds is None or kind in item.kinds)
        and kind in (kinds_of_endpoint(current_app, item.endpoint) or ())
    ]


def _navigation() -> list[tuple[str, str]]:
    """(endpoint, label) of every entry the user may open, in menu order."""
    return [(item.endpoint, str(item.label)) for item in _visible_entries()]


class MenuGroup(NamedTuple):
    code: str
    label: str
    entries: list[tuple[str, str]]
    current: bool


def _current_group(endpoint: str | None) -> str | None:
    """The code of the group whose section holds this endpoint (None: none, e.g. home)."""
    from .access.function_types import NAV_GROUPS

    for group in NAV_GROUPS:
        if endpoint and any(endpoint.startswith(prefix) for prefix in group.sections):
            return group.code
    return None


def navigation_groups() -> list[MenuGroup]:
    """The menu's groups in menu order, each with the entries the user may open; a group
    without any is left out. ``current``: the group of the page being shown."""
    from .access.function_types import NAV_GROUPS

    entries = _visible_entries()
    current = _current_group(request.endpoint if has_request_context() else None)
    groups = []
    for group in NAV_GROUPS:
        mine = [(i.endpoint, str(i.label)) for i in entries if i.group == group.code]
        if mine:
            groups.append(MenuGroup(group.code, str(group.label), mine, group.code == current))
    return groups


def navigation_links() -> list[tuple[str, str]]:
    """The entries outside any group (« Accueil »), shown before the groups."""
    return [(i.endpoint, str(i.label)) for i in _visible_entries() if i.group is None]


def current_locale() -> str:
    """The active UI language code: "fr" or "nl"."""
    return str(get_locale() or "fr")


def pending_badge() -> int:
    """Pending account requests, shown next to the menu entry of those who review them."""
    if not current_user.is_authenticated or not current_user.has_function(
        "access.account_requests"
    ):
        return 0
    from .access.queries import pending_request_count

    return pending_request_count(current_user)


def init_app(app: Flask) -> None:
    app.add_template_global(pending_badge, "pending_badge")
    app.add_template_filter(format_niss, "niss")
    app.add_template_filter(format_money, "money")
    app.add_template_filter(format_date, "date_be")
    app.add_template_filter(format_thousands, "thousands")
    app.add_template_filter(format_datetime, "datetime_be")
    app.add_template_global(_navigation, "navigation")
    app.add_template_global(navigation_groups, "navigation_groups")
    app.add_template_global(navigation_links, "navigation_links")
    app.add_template_global(id_url, "id_url")
    app.add_template_global(current_locale, "get_locale")
    app.add_template_global(logo_data_url, "logo_data_url")
