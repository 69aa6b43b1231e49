"""Template filters and globals: Belgian formats for money and dates, navigation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask import Flask, current_app
from flask_babel import get_locale
from flask_login import current_user

from .documents.branding import logo_data_url
from .domains import kinds_of_endpoint
from .niss import format_niss
from .urls import id_url


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


def _navigation() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    from .access.functions import NAVIGATION

    return [
        (item.endpoint, item.label)
        for item in NAVIGATION
        if (item.code is None or current_user.has_function(item.code))
        and (item.kinds is None or current_user.organisation.kind in item.kinds)
        and current_user.organisation.kind in (kinds_of_endpoint(current_app, item.endpoint) or ())
    ]


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
    app.add_template_global(id_url, "id_url")
    app.add_template_global(current_locale, "get_locale")
    app.add_template_global(logo_data_url, "logo_data_url")
