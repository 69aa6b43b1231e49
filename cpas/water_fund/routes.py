"""Routes of the water_fund domain."""

from . import bp  # noqa: F401
