"""The aid request screens, one module per part (imported by name)."""

from typing import Any

from flask_login import current_user

from .. import bp, extend
from . import history, printing, request_page  # noqa: F401  (registers the views)

__all__ = ["bp"]


@bp.app_template_global("aid_menu_entries")
def _aid_menu_entries() -> list[Any]:
    """The « Enquête sociale » entries a domain above adds to the request menu."""
    return extend.menu_entries(current_user)
