"""Routes of the centre domain."""

from . import bp  # noqa: F401
