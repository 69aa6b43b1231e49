"""The huey instance and the task's app context, in a module that imports nothing of cpas.

Task modules import ``huey`` from here; ``cpas.jobs`` (what the consumer loads) imports
this module and then every task module. Domain code importing ``cpas.jobs`` or a task
module in any order therefore never meets a half-built huey.
"""

from __future__ import annotations

import os
from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey


def _make_huey() -> Huey:
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


def app_context():
    """An app context for a task: the caller's in immediate mode, else the worker's own app."""
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.app_context()
    global _app
    if _app is None:
        from . import create_app

        _app = create_app()
    return _app.app_context()
