"""Background jobs: huey with SQLite storage in instance/ (no extra service on one server).

``HUEY_URL`` may point to Redis (``redis://…``) when the app grows. Tests run tasks
immediately (``HUEY_IMMEDIATE``). The consumer runs beside gunicorn (scripts/start):
``.venv/bin/huey_consumer cpas.jobs.huey``.
"""

from __future__ import annotations

import os
from pathlib import Path

from huey import RedisHuey, SqliteHuey


def _make_huey():  # type: ignore[no-untyped-def]
    url = os.environ.get("HUEY_URL", "")
    immediate = os.environ.get("HUEY_IMMEDIATE") == "1"
    if url.startswith("redis://"):
        return RedisHuey("cpas", url=url, immediate=immediate)
    instance = os.environ.get("CPAS_INSTANCE_PATH") or str(
        Path(__file__).resolve().parent.parent / "instance"
    )
    Path(instance).mkdir(parents=True, exist_ok=True)
    return SqliteHuey("cpas", filename=str(Path(instance) / "huey.sqlite"), immediate=immediate)


huey = _make_huey()
_app = None


def app_context():  # type: ignore[no-untyped-def]
    """An app context for a task: the caller's in immediate mode, else the worker's own app."""
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.app_context()
    global _app
    if _app is None:
        from . import create_app

        _app = create_app()
    return _app.app_context()
