"""The social inquiry screens, one module per part (imported by name)."""

from .. import bp

__all__ = ["bp"]
