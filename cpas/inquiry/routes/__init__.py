"""The social inquiry screens, one module per part (imported by name)."""

from .. import bp
from . import identification, information  # noqa: F401  (F: identification, information)

__all__ = ["bp"]
