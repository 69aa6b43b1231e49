"""Small helpers shared by the tests."""

from __future__ import annotations

import html
import re
import zlib
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


def member_add_url(client: Any, dossier_id: int, person_ref: int) -> str:
    """The « Identification » link a household search gives this client's session."""
    from cpas import session_refs

    with client.application.app_context(), client.session_transaction() as session:
        token = session_refs.issue(session_refs.REGISTER_PERSON, person_ref, store=session)
    return f"/dossiers/{dossier_id}/menage/ajouter/{token}"


def version_of(app: Any, model: Any, object_id: int) -> str:
    """The version a form would carry now for this record (optimistic locking)."""
    from cpas.extensions import db

    with app.app_context():
        return str(db.session.get(model, object_id).version)


def with_version(app: Any, model: Any, object_id: int) -> dict[str, str]:
    """The ``version`` field a form of this record carries now (merge into posted data)."""
    return {"version": version_of(app, model, object_id)}


GARBAGE_VERSIONS = ("", "abc", "-1", "99999999999999999999", "²", "1.5")


def posted_version(html: str, within: str | None = None) -> str:
    """The ``version`` a page's form would post (the first one, or the one after ``within``)."""
    import re

    if within is not None:
        html = html[html.index(within) :]
    match = re.search(r'<(?:input|button)[^>]*name="version"[^>]*value="(\d+)"', html) or re.search(
        r'"version": "(\d+)"', html
    )
    assert match, "no version in the page"
    return match.group(1)


def second_client(app: Any, login_as: Any, user: Any) -> Any:
    """Another browser: its own cookie jar and session, signed in as ``user``."""
    other = app.test_client()
    login_as(user, on=other)
    return other


def saved_hints(html: str) -> dict[str, str]:
    """The « Valeur enregistrée » hints of a conflict page: field id → saved value shown."""
    import re

    pattern = r'id="([\w-]+)-saved">Valeur enregistrée : <strong>([^<]*)</strong>'
    return dict(re.findall(pattern, html))


def pdf_text(data: bytes) -> str:
    """The text a WeasyPrint PDF draws: its glyphs mapped back through the fonts' ToUnicode
    maps (the subsets of one font family keep the family's glyph numbers)."""
    streams = []
    for raw in re.findall(rb"stream\r?\n(.*?)\nendstream", data, re.S):
        try:
            streams.append(zlib.decompress(raw))
        except zlib.error:
            continue
    glyphs: dict[int, str] = {}
    for stream in streams:
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
            for code, text in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
                glyphs[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
            for low, high, start in re.findall(
                rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block
            ):
                first = ord(bytes.fromhex(start.decode()).decode("utf-16-be")[-1])
                for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                    glyphs[code] = chr(first + offset)
    runs = []
    for stream in streams:
        for array in re.findall(rb"\[(.*?)\]\s*TJ", stream, re.S):
            hexes = b"".join(re.findall(rb"<([0-9a-fA-F]+)>", array)).decode()
            runs.append(
                "".join(glyphs.get(int(hexes[i : i + 4], 16), "?") for i in range(0, len(hexes), 4))
            )
    return re.sub(r"\s+", " ", "".join(runs))
