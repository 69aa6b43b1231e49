"""The aid request screens, one module per part (imported by name)."""

from .. import bp
from . import history, printing, request_page  # noqa: F401  (registers the views)

__all__ = ["bp"]
