"""Adapters to the National Register and the BCSS, and the local ones over fictitious data.

The real services are reachable only by accredited software; the app talks to them through
these two interfaces. ``get_register()`` and ``get_bcss()`` return the adapters chosen by
the ``REGISTER_ADAPTER`` / ``BCSS_ADAPTER`` settings; ``"local"`` (the default and the only
one shipped) reads the local register of fictitious persons (``flask register generate``)
and keeps integrations in the ``bcss_integration`` table. Screens say « Registre local
(personnes fictives) » so that nobody thinks the real register was reached.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import current_app

from .interfaces import (
    MAX_CANDIDATES,
    MAX_RESULTS,
    SOURCE_LABEL,
    BcssAdapter,
    BisRequest,
    IntegrationResult,
    Period,
    PersonRecord,
    PhoneticQuery,
    RegisterAdapter,
)
from .local_bcss import LocalBcss
from .local_register import BisExhausted, LocalRegister

__all__ = [
    "MAX_CANDIDATES",
    "MAX_RESULTS",
    "SOURCE_LABEL",
    "BcssAdapter",
    "BisExhausted",
    "BisRequest",
    "IntegrationResult",
    "LocalBcss",
    "LocalRegister",
    "Period",
    "PersonRecord",
    "PhoneticQuery",
    "RegisterAdapter",
    "check_settings",
    "get_bcss",
    "get_register",
]


T = TypeVar("T")

#: The adapters this app ships, by the name ``REGISTER_ADAPTER`` / ``BCSS_ADAPTER`` take.
REGISTERS: dict[str, Callable[[], RegisterAdapter]] = {"local": LocalRegister}
BCSS: dict[str, Callable[[RegisterAdapter], BcssAdapter]] = {"local": LocalBcss}


def check_settings(config: Mapping[str, Any]) -> None:
    """Refuse, with the setting's name and the known values, an adapter this app lacks."""
    _chosen(config, "REGISTER_ADAPTER", REGISTERS)
    _chosen(config, "BCSS_ADAPTER", BCSS)


def _chosen(config: Mapping[str, Any], key: str, known: Mapping[str, T]) -> T:
    name = config.get(key)
    if not isinstance(name, str) or name not in known:
        raise RuntimeError(
            f"{key}={name!r} is not an adapter of this app (known: {', '.join(sorted(known))})"
        )
    return known[name]


def get_register() -> RegisterAdapter:
    """The National Register adapter configured for this app (``REGISTER_ADAPTER``)."""
    return _chosen(current_app.config, "REGISTER_ADAPTER", REGISTERS)()


def get_bcss() -> BcssAdapter:
    """The BCSS adapter configured for this app (``BCSS_ADAPTER``)."""
    return _chosen(current_app.config, "BCSS_ADAPTER", BCSS)(get_register())
