"""Small helpers shared by the tests."""

from __future__ import annotations

import html
from typing import Any


def page_text(response: Any) -> str:
    """The response body with HTML entities decoded (apostrophes, accents)."""
    return html.unescape(response.get_data(as_text=True))


def register_person_url(client: Any, person_ref: int) -> str:
    """The « Détails » link a register search gives this client's session for a person.

    Call it after signing the client in (signing in starts a new session)."""
    from cpas import session_refs

    with client.application.app_context(), client.session_transaction() as session:
        token = session_refs.issue(session_refs.REGISTER_PERSON, person_ref, store=session)
    return f"/dossiers/nouveau/personne/{token}"
