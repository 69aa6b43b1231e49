"""Function codes and navigation entries of the centre domain (see cpas/access/functions.py)."""

from __future__ import annotations

from ..access.function_types import FunctionGroup, NavItem

GROUPS: tuple[FunctionGroup, ...] = ()
NAV: tuple[NavItem, ...] = ()
