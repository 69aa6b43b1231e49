"""REDI screens, one module per part; importing them registers their views on ``bp``."""

from .. import bp as bp
from . import campaigns, imports, lines, report

__all__ = ["bp", "campaigns", "imports", "lines", "report"]
