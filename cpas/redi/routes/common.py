"""What several REDI screens draw: the choice lists and the cents filter."""

from __future__ import annotations

from typing import Any

from ..calc import ACTIVATION_CHOICES, PAYMENT_CHOICES, cents


def choices() -> dict[str, Any]:
    return {"activations": ACTIVATION_CHOICES, "payments": PAYMENT_CHOICES, "cents": cents}
