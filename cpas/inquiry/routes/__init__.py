"""The social inquiry screens, one module per part (imported by name)."""

from .. import bp
from .. import printing as _printing  # noqa: F401  (I: the inquiry's print parts)
from . import (
    expenses,  # noqa: F401  (H: dépenses)
    form_a,  # noqa: F401  (H: formulaire A)
    identification,  # noqa: F401  (F: identification)
    information,  # noqa: F401  (F: information)
    resources,  # noqa: F401  (G: ressources, calcul du DIS)
)

__all__ = ["bp"]
