"""Import every domain's models so that Alembic and the app see the whole schema."""

from importlib import import_module

from .audit import AuditEntry  # noqa: F401
from .domains import MODEL_PACKAGES

for _package in MODEL_PACKAGES:
    import_module(f"cpas.{_package}.models")
