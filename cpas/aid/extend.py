"""What a domain above the aid requests (the social inquiry) adds to them, without the aid
package knowing it: entries of the request menu's « Enquête sociale » group and what a
duplication or a revision copies into the new request. (Print parts: ``aid.printing``.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import AidRequest


@dataclass(frozen=True)
class MenuEntry:
    """An entry of the « Enquête sociale » group of the request menu."""

    name: str
    order: int
    endpoint: str  # takes dossier_id and request_id
    label: Any
    function: str  # shown only to a user holding it
    #: Endpoints that mark the entry as the current one.
    current: tuple[str, ...] = ()


#: Called inside the duplication / revision step, before its commit: (source, new, by).
CopyHook = Callable[[AidRequest, AidRequest, Any], None]

_MENU: dict[str, MenuEntry] = {}
_COPY_HOOKS: list[CopyHook] = []


def register_menu_entry(entry: MenuEntry) -> MenuEntry:
    _MENU[entry.name] = entry
    return entry


def menu_entries(user: Any) -> list[MenuEntry]:
    """The inquiry entries this user may open, in order."""
    entries = sorted(_MENU.values(), key=lambda e: e.order)
    return [e for e in entries if user.has_function(e.function)]


def register_copy_hook(hook: CopyHook) -> CopyHook:
    if hook not in _COPY_HOOKS:
        _COPY_HOOKS.append(hook)
    return hook


def copy_hooks() -> tuple[CopyHook, ...]:
    return tuple(_COPY_HOOKS)
