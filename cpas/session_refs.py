"""Opaque, short-lived references to rows, valid only in the session that was shown them.

A register person's page is reached from a search result, not by its sequential id: the
result link carries a reference that only this session can resolve, for a few minutes.
The session (a signed cookie) keeps a random key and the row ids it was shown, with the
time; a reference is an HMAC of the key and the id, so it says nothing about the id and
another session (another key, other rows) cannot use it. No table, no query.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import MutableMapping
from typing import Any

from flask import current_app, session

from .timeutil import utcnow

SESSION_KEY = "refs"
#: More than a search shows (the register returns at most 50 people), small enough for a cookie.
MAX_ROWS = 60
REGISTER_PERSON = "p"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")


def _store(store: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
    return session if store is None else store


def _token(key: str, kind: str, row_id: int) -> str:
    digest = hmac.new(
        (current_app.config["SECRET_KEY"] + key).encode(),
        f"{kind}:{row_id}".encode(),
        hashlib.sha256,
    ).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def issue(kind: str, row_id: int, store: MutableMapping[str, Any] | None = None) -> str:
    """Return a reference to ``row_id`` that this session can resolve for a while."""
    target = _store(store)
    refs = dict(target.get(SESSION_KEY) or {})
    key = refs.get("k") or secrets.token_hex(8)
    now = int(utcnow().timestamp())
    rows = [r for r in refs.get("r", []) if not (r[0] == kind and r[1] == row_id)]
    rows.append([kind, int(row_id), now])
    target[SESSION_KEY] = {"k": key, "r": rows[-MAX_ROWS:]}
    return _token(key, kind, int(row_id))


def resolve(kind: str, token: str, store: MutableMapping[str, Any] | None = None) -> int | None:
    """Return the row id behind a reference of this session, or None (unknown or expired).

    A resolved reference lives on from now: a form opened from it can still be posted."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    target = _store(store)
    refs = target.get(SESSION_KEY) or {}
    key = refs.get("k")
    if not key:
        return None
    now = int(utcnow().timestamp())
    oldest = now - 60 * current_app.config["SESSION_REF_MINUTES"]
    rows = refs.get("r", [])
    for row in rows:
        row_kind, row_id, issued = row
        if (
            row_kind == kind
            and issued >= oldest
            and hmac.compare_digest(_token(key, kind, row_id), token)
        ):
            target[SESSION_KEY] = {
                "k": key,
                "r": [r for r in rows if r is not row] + [[kind, row_id, now]],
            }
            return row_id
    return None
