"""The one way to load a record by id: found only if the user's side may see it.

A model says who sees it by defining ``visible_to(self, user) -> bool`` (a water request:
its CPAS, its distributor and the fund manager; a household member: through its
dossier); without it, a record is visible to its own organisation (``organisation_id``).
A record the user may not see answers 404, exactly like a record that does not exist
(never reveal that it exists), and the attempt is logged as a security event.

Domain loaders (``get_dossier_or_404``…) are thin wrappers marked ``@scoped_loader``; the
route sweep (tests/foundation/test_route_scoping.py) checks that every route taking an id
loads it through ``get_scoped_or_404`` or one of those loaders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from .extensions import db
from .security import refuse_foreign

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

#: Names of the domain loaders built on ``get_scoped_or_404`` (read by the route sweep).
LOADERS: dict[str, Callable[..., Any]] = {}


def visible(obj: Any, user: Any) -> bool:
    """Tell whether ``user``'s side may see ``obj`` (the model's rule, else its organisation)."""
    rule = getattr(obj, "visible_to", None)
    if rule is not None:
        return bool(rule(user))
    return obj.organisation_id == user.organisation_id


def get_scoped_or_404(
    model: type[T],
    object_id: int | None,
    user: Any = None,
    *,
    same: Mapping[str, Any] | None = None,
    options: tuple[Any, ...] = (),
) -> T:
    """Load ``model`` by id if ``user`` (default: the signed-in user) may see it, else 404.

    ``same``: attributes the record must have (e.g. ``{"kind": "fat"}`` for a FAT URL);
    a record of the user's own side that differs is a plain 404, not a security event."""
    if object_id is None:
        abort(404)
    obj = db.session.get(model, object_id, options=options)
    if obj is None:
        abort(404)
    who = user if user is not None else current_user
    if not visible(obj, who):
        refuse_foreign(obj)
    for name, value in (same or {}).items():
        if getattr(obj, name) != value:
            abort(404)
    return obj


def scoped_loader(fn: F) -> F:
    """Mark a domain loader that loads through ``get_scoped_or_404`` (for the route sweep)."""
    LOADERS[fn.__name__] = fn
    return fn
