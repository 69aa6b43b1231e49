"""Whether a dossier's household may change now, as the domains above decide it.

The dossiers domain knows no aid request (the arrow goes one way: aid imports dossiers).
A domain above registers a check that says why the household is frozen (the aid request
submitted to the Council, seed 001 §15), and every household write asks
``services.ensure_household_open`` first: the freeze holds in the services, whatever a page
shows or a tampered POST sends.
"""

from __future__ import annotations

from collections.abc import Callable

from .models import Dossier

#: A check returns why the dossier's household is frozen now, or None.
FreezeCheck = Callable[[Dossier], str | None]

_CHECKS: list[FreezeCheck] = []


def register(check: FreezeCheck) -> FreezeCheck:
    """Add a freeze check (a domain does it once, at import); returns it (a decorator)."""
    if check not in _CHECKS:
        _CHECKS.append(check)
    return check


def frozen_reason(dossier: Dossier) -> str | None:
    """Why the household of ``dossier`` may not change now (None: it may)."""
    for check in _CHECKS:
        reason = check(dossier)
        if reason:
            return reason
    return None
