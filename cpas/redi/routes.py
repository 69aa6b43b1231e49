"""Routes of the redi domain."""

from . import bp  # noqa: F401
