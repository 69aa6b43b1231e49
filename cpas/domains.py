"""What a domain is: a blueprint that declares, once, which organisation kinds use it.

The default-deny hook (``security._enforce_access``) refuses every route of a domain to a
signed-in user whose organisation kind the domain does not declare, and the menu hides
its entries; a blueprint without declared kinds is refused altogether. The factory
registers the domains by name (``cpas/__init__.py``), nothing is found by a loop.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint


class DomainBlueprint(Blueprint):
    """A domain's blueprint; ``kinds``: the organisation kinds whose work uses it."""

    def __init__(self, name: str, import_name: str, *, kinds: tuple[str, ...], **kwargs: Any):
        if not kinds:
            raise ValueError(f"domain {name!r} declares no organisation kind")
        super().__init__(name, import_name, **kwargs)
        self.kinds: tuple[str, ...] = tuple(kinds)


def kinds_of_endpoint(app: Any, endpoint: str | None) -> tuple[str, ...] | None:
    """The kinds declared by the domain of ``endpoint`` (None: not a domain's endpoint)."""
    if not endpoint or "." not in endpoint:
        return None
    blueprint = app.blueprints.get(endpoint.rsplit(".", 1)[0])
    return getattr(blueprint, "kinds", None)
