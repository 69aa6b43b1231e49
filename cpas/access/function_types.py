"""Building blocks of the function tree, shared by every domain's ``functions.py``."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Function:
    code: str
    label_fr: str
    label_nl: str
    requires: tuple[str, ...] = ()

    def label(self, locale: str = "fr") -> str:
        return self.label_nl if locale == "nl" else self.label_fr


@dataclass(frozen=True)
class FunctionGroup:
    code: str
    label_fr: str
    label_nl: str
    functions: tuple[Function, ...] = field(default_factory=tuple)

    def label(self, locale: str = "fr") -> str:
        return self.label_nl if locale == "nl" else self.label_fr


@dataclass(frozen=True)
class NavItem:
    """A navigation entry: shown when the user holds ``code`` (None: any signed-in user)
    and, when ``kinds`` is set, belongs to an organisation of one of those kinds."""

    endpoint: str
    label: str
    code: str | None = None
    order: int = 50
    kinds: tuple[str, ...] | None = None
