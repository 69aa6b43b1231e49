"""Routes of the dossiers domain."""

from . import bp  # noqa: F401
