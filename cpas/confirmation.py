"""Explicit confirmation of irreversible steps, with or without JavaScript.

A form whose button is irreversible carries ``data-confirm="<consequence>"``: static/js/app.js
asks once and, when the user agrees, posts ``confirmed=1``. The route (or the service) refuses
the step without that field and answers with a confirmation step page instead, so a one-click
POST (no JavaScript, a replayed request, a stray double click) changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import render_template

FIELD = "confirmed"


def is_confirmed(form: Mapping[str, str]) -> bool:
    """Tell whether the posted form says the user confirmed the step."""
    return form.get(FIELD) == "1"


def confirmation_step(
    question: str, label: str, action_url: str, back_url: str, keep: Mapping[str, str] | None = None
) -> tuple[str, int]:
    """The page that asks the question again and posts the same step with ``confirmed=1``."""
    return render_template(
        "confirm_step.html",
        question=question,
        label=label,
        action_url=action_url,
        back_url=back_url,
        keep=dict(keep or {}),
    ), 200
